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
    from libtool.db.session import Library


def database_file(database: str) -> Path | None:
    """The library's file when it is a plain SQLite path (the fast path needs one)."""
    if "://" in database:
        return None
    return Path(database).expanduser().absolute()


def scan(
    settings: Settings,
    library: Callable[[], Library],
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

    from sqlalchemy import select

    from libtool.db.models import Root
    from libtool.scan.scanner import normalise_root, register_roots
    from libtool.scan.scanner import scan as run_scan

    lib = library()
    if not paths:
        with lib.session() as session:
            known = list(session.scalars(select(Root.path)))
        new = [r for r in configured if normalise_root(r) not in known]
        for absent in [r for r in new if not os.path.isdir(r)]:
            events(Note(f"configured root {safe_text(absent)} is missing; skipped"))
            new.remove(absent)
        if not known and not new:
            raise UsageError("no library roots yet: give a folder, e.g. mlib scan ~/Music")
        if new:  # register config roots once; the scan below then covers every root
            with lib.session() as session:
                register_roots(session, [normalise_root(r) for r in new])
                session.commit()
    return run_scan(
        lib,
        list(paths),
        full=full,
        jobs=jobs or settings.jobs,
        ignore=settings.ignore,
        events=events,
        cancel=cancel,
    )
