"""Organise files inside their library root by a path template.

Template values come from tags, so every path part is sanitised: no
separators, no ``..``, no control characters, nothing Windows or FAT cannot
hold, bounded length. A move never leaves the library root and never
overwrites a file (a collision gets `` (1)``, `` (2)``...); the database follows
the file, empty folders left behind are removed, and the move is recorded so
``mlib undo`` can put the file back.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import unicodedata
from collections.abc import Callable
from string import Template
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from libtool.changes.runs import RunSummary, file_failed, file_ok, finish_run, start_run
from libtool.db.albums import album_key
from libtool.db.models import Album, Root, Track, WriteChange, WriteRun
from libtool.db.session import Library
from libtool.display import format_value
from libtool.errors import FileError
from libtool.events import (
    NEVER,
    CancelToken,
    EventSink,
    FileOutcome,
    Planned,
    Progress,
    ignore,
    throttled,
)
from libtool.pathutil import display_path, is_under, path_to_cell

MAX_COMPONENT_BYTES = 200  # below the common 255-byte limit, leaving room for " (n)" and temp names
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
FALLBACKS = {
    "albumartist": "Unknown Artist",
    "artist": "Unknown Artist",
    "album": "Unknown Album",
    "disc": "01",
    "track": "00",
}


class MoveError(FileError):
    """A file that was not moved; it is where it was."""


def sanitise(text: str, max_bytes: int = MAX_COMPONENT_BYTES) -> str:
    """One safe path component from arbitrary text."""
    text = unicodedata.normalize("NFC", text)
    text = _BIDI.sub("", _FORBIDDEN.sub("_", text))
    text = text.strip().rstrip(". ").lstrip(". ")
    if text.split(".")[0].strip().upper() in _RESERVED:
        text = "_" + text
    encoded = text.encode("utf-8")
    if len(encoded) > max_bytes:
        text = encoded[:max_bytes].decode("utf-8", "ignore").rstrip(". ")
    return text or "_"


def template_values(track: Track, album: Album | None) -> dict[str, str]:
    values: dict[str, Any] = {c.key: getattr(track, c.key) for c in Track.__table__.columns}
    if not values.get("albumartist"):
        values["albumartist"] = (album.albumartist if album else None) or track.artist
    if not values.get("title"):
        values["title"] = os.path.splitext(os.path.basename(track.path))[0].decode(
            "utf-8", "replace"
        )
    out = {}
    for name, value in values.items():
        text = format_value(name, value) if value not in (None, "") else FALLBACKS.get(name, "")
        out[name] = text.replace("/", "_").replace("\\", "_")
    return out


def destination(root: bytes, track: Track, album: Album | None, template: str) -> bytes:
    """Where ``template`` puts ``track``: always inside ``root``."""
    values = template_values(track, album)
    parts = [p for p in template.replace("\\", "/").split("/") if p.strip()]
    if not parts:
        raise MoveError("template", "the path template is empty")
    try:
        names = [sanitise(Template(part).substitute(values)) for part in parts]
    except KeyError as exc:
        raise MoveError("template", f"unknown field ${exc.args[0]} in the path template") from exc
    except ValueError as exc:
        raise MoveError("template", f"bad path template {template!r}: {exc}") from exc
    ext = os.path.splitext(track.path)[1].lower().decode("utf-8", "replace")
    names[-1] = sanitise(names[-1], MAX_COMPONENT_BYTES - len(ext.encode())) + ext
    dest = os.path.normpath(os.path.join(root, *(n.encode("utf-8") for n in names)))
    if not is_under(dest, root) or dest == root:
        raise MoveError("outside", f"{display_path(dest)} would leave the library root")
    return dest


def _with_suffix(dest: bytes, n: int) -> bytes:
    stem, ext = os.path.splitext(dest)
    return stem + f" ({n})".encode() + ext


def _place(src: bytes, dest: bytes, exact: bool, taken: Callable[[bytes], bool]) -> bytes:
    """Move src to dest (or dest (n)) without ever replacing an existing file."""
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    for n in range(0, 1000):
        candidate = dest if n == 0 else _with_suffix(dest, n)
        if taken(candidate):
            if exact:
                break
            continue
        try:
            os.link(src, candidate)  # fails if candidate exists: no overwrite race
        except FileExistsError:
            if exact:
                break
            continue
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK):
                raise
            if os.path.lexists(candidate):
                continue
            os.rename(src, candidate)  # no hard links here: check-then-rename
            return candidate
        try:
            os.unlink(src)
        except OSError:
            os.unlink(candidate)  # never leave a second name behind
            raise
        return candidate
    raise MoveError("occupied", f"{display_path(dest)} already exists")


def _remove_empty_folders(folder: bytes, root: bytes) -> None:
    while folder != root and is_under(folder, root):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = os.path.dirname(folder)


def move_refusal(track: Track, dest: bytes, root: bytes) -> MoveError | None:
    """Why ``track``'s file would not be moved to ``dest`` (None: it would be). One rule
    for the move and its dry run, so a dry run never lists a file the move refuses."""
    src = track.path
    if not is_under(dest, root):
        return MoveError("outside", f"{display_path(dest)} is outside the library root")
    if not os.path.lexists(src):
        return MoveError("vanished", f"{display_path(src)} no longer exists; run mlib scan")
    if os.path.islink(src):
        return MoveError("symlink", f"{display_path(src)} is a symbolic link; not moved")
    if not os.path.isfile(src):  # e.g. a folder where the file was: never moved
        return MoveError("not-a-file", f"{display_path(src)} is no longer a file; run mlib scan")
    if not is_under(os.path.realpath(src), os.path.realpath(root)):
        return MoveError(  # reached through a symlinked folder: the file lives elsewhere
            "outside", f"{display_path(src)} lies outside the library root on disk; not moved"
        )
    return None


def move_track(
    session: Session, track: Track, dest: bytes, run: WriteRun, *, exact: bool = False
) -> bytes:
    """Move one track's file (exact: to that very path, for undo) and record it."""
    src = track.path
    if dest == src:
        return src
    root = session.get(Root, track.root_id)
    assert root is not None
    refused = move_refusal(track, dest, root.path)
    if refused is not None:
        raise refused

    def taken(candidate: bytes) -> bool:
        in_db = session.scalar(select(Track.id).where(Track.path == candidate))
        return os.path.lexists(candidate) or in_db is not None

    try:
        final = _place(src, dest, exact, taken)
    except OSError as exc:
        raise MoveError("io", f"cannot move {display_path(src)}: {exc.strerror}") from exc
    session.add(
        WriteChange(
            run_id=run.id,
            track_id=track.id,
            path=final,
            field="path",
            before=[path_to_cell(src)],
            after=[path_to_cell(final)],
        )
    )
    track.path, track.path_text = final, display_path(final)
    track.album_key = album_key(final, track.album, track.mb_albumid)
    with contextlib.suppress(OSError):  # a rename changes ctime, not the content
        track.ctime_ns = os.stat(final).st_ctime_ns
    session.flush()
    _remove_empty_folders(os.path.dirname(src), root.path)
    return final


def plan_moves(
    session: Session,
    where: ColumnElement[bool],
    template: str,
    *,
    roots: dict[int, bytes] | None = None,
) -> list[tuple[Track, bytes]]:
    """Each matching track and where ``template`` puts it; ``roots`` (if given) gets each
    track's root folder by root id."""
    rows = session.execute(
        select(Track, Album, Root)
        .join(Root, Root.id == Track.root_id)
        .outerjoin(Album, Album.id == Track.album_id)
        .where(where)
        .order_by(Track.path_text)
    ).all()
    if roots is not None:
        roots.update({r.id: r.path for _, _, r in rows})
    return [(t, destination(r.path, t, a, template)) for t, a, r in rows]


def move_tracks(
    library: Library,
    where: ColumnElement[bool],
    template: str,
    *,
    dry_run: bool = False,
    events: EventSink = ignore,
    cancel: CancelToken = NEVER,
) -> RunSummary:
    """Move matching files to where ``template`` puts them; a dry run posts ``Planned``."""
    post = throttled(events)
    summary = RunSummary()
    with library.exclusive("move"), library.session() as session:
        roots: dict[int, bytes] = {}
        plan = [(t, d) for t, d in plan_moves(session, where, template, roots=roots) if d != t.path]
        if dry_run or not plan:
            for track, dest in plan:
                refused = move_refusal(track, dest, roots[track.root_id])
                if refused is None:
                    post(Planned(track.id, track.path_text, display_path(dest)))
                else:  # said as the move itself would say it
                    summary.failed += 1
                    post(
                        FileOutcome(track.id, track.path_text, False, refused.kind, refused.message)
                    )
            return summary
        run = start_run(session, "move")
        session.commit()
        summary.run_id = run.id
        try:
            for done, (track, dest) in enumerate(plan):
                post(Progress("move", done, len(plan)))
                if cancel.cancelled:
                    summary.interrupted = True
                    break
                shown = track.path_text
                try:
                    old_key = track.album_key
                    final = move_track(session, track, dest, run)
                except MoveError as exc:
                    file_failed(session, summary, post, track.id, shown, exc)
                    continue
                session.commit()
                summary.album_keys |= {old_key, track.album_key}
                file_ok(summary, post, track.id, shown, display_path(final))
            else:
                post(Progress("move", len(plan), len(plan)))
        finally:  # also on Ctrl-C: what moved is recorded and can be undone
            finish_run(session, run, summary)
            session.commit()
    return summary
