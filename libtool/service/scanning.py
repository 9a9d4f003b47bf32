"""The scan operation: config roots, the no-change fast path, then the real scanner.

Separate from ``core`` so that a rescan that finds nothing changed imports
neither SQLAlchemy nor mutagen: the fast path answers before either is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from libtool.config import Settings
from libtool.display import safe_text
from libtool.errors import UsageError
from libtool.events import NEVER, CancelToken, EventSink, Note, ignore
from libtool.scan.walk import ScanSummary

if TYPE_CHECKING:
    from libtool.db.connection import ScanDatabase as ScanDatabase
    from libtool.db.session import Library
    from libtool.scan.pipeline import TargetReading


def open_settings_library(settings: Settings) -> Library:
    """Open (or create) the library the settings name; the default one's folder is made."""
    from libtool.config import default_database_path
    from libtool.db.session import open_library

    default = settings.database == str(default_database_path())
    return open_library(settings.database, create_folder=default)


def open_scan_database(settings: Settings) -> ScanDatabase:
    """The library the settings name, opened for a scan alone: a plain library file opens
    without SQLAlchemy (``libtool.db.connection``), a URL through ``open_settings_library``."""
    from libtool.config import default_database_path
    from libtool.db.connection import open_library_file

    if database_file(settings.database) is None:
        return open_settings_library(settings)
    default = settings.database == str(default_database_path())
    return open_library_file(settings.database, create_folder=default)


def database_file(database: str) -> Path | None:
    """The library's file when it is a plain SQLite path (the fast path needs one)."""
    if "://" in database:
        return None
    return Path(database).expanduser().absolute()


def scan(
    settings: Settings,
    library: Callable[[], ScanDatabase],
    paths: Sequence[str | bytes] = (),
    *,
    full: bool = False,
    jobs: int | None = None,
    events: EventSink = ignore,
    cancel: CancelToken = NEVER,
) -> ScanSummary:
    """Scan ``paths`` (registering them as roots), or every root and new config root.

    ``library`` opens the library on first use, so the fast path never opens it.
    """
    configured = tuple(os.path.expanduser(r) for r in settings.roots)  # "~/Music" in TOML
    database = database_file(settings.database)
    if not paths and not full and database is not None:
        from libtool.scan.quick import unchanged_rescan

        quick = unchanged_rescan(database, tuple(settings.ignore), configured)
        if quick is not None:  # nothing changed: done without loading the full scanner
            return quick

    ahead = _read_ahead(database, paths, tuple(settings.ignore), jobs or settings.jobs)
    try:
        return _scan(settings, library, paths, configured, full, jobs, events, cancel, ahead)
    finally:
        for reading in ahead.values():
            reading.close()


def _scan(
    settings: Settings,
    library: Callable[[], ScanDatabase],
    paths: Sequence[str | bytes],
    configured: tuple[str, ...],
    full: bool,
    jobs: int | None,
    events: EventSink,
    cancel: CancelToken,
    ahead: dict[bytes, TargetReading],
) -> ScanSummary:
    from libtool.scan.scanner import normalise_root, register_roots, root_paths
    from libtool.scan.scanner import scan as run_scan

    lib = library()
    if not paths:
        db = lib.connect()
        try:
            known = root_paths(db)
            new = [r for r in configured if normalise_root(r) not in known]
            for absent in [r for r in new if not os.path.isdir(r)]:
                events(Note(f"configured root {safe_text(absent)} is missing; skipped"))
                new.remove(absent)
            if not known and not new:
                raise UsageError("no library roots yet: give a folder, e.g. mlib scan ~/Music")
            if new:  # register config roots once; the scan below then covers every root
                register_roots(db, [normalise_root(r) for r in new])
                db.commit()
        finally:
            db.close()
    return run_scan(
        lib,
        list(paths),
        full=full,
        jobs=jobs or settings.jobs,
        ignore=settings.ignore,
        events=events,
        cancel=cancel,
        prefetched=ahead,
    )


def _read_ahead(
    database: Path | None, paths: Sequence[str | bytes], ignore: tuple[str, ...], jobs: int | None
) -> dict[bytes, TargetReading]:
    """Start reading the first folder of a first scan into a new (or empty) library now.

    Loading the database modules and creating the library take a few tenths of a
    second; a first scan reads every file anyway, so its readers need not wait for
    that. The scanner uses this reading only if the folder still has no tracks by then.
    """
    if not paths or database is None or not _is_new(database):
        return {}
    from libtool.scan.pipeline import TargetReading
    from libtool.scan.walk import normalise_root

    top = normalise_root(paths[0])
    if not os.path.isdir(top):
        return {}
    return {top: TargetReading(top, ignore, jobs=jobs)}


def _is_new(database: Path) -> bool:
    """Whether the library file does not exist yet, or holds no tracks and no scan errors."""
    if not database.exists():
        return True
    import sqlite3
    from urllib.parse import quote

    try:
        conn = sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return False
    try:
        found = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM tracks) OR EXISTS (SELECT 1 FROM scan_errors)"
        ).fetchone()
    except sqlite3.Error:
        return False  # not a library (yet): let the library say what it is
    finally:
        conn.close()
    return found is not None and not found[0]
