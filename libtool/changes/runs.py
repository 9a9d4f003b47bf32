"""A run of file changes (write, move or undo): its record, counts, and per-file outcome.

Every run is recorded before its first file is touched and finished even when
interrupted, so whatever it changed is in the history and can be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from libtool.db.albums import rebuild_albums
from libtool.db.models import WriteRun, utcnow

#: report(kind, path_text, message): kind is "ok", "error" or "plan".
Reporter = Callable[[str, str, str], None]


def quiet(kind: str, path: str, message: str) -> None:
    """A reporter that says nothing."""


@dataclass
class RunSummary:
    run_id: int | None = None
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    album_keys: set[str | None] = field(default_factory=set)  # albums to regroup afterwards


def recent_runs(session: Session, limit: int = 50) -> list[WriteRun]:
    """The history, newest first."""
    return list(session.scalars(select(WriteRun).order_by(WriteRun.id.desc()).limit(limit)))


def start_run(session: Session, kind: str, undoes: int | None = None) -> WriteRun:
    run = WriteRun(kind=kind, undoes_run_id=undoes)
    session.add(run)
    session.commit()
    return run


def file_failed(
    session: Session, summary: RunSummary, say: Reporter, shown: str, message: str
) -> None:
    """One file of a run failed: undo its database changes, count and report it."""
    session.rollback()
    summary.failed += 1
    summary.errors.append(message)
    say("error", shown, message)


def finish_run(session: Session, run: WriteRun, summary: RunSummary) -> None:
    run.finished_at = utcnow()
    run.files_ok, run.files_failed = summary.ok, summary.failed
    session.commit()
    if summary.album_keys - {None}:
        rebuild_albums(session, summary.album_keys)
        session.commit()
