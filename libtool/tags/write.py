"""Write tag changes to one file, crash-safely, through the same rules that read them.

The steps, each of which leaves an intact file if the process dies during it:

1. check the file is the one we scanned (same size and mtime) and is writable;
2. copy it to a hidden temporary file in the same folder (same file system);
3. change only the requested fields in the copy and save it;
4. flush and fsync the copy, then re-read it and verify every changed field
   and the stream info;
5. atomically replace the original with the copy (``os.replace``) and fsync
   the folder.

Before step 5 the original is untouched; after it the new file is complete.
Permission bits (and owner, where allowed) are copied from the original. The
file's mtime becomes the time of writing, on purpose: backup tools, players
and our own scanner must see that the file changed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import struct
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import mutagen.id3
from mutagen import dsf
from mutagen.id3 import ID3

from libtool.errors import FileError
from libtool.pathutil import display_path
from libtool.tags import snapshot
from libtool.tags.fields import FIELD_BY_NAME, Kind, parse_year, same_values
from libtool.tags.formats.base import clean
from libtool.tags.formats.id3 import as_mutagen_timestamp, is_clean_timestamp
from libtool.tags.read import container_of, flag_problems, open_audio, record_of
from libtool.tags.record import TrackRecord
from libtool.tags.tagmap import RULES

TEMP_MARK = b".mlib-tmp-"
#: Joins several values of one field in an ID3v2.3 tag (v2.3 has no multi-value text).
V23_SEP = "/"
#: v2.4 frames that ``update_to_v23`` turns into v2.3 ones (TYER/TDAT/TIME, TORY, IPLS).
_V23_CONVERTED = frozenset({"TDRC", "TDOR", "TIPL", "TMCL"})
#: Other tags a v2.4 -> v2.3 conversion changes on purpose: TMCL is merged into IPLS,
#: which reads back as TIPL. Every other key must come through a conversion unchanged.
_V23_MERGED = ("TIPL", "TMCL")


class WriteError(FileError):
    """A file that was not written; the file on disk is unchanged."""


class AlreadyRestored(WriteError):
    """An undo found the file already as it was before the run: nothing to do."""


@dataclass(frozen=True)
class Written:
    """A file written: its new record (as a scan reads it) and what changed in its tag,
    entry for entry (``libtool.tags.snapshot.changes``), which is what undo puts back."""

    record: TrackRecord
    snapshot: dict[str, Any]


def temp_path_for(path: bytes) -> bytes:
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    token = secrets.token_hex(4).encode()
    return os.path.join(folder, b"." + stem[:100] + TEMP_MARK + token + ext)


def check_unchanged(
    path: bytes, size: int, mtime_ns: int, ctime_ns: int | None = None
) -> os.stat_result:
    """The file is still the one we scanned, or a WriteError says what to do."""
    shown = display_path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise WriteError("vanished", f"{shown} no longer exists; run mlib scan") from exc
    except OSError as exc:
        raise WriteError("io", f"cannot stat {shown}: {exc.strerror}") from exc
    if not stat.S_ISREG(st.st_mode):
        raise WriteError("not-a-file", f"{shown} is no longer a file ({_kind(st)}); run mlib scan")
    changed = (st.st_size, st.st_mtime_ns) != (size, mtime_ns)
    if changed or (ctime_ns is not None and st.st_ctime_ns != ctime_ns):
        raise WriteError(
            "changed-on-disk",
            f"{shown} changed on disk since it was scanned; run mlib scan first "
            "so other programs' edits are not overwritten",
        )
    return st


def _kind(st: os.stat_result) -> str:
    """What is at a path now, in a few words."""
    if stat.S_ISDIR(st.st_mode):
        return "a folder is there now"
    if stat.S_ISFIFO(st.st_mode):
        return "a named pipe is there now"
    if stat.S_ISSOCK(st.st_mode):
        return "a socket is there now"
    return "something other than a file is there now"


def _equivalent(field: str, got: list[str], wanted: list[str], *, v23: bool = False) -> bool:
    """Whether read-back values are what we wrote (numbers compare by value).

    ID3v2.3 holds less than we may ask for: several values come back joined with
    ``V23_SEP``, and dates keep only what TYER/TDAT/TIME and TORY (a year) can hold.
    """
    spec = FIELD_BY_NAME[field]
    got, wanted = clean(got), clean(wanted)
    if v23:
        if len(wanted) > 1:
            wanted = [V23_SEP.join(wanted)]
        if spec.kind is Kind.DATE:
            return [parse_year(v) for v in got[:1]] == [parse_year(v) for v in wanted[:1]]
    return same_values(spec, got, wanted)


def apply_changes(audio: Any, changes: dict[str, list[str]], *, id3v23: bool = False) -> None:
    """Change only ``changes`` in a loaded mutagen file and save it."""
    if audio.tags is None:
        try:
            audio.add_tags()
        except Exception as exc:
            raise WriteError(
                "unsupported", f"{type(audio).__name__} files cannot hold tags"
            ) from exc
    container = container_of(audio.tags)
    if container is None:
        raise WriteError("unsupported", f"{type(audio).__name__} tags cannot be written")
    rules = RULES[container]
    v23 = container == "id3" and (id3v23 or getattr(audio.tags, "version", (2, 4))[1] == 3)
    for field, values in changes.items():
        rule = rules.get(field)
        if rule is None:
            raise WriteError("unsupported", f"{container} tags have no place for {field}")
        values = clean(values)
        if v23 and len(values) > 1:  # v2.3 has no multi-value text: joined, as Picard does
            values = [V23_SEP.join(values)]
        rule.write(audio.tags, values)
    save_tags(audio, v23=v23)


def save_tags(audio: Any, *, v23: bool = False) -> None:
    """Save a loaded file's tag; an APEv2 tag left empty is removed (an empty one would not
    even read back as a tag). ID3v2.3 is saved without joining anything itself: the values
    we wrote are joined already, and frames nobody asked about keep their values as they are.
    """
    if container_of(audio.tags) == "apev2" and not audio.tags.keys():
        audio.delete()
    elif container_of(audio.tags) == "id3":
        if v23:
            _to_v23(audio.tags)
            audio.save(v2_version=3, v23_sep=None)
        else:
            audio.save(v2_version=4)
    else:
        audio.save()


def _to_v23(tags: Any) -> None:
    """Turn v2.4 frames back into their v2.3 forms before saving as v2.3.

    mutagen upgrades a v2.3 tag on load (TYER/TDAT/TIME -> TDRC, TORY -> TDOR,
    IPLS -> TIPL) and our rules write TDRC/TDOR; saving with ``v2_version=3``
    alone would put those v2.4-only frames in a v2.3 tag, where v2.3 readers
    ignore them. ``update_to_v23`` converts them but also drops every other
    v2.4-only frame (e.g. the TSOP/TSOA sort frames iTunes puts in v2.3 tags):
    those are put back, so frames we were not asked to change survive.
    """
    kept = []  # timestamp text v2.3's TYER/TDAT cannot hold is kept verbatim, not lost
    for name in ("TDRC", "TDOR"):
        frame = tags.get(name)
        if frame is None:
            continue
        tags.delall(name)
        if is_clean_timestamp(frame):
            tags.add(as_mutagen_timestamp(frame))
        else:
            kept.append(frame)
    before = dict(tags.items())
    tags.update_to_v23()
    for key, frame in before.items():
        if key not in tags and frame.FrameID not in _V23_CONVERTED:
            tags.add(frame)
    for frame in kept:
        tags.add(frame)


def write_tags(
    path: bytes,
    changes: dict[str, list[str]],
    *,
    size: int,
    mtime_ns: int,
    ctime_ns: int | None = None,
    id3v23: bool = False,
) -> TrackRecord:
    """Write ``changes`` to ``path`` and return the file's new record (as a scan reads it)."""
    return write_file(
        path, changes, size=size, mtime_ns=mtime_ns, ctime_ns=ctime_ns, id3v23=id3v23
    ).record


def write_file(
    path: bytes,
    changes: dict[str, list[str]],
    *,
    size: int,
    mtime_ns: int,
    ctime_ns: int | None = None,
    id3v23: bool = False,
) -> Written:
    """Write ``changes`` to ``path``: its new record, and the tag entries that changed."""
    shown = display_path(path)

    def work(temp: bytes) -> Written:
        audio = open_audio(temp)
        before = record_of(audio, os.stat(temp))
        state = snapshot.capture(audio)
        apply_changes(audio, changes, id3v23=id3v23)
        record, after = _verify(temp, changes, before, shown)
        return Written(record, snapshot.changes(state, after))

    return _safely(path, size, mtime_ns, ctime_ns, work)


def restore_file(
    path: bytes,
    changed: dict[str, Any],
    *,
    size: int,
    mtime_ns: int,
    ctime_ns: int | None = None,
    run: int | None = None,
) -> Written:
    """Put back the tag entries a write changed (``changed``: its ``Written.snapshot``),
    exactly as they were, and the block as it was (none at all, ID3 version, ID3v1).

    Refused, the file untouched, when the file no longer holds what the write left
    (another program changed those entries since); ``AlreadyRestored`` when it holds what
    was there before.
    """
    shown = display_path(path)
    since = f" since run {run}" if run is not None else ""

    def work(temp: bytes) -> Written:
        audio = open_audio(temp)
        now = snapshot.capture(audio)
        if snapshot.matches(now, changed["before"]):
            raise AlreadyRestored("already", f"{shown} is already as it was")
        if not snapshot.matches(now, changed["after"]):
            keys = [k for k in changed["after"]["keys"] if not _same_entry(now, changed, k)]
            what = ", ".join(keys) or "its tag block"
            raise WriteError("changed", f"{shown}: {what} changed{since}; not undone")
        before = record_of(audio, os.stat(temp))
        _put_back(temp, audio, changed["before"])
        reloaded = open_audio(temp)
        state = snapshot.capture(reloaded)
        if not snapshot.matches(state, changed["before"]):
            raise WriteError("verify", f"verification failed for {shown}: not restored exactly")
        block = changed["before"]["meta"]
        rewritten = block["exists"] and not (state.container == "id3" and block.get("id3") is None)
        if rewritten:  # (a block taken away, or back to ID3v1 alone, is checked whole above)
            other = snapshot.other_differences(now, state, changed["before"]["keys"])
            if other:
                raise WriteError(
                    "verify", f"not undone: restoring {shown} would also change {', '.join(other)}"
                )
        record = flag_problems(record_of(reloaded, os.stat(temp)))
        for key in ("format", "sample_rate", "channels"):
            if getattr(record, key) != getattr(before, key):
                raise WriteError("verify", f"verification failed for {shown}: {key} changed")
        return Written(record, snapshot.changes(now, state))

    return _safely(path, size, mtime_ns, ctime_ns, work)


def _same_entry(state: snapshot.TagState, changed: dict[str, Any], key: str) -> bool:
    return state.entries.get(key) == changed["after"]["entries"].get(key)


def _put_back(temp: bytes, audio: Any, side: dict[str, Any]) -> None:
    """Restore ``side``'s entries and block in the loaded copy ``audio`` and save it."""
    meta = side["meta"]
    if audio.tags is None and meta["exists"]:
        audio.add_tags()  # e.g. an APEv2 tag that the write emptied, and so removed
    if audio.tags is not None:
        snapshot.put_back(audio, side)
    if not meta["exists"]:
        if audio.tags is not None:
            audio.delete()  # the file had no tag block at all: none is left behind
            if isinstance(audio, dsf.DSF):
                _fix_dsf_size(temp)
    elif container_of(audio.tags) == "id3" and meta.get("id3") is None:
        # ID3v1 only: the ID3v2 tag the write added goes; the trailer comes back below
        mutagen.id3.delete(temp, delete_v1=False, delete_v2=True)
    else:
        save_tags(audio, v23=meta.get("id3") == "2.3")
    if "id3v1" in meta:
        snapshot.restore_id3v1(temp, meta["id3v1"])


def _fix_dsf_size(path: bytes) -> None:
    """mutagen removes a DSF file's ID3 chunk but leaves the header's file size as it was
    (1.48): put the real size back, as the file had it before the chunk was added."""
    with open(path, "rb+") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(12)
        handle.write(struct.pack("<Q", size))


def _safely(
    path: bytes,
    size: int,
    mtime_ns: int,
    ctime_ns: int | None,
    work: Callable[[bytes], Written],
) -> Written:
    """Run ``work`` on a verified temporary copy of ``path`` and put the copy in its place.

    A symlink is written through: its target gets the new tags and the link stays a
    link. A file with several hard links is refused, since replacing it would
    silently split it from its other names.
    """
    shown = display_path(path)
    st = check_unchanged(path, size, mtime_ns, ctime_ns)
    if st.st_nlink > 1:
        raise WriteError(
            "hard-link",
            f"{shown} has {st.st_nlink} hard links; writing would separate it from the others",
        )
    real = os.path.realpath(path)  # the file itself, when path is a symlink
    folder = os.path.dirname(real) or b"."
    if not os.access(real, os.W_OK) or not os.access(folder, os.W_OK):
        raise WriteError("read-only", f"{shown} (or its folder) is read-only")
    temp = temp_path_for(real)
    try:
        try:
            shutil.copyfile(real, temp)
            shutil.copymode(real, temp)
            with contextlib.suppress(OSError):
                os.chown(temp, st.st_uid, st.st_gid)
            written = work(temp)
            with open(temp, "rb+") as handle:
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise WriteError("io", f"cannot write {shown}: {exc.strerror or exc}") from exc
        except (WriteError, KeyboardInterrupt):
            raise
        except Exception as exc:  # mutagen refusing a value, a parser bug: this file only
            raise WriteError("error", f"cannot write {shown}: {type(exc).__name__}: {exc}") from exc
        check_unchanged(path, size, mtime_ns, ctime_ns)  # nobody changed it while we worked
        try:
            os.replace(temp, real)
        except OSError as exc:
            raise WriteError("io", f"cannot replace {shown}: {exc.strerror or exc}") from exc
        _fsync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    st = os.stat(path)  # the verified copy is now the file: only its stamp is new
    stamped = replace(
        written.record, size=st.st_size, mtime_ns=st.st_mtime_ns, ctime_ns=st.st_ctime_ns
    )
    return Written(stamped, written.snapshot)


def _verify(
    temp: bytes, changes: dict[str, list[str]], original: TrackRecord, shown: str
) -> tuple[TrackRecord, snapshot.TagState]:
    """The copy holds the changes, the same stream, and nothing else changed.

    mutagen rewrites whole tags, so a field it cannot keep (an odd frame, text it
    re-parses) would silently change; such a write is refused instead. Returns what
    was read back: the file's new record, but for its stamp, and its tag's entries.
    A tag left with nothing in it may be gone altogether (an empty APEv2 tag is removed).
    """
    audio = open_audio(temp)
    now = flag_problems(record_of(audio, os.stat(temp)))
    v23 = isinstance(audio.tags, ID3) and audio.tags.version[:2] == (2, 3)
    for field, values in changes.items():
        if not _equivalent(field, now.tags.get(field, []), values, v23=v23):
            raise WriteError("verify", f"verification failed for {shown}: {field} did not stick")
    for key in ("format", "sample_rate", "channels"):
        if getattr(now, key) != getattr(original, key):
            raise WriteError("verify", f"verification failed for {shown}: {key} changed")
    converted = v23 and original.tag_format != "id3v2.3"  # v2.4 -> v2.3 asked for
    for field, spec in FIELD_BY_NAME.items():
        if field in changes:
            continue
        old, new = original.tags.get(field, []), now.tags.get(field, [])
        dates_converted = converted and spec.kind is Kind.DATE  # TORY holds only a year
        if not _equivalent(field, new, old, v23=dates_converted):
            raise WriteError(
                "verify",
                f"not written: saving {shown} would also change {field} "
                f"({'; '.join(old) or 'empty'} -> {'; '.join(new) or 'empty'})",
            )
    for key in sorted(original.extras, key=str.lower):
        if converted and key.startswith(_V23_MERGED):
            continue
        if key not in now.extras:
            raise WriteError("verify", f"not written: saving {shown} would drop {key}")
        if now.extras[key] != original.extras[key]:
            raise WriteError(
                "verify",
                f"not written: saving {shown} would change {key} "
                f"({'; '.join(original.extras[key])} -> {'; '.join(now.extras[key])})",
            )
    return now, snapshot.capture(audio)


def _fsync_folder(folder: bytes) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
