"""The no-change rescan, without SQLAlchemy or mutagen.

Most rescans find nothing new. This walks every root and compares it with the
library through the stdlib ``sqlite3`` module; if every file is unchanged (or
is the same broken file as before) it records the scan run and is done in a
fraction of the time a full start-up takes. The moment anything differs, a
root is missing, a folder is unreadable, or the last run did not complete, it
returns None and the real scanner (``libtool.scan.scanner``) does the work.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from libtool.db import SCHEMA_HEAD, UNKEYED_TRACK_SQL
from libtool.pathutil import is_under
from libtool.scan.walk import ScanSummary, Stamp, normalise_root, nothing_changed, walk_tree


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
        return _check(conn, ignore, config_roots, started)
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
        walk = walk_tree(root, ignore)
        summary.skipped += walk.skipped
        if walk.problems or walk.unreadable or not walk.files:
            return None
        present = _stamps(
            conn.execute(
                "SELECT path, size, mtime_ns, ctime_ns FROM tracks "
                "WHERE root_id = ? AND missing = 0",
                (root_id,),
            ).fetchall()
        )
        failed = {
            path: (size, mtime_ns, ctime_ns)
            for path, size, mtime_ns, ctime_ns in conn.execute(
                "SELECT path, size, mtime_ns, ctime_ns FROM scan_errors WHERE size IS NOT NULL"
            )
            if is_under(path, root)
        }
        still_failing = nothing_changed(walk, present, failed)
        if still_failing is None:
            return None  # something changed: the real scanner does the work and reports it
        summary.unchanged += len(present)
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
