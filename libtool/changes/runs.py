"""A run of file changes (write, move or undo): its record, counts, and per-file outcome.

Every run is recorded before its first file is touched and finished even when
interrupted, so whatever it changed is in the history and can be undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from libtool.db.albums import rebuild_albums
from libtool.db.models import WriteRun, utcnow
from libtool.errors import FileError
from libtool.events import EventSink, FileOutcome


@dataclass
class RunSummary:
    run_id: int | None = None
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    interrupted: bool = False  # cancelled before every file was done
    errors: list[str] = field(default_factory=list)
    album_keys: set[str | None] = field(default_factory=set)  # albums to regroup afterwards


def recent_runs(session: Session, limit: int = 50) -> list[WriteRun]:
    """The history, newest first."""
    return list(session.scalars(select(WriteRun).order_by(WriteRun.id.desc()).limit(limit)))


def start_run(session: Session, kind: str, undoes: int | None = None) -> WriteRun:
    """A new run row (flushed; the caller commits it before touching the first file)."""
    run = WriteRun(kind=kind, undoes_run_id=undoes)
    session.add(run)
    session.flush()
    return run


def file_ok(summary: RunSummary, events: EventSink, track_id: int, shown: str, detail: str) -> None:
    summary.ok += 1
    events(FileOutcome(track_id, shown, True, "ok", detail))


def file_failed(
    session: Session,
    summary: RunSummary,
    events: EventSink,
    track_id: int | None,
    shown: str,
    exc: FileError,
) -> None:
    """One file of a run failed: drop its database changes, count and report it.

    The rollback is the run's own (the run owns its session and commits per file).
    """
    session.rollback()
    summary.failed += 1
    summary.errors.append(exc.message)
    events(FileOutcome(track_id, shown, False, exc.kind, exc.message))


def finish_run(session: Session, run: WriteRun, summary: RunSummary) -> None:
    """Record the run's counts and regroup the albums it touched (flushed, not committed)."""
    run.finished_at = utcnow()
    run.files_ok, run.files_failed = summary.ok, summary.failed
    session.flush()
    if summary.album_keys - {None}:
        rebuild_albums(session, summary.album_keys)
