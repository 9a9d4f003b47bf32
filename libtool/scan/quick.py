"""The no-change rescan, without SQLAlchemy or mutagen.

Most rescans find nothing new. This walks every root and compares it with the
library through the stdlib ``sqlite3`` module; if every file is unchanged (or
is the same broken file as before) it records the scan run and is done in a
fraction of the time a full start-up takes. The moment anything differs, a
root is missing, a folder is unreadable, or the last run did not complete, it
returns None and the real scanner (``libtool.scan.scanner``) does the work.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

from libtool.db import SCHEMA_HEAD, UNKEYED_TRACK_SQL
from libtool.pathutil import is_under
from libtool.scan.walk import (
    FolderId,
    ScanSummary,
    Stamp,
    Walk,
    normalise_root,
    nothing_changed,
    walk_subtrees,
    walk_top,
)


def _timestamp() -> str:
    """A UTC time as SQLAlchemy stores DateTime in SQLite."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def unchanged_rescan(
    database: Path, ignore: tuple[str, ...] = (), config_roots: tuple[str, ...] = ()
) -> ScanSummary | None:
    """The summary of a rescan that found nothing to do, or None to do a real scan."""
    started = time.perf_counter()
    if not database.is_file():
        return None
    uri = f"file:{quote(str(database))}?mode=rw"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=10)
    except sqlite3.Error:
        return None
    # the check makes two tuples per file and per track and no reference cycles, so the
    # cyclic collector would only pass over them again and again (a fifth of the time)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(uri, conn, ignore, config_roots, started)
    except sqlite3.Error:
        return None  # anything unexpected: let the real scanner decide and report
    finally:
        conn.close()
        if collecting:
            gc.enable()


def _stamps(rows: list[tuple[bytes, int, int, int]]) -> dict[bytes, Stamp]:
    """path -> stamp from (path, size, mtime_ns, ctime_ns) rows, built in C, not per row."""
    if not rows:
        return {}
    paths, sizes, mtimes, ctimes = zip(*rows, strict=True)
    return dict(zip(paths, zip(sizes, mtimes, ctimes, strict=True), strict=True))


def _check(
    uri: str,
    conn: sqlite3.Connection,
    ignore: tuple[str, ...],
    config_roots: tuple[str, ...],
    started: float,
) -> ScanSummary | None:
    (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone() or (None,)
    last = conn.execute("SELECT status FROM scan_runs ORDER BY id DESC LIMIT 1").fetchone()
    if version != SCHEMA_HEAD or last is None or last[0] != "complete":
        return None
    unkeyed = conn.execute(UNKEYED_TRACK_SQL).fetchone()
    if unkeyed is not None:
        return None  # an upgraded library: the real scan groups its albums once
    roots = conn.execute("SELECT id, path FROM roots").fetchall()
    known_roots = {path for _, path in roots}
    if not roots or any(normalise_root(r) not in known_roots for r in config_roots):
        return None
    summary = ScanSummary()
    failing: list[bytes] = []
    for root_id, root in roots:
        if not os.path.isdir(root):
            return None
        failed = {
            path: (size, mtime_ns, ctime_ns)
            for path, size, mtime_ns, ctime_ns in conn.execute(
                "SELECT path, size, mtime_ns, ctime_ns FROM scan_errors WHERE size IS NOT NULL"
            )
            if is_under(path, root)
        }
        found = _compare_root(uri, conn, root_id, root, ignore, failed)
        if found is None:
            return None  # something changed: the real scanner does the work and reports it
        unchanged, still_failing, skipped = found
        summary.unchanged += unchanged
        summary.skipped += skipped
        failing += still_failing
    summary.errors = len(failing)
    summary.seconds = time.perf_counter() - started
    now = _timestamp()
    with conn:
        cur = conn.execute(
            "INSERT INTO scan_runs (started_at, finished_at, status, full, added, updated, "
            "missing, unchanged, errors, seconds) VALUES (?, ?, 'complete', 0, 0, 0, 0, ?, ?, ?)",
            (now, now, summary.unchanged, summary.errors, summary.seconds),
        )
        summary.run_id = cur.lastrowid
        conn.execute("UPDATE roots SET last_scan_at = ?", (now,))
        conn.executemany(
            "UPDATE scan_errors SET run_id = ? WHERE path = ?",
            [(summary.run_id, path) for path in failing],
        )
    return summary


#: A root is shared out between this process and one forked helper (``_compare_split``)
#: when it has at least two folders at its top and no more than this many files there
#: (each top-level file is looked up on its own).
SPLIT_TOP_FILES_MAX = 200

#: (unchanged, still failing, skipped) under a root (or a share of it) where nothing changed.
Found = tuple[int, list[bytes], int]

_SHARE_SQL = (  # a folder's tracks: the paths from FOLDER/ up to FOLDER0 ('0' follows '/')
    "SELECT path, size, mtime_ns, ctime_ns FROM tracks "
    "WHERE path >= ? AND path < ? AND +root_id = ? AND +missing = 0"
)
_ONE_SQL = (
    "SELECT size, mtime_ns, ctime_ns FROM tracks WHERE path = ? AND +root_id = ? AND +missing = 0"
)


def _compare_root(
    uri: str,
    conn: sqlite3.Connection,
    root_id: int,
    root: bytes,
    ignore: tuple[str, ...],
    failed: dict[bytes, Stamp],
) -> Found | None:
    """What is unchanged under ``root``, or None if anything changed.

    The walk and the comparison take both cores when they can: a process that runs no
    other thread forks a helper for half of the root's folders (``_compare_split``).
    """
    top, folders, seen = walk_top(root, ignore)
    if top.problems or top.unreadable:
        return None
    forkable = hasattr(os, "fork") and threading.active_count() == 1
    if forkable and len(folders) >= 2 and len(top.files) <= SPLIT_TOP_FILES_MAX:
        return _compare_split(uri, conn, root_id, root, top, folders, seen, ignore, failed)
    walk = walk_subtrees(folders, ignore, seen)  # the rest of the walk, in this process
    walk.files.update(top.files)
    if walk.problems or walk.unreadable or not walk.files:
        return None
    present = _stamps(
        conn.execute(
            "SELECT path, size, mtime_ns, ctime_ns FROM tracks WHERE root_id = ? AND missing = 0",
            (root_id,),
        ).fetchall()
    )
    still_failing = nothing_changed(walk, present, failed)
    if still_failing is None:
        return None
    return len(present), still_failing, top.skipped + walk.skipped


def _compare_split(
    uri: str,
    conn: sqlite3.Connection,
    root_id: int,
    root: bytes,
    top: Walk,
    folders: list[bytes],
    seen: set[FolderId],
    ignore: tuple[str, ...],
    failed: dict[bytes, Stamp],
) -> Found | None:
    """``_compare_root`` with the root's folders shared out: every other one to a forked
    helper, the rest (and the root's own files) here. Each side walks its folders and
    compares them with the library's tracks under them.

    The two sides together are the whole walk only if no folder was reached from both
    (a link, a bind mount: one walk visits it once) and every present track and every
    recorded failure under the root fell to one side; anything else answers None.
    """
    prefix = os.path.join(root, b"")
    mine, theirs = folders[::2], folders[1::2]
    owner = dict.fromkeys(mine, 0) | dict.fromkeys(theirs, 1)
    shares: tuple[dict[bytes, Stamp], dict[bytes, Stamp]] = ({}, {})
    for path, stamp in failed.items():
        head, sep, _ = path[len(prefix) :].partition(b"/")
        share = owner.get(prefix + head) if sep else 0
        if share is None:  # under a folder no side walks (hidden or ignored now)
            return None
        shares[share][path] = stamp
    (total,) = conn.execute(
        "SELECT count(*) FROM tracks WHERE root_id = ? AND missing = 0", (root_id,)
    ).fetchone()
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper: never returns
        os.close(readable)
        _compare_in_helper(writable, uri, root_id, theirs, ignore, seen, shares[1])
    os.close(writable)
    reaped = False
    try:
        with os.fdopen(readable, "rb") as pipe:
            here = _compare_share(conn, root_id, mine, top.files, ignore, set(seen), shares[0])
            answer = pipe.read()
        os.waitpid(pid, 0)
        reaped = True
    finally:
        if not reaped:  # interrupted (Ctrl-C): the helper goes too
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    there = pickle.loads(answer) if answer else None
    if here is None or there is None:
        return None
    (n1, failing1, skipped1, seen1), (n2, failing2, skipped2, seen2) = here, there
    if seen1 & seen2 or n1 + n2 != total or not (n1 + n2 + len(failing1) + len(failing2)):
        return None  # a folder walked twice, tracks where no side looked, or no files at all
    return n1 + n2, failing1 + failing2, top.skipped + skipped1 + skipped2


def _compare_in_helper(
    out: int,
    uri: str,
    root_id: int,
    folders: list[bytes],
    ignore: tuple[str, ...],
    seen: set[FolderId],
    failed: dict[bytes, Stamp],
) -> NoReturn:
    """The forked helper's side of ``_compare_split``, on its own connection (one made
    before a fork must not be used after it). It answers through ``out`` and exits
    without any clean-up of the parent's: nothing at all when it fails."""
    status = 1
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=10)
        answer = _compare_share(conn, root_id, folders, {}, ignore, seen, failed)
        conn.close()
        with os.fdopen(out, "wb") as pipe:
            pickle.dump(answer, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


def _compare_share(
    conn: sqlite3.Connection,
    root_id: int,
    folders: list[bytes],
    files: dict[bytes, Stamp],
    ignore: tuple[str, ...],
    seen: set[FolderId],
    failed: dict[bytes, Stamp],
) -> tuple[int, list[bytes], int, set[FolderId]] | None:
    """One side of ``_compare_split``: ``folders`` walked, plus the root's own ``files``,
    against the tracks under them. Also answers the folders it visited."""
    before = set(seen)
    walk = walk_subtrees(folders, ignore, seen)
    if walk.problems or walk.unreadable:
        return None
    walk.files.update(files)
    present: dict[bytes, Stamp] = {}
    for folder in folders:
        rows = conn.execute(_SHARE_SQL, (folder + b"/", folder + b"0", root_id)).fetchall()
        present.update(_stamps(rows))
    for path in files:
        row = conn.execute(_ONE_SQL, (path, root_id)).fetchone()
        if row is not None:
            present[path] = row
    still_failing = nothing_changed(walk, present, failed)
    if still_failing is None:
        return None
    return len(present), still_failing, walk.skipped, seen - before
