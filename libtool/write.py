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
from typing import Any

from libtool.fields import FIELD_BY_NAME, Kind, parse_bool, parse_float, parse_int
from libtool.formats.base import clean
from libtool.pathutil import display_path
from libtool.tagmap import RULES
from libtool.tags import container_of, open_audio, read_track, stream_info

TEMP_MARK = b".mlib-tmp-"


class WriteError(Exception):
    """A file that was not written; the file on disk is unchanged."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def temp_path_for(path: bytes) -> bytes:
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    token = secrets.token_hex(4).encode()
    return os.path.join(folder, b"." + stem[:100] + TEMP_MARK + token + ext)


def check_unchanged(path: bytes, size: int, mtime_ns: int) -> os.stat_result:
    """The file is still the one we scanned, or a WriteError says what to do."""
    shown = display_path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise WriteError("vanished", f"{shown} no longer exists; run mlib scan") from exc
    except OSError as exc:
        raise WriteError("io", f"cannot stat {shown}: {exc.strerror}") from exc
    if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
        raise WriteError(
            "changed-on-disk",
            f"{shown} changed on disk since it was scanned; run mlib scan first "
            "so other programs' edits are not overwritten",
        )
    return st


def _equivalent(field: str, got: list[str], wanted: list[str]) -> bool:
    """Whether read-back values are what we wrote (numbers compare by value)."""
    kind = FIELD_BY_NAME[field].kind
    got, wanted = clean(got), clean(wanted)
    if kind is Kind.INT:
        return [parse_int(v) for v in got[:1]] == [parse_int(v) for v in wanted[:1]]
    if kind is Kind.FLOAT:
        return [parse_float(v) for v in got[:1]] == [parse_float(v) for v in wanted[:1]]
    if kind is Kind.BOOL:
        return [bool(parse_bool(v)) for v in got[:1]] == [bool(parse_bool(v)) for v in wanted[:1]]
    return got == wanted


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
    for field, values in changes.items():
        rule = rules.get(field)
        if rule is None:
            raise WriteError("unsupported", f"{container} tags have no place for {field}")
        rule.write(audio.tags, clean(values))
    if container == "id3":
        was_v23 = getattr(audio.tags, "version", (2, 4, 0))[1] == 3
        audio.save(v2_version=3 if (was_v23 or id3v23) else 4, v23_sep="/")
    else:
        audio.save()


def write_tags(
    path: bytes,
    changes: dict[str, list[str]],
    *,
    size: int,
    mtime_ns: int,
    id3v23: bool = False,
) -> dict[str, Any]:
    """Write ``changes`` to ``path`` and return the file's new record (as a scan reads it)."""
    shown = display_path(path)
    st = check_unchanged(path, size, mtime_ns)
    folder = os.path.dirname(path) or b"."
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        raise WriteError("read-only", f"{shown} (or its folder) is read-only")
    temp = temp_path_for(path)
    try:
        try:
            shutil.copyfile(path, temp)
            shutil.copymode(path, temp)
            with contextlib.suppress(OSError):
                os.chown(temp, st.st_uid, st.st_gid)
            audio = open_audio(temp)
            before = stream_info(audio)
            apply_changes(audio, changes, id3v23=id3v23)
            with open(temp, "rb+") as handle:
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise WriteError("io", f"cannot write {shown}: {exc.strerror or exc}") from exc
        _verify(temp, changes, before, shown)
        check_unchanged(path, size, mtime_ns)  # nobody changed it while we worked
        os.replace(temp, path)
        _fsync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return read_track(path)


def _verify(temp: bytes, changes: dict[str, list[str]], before: dict[str, Any], shown: str) -> None:
    audio = open_audio(temp)
    if audio.tags is None:
        raise WriteError("verify", f"verification failed for {shown}: no tags after writing")
    rules = RULES[container_of(audio.tags) or ""]
    for field, values in changes.items():
        if not _equivalent(field, rules[field].read(audio.tags), values):
            raise WriteError("verify", f"verification failed for {shown}: {field} did not stick")
    after = stream_info(audio)
    for key in ("format", "sample_rate", "channels"):
        if after[key] != before[key]:
            raise WriteError("verify", f"verification failed for {shown}: {key} changed")


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
