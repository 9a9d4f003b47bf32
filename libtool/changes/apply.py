"""Writing pending changes to files, and undoing runs.

Every successful file write records each field's before and after values in a
run, which ``undo`` can reverse (an undo is itself a run, so it can be undone
too). Each file is committed on its own, so a cancel, a Ctrl-C or a crash keeps
what was written, recorded and undoable.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from libtool.changes.organise import MoveError, move_track
from libtool.changes.pending import current_values, pending_rows, same_values, staged_against
from libtool.changes.runs import RunSummary, file_failed, file_ok, finish_run, start_run
from libtool.db.models import PendingChange, Track, WriteChange, WriteRun, WriteSnapshot
from libtool.db.rows import track_values
from libtool.db.session import Library
from libtool.errors import FileError, UsageError
from libtool.events import NEVER, CancelToken, EventSink, Progress, ignore, throttled
from libtool.pathutil import cell_to_path, display_path
from libtool.tags import snapshot
from libtool.tags.fields import FIELD_NAMES
from libtool.tags.write import AlreadyRestored, WriteError, Written, restore_file, write_file


def _write_one(
    session: Session, track: Track, changes: dict[str, list[str]], run: WriteRun, id3v23: bool
) -> set[str | None]:
    """Write one file and record its history; raises WriteError and leaves the DB as it was.

    Returns the album keys the track left and joined, for regrouping.
    """
    written = write_file(
        track.path,
        changes,
        size=track.size,
        mtime_ns=track.mtime_ns,
        ctime_ns=track.ctime_ns,
        id3v23=id3v23,
    )
    return _record(session, track, run, list(changes), written)


def _record(
    session: Session, track: Track, run: WriteRun, fields: list[str], written: Written
) -> set[str | None]:
    """The history of one file written (each field's values before and after, and the raw
    tag entries that changed, for an exact undo) and its new row."""
    now = written.record.tags
    for name in fields:
        session.add(  # 'after' is what the file holds now (v2.3 joins multi-values with '/')
            WriteChange(
                run_id=run.id,
                track_id=track.id,
                path=track.path,
                field=name,
                before=current_values(track, name),
                after=list(now.get(name, [])),
            )
        )
    if not snapshot.is_empty(written.snapshot):
        session.add(
            WriteSnapshot(
                run_id=run.id, track_id=track.id, path=track.path, changed=written.snapshot
            )
        )
    values = track_values(track.path, written.record)
    session.execute(update(Track), [dict(values, id=track.id)])
    session.execute(
        delete(PendingChange).where(
            PendingChange.track_id == track.id, PendingChange.field.in_(fields)
        )
    )
    return {track.album_key, values["album_key"]}


def _refuse_conflicts(track: Track, changes: list[PendingChange]) -> None:
    for change in changes:
        base = staged_against(track, change)
        if base is not None:
            now = "; ".join(current_values(track, change.field)) or "(empty)"
            raise WriteError(
                "conflict",
                f"{change.field} was changed in the file since the change was staged "
                f"(from {'; '.join(base) or '(empty)'} to {now}); not written: stage it "
                "again, or write with --force",
            )


def write_pending(
    library: Library,
    where: ColumnElement[bool],
    *,
    id3v23: bool = False,
    force: bool = False,
    events: EventSink = ignore,
    cancel: CancelToken = NEVER,
) -> RunSummary:
    """Write the pending changes of matching tracks to their files, one file at a time.

    A change whose field another program changed in the file since it was staged is a
    conflict: that file is not written (its changes stay pending) unless ``force``.
    ``cancel`` stops before the next file; what was written stays recorded.
    """
    post = throttled(events)
    summary = RunSummary()
    with library.exclusive("write"), library.session() as session:
        tracks = session.scalars(
            select(Track)
            .where(where, Track.id.in_(select(PendingChange.track_id)))
            .order_by(Track.path_text)
        ).all()
        if not tracks:
            return summary
        rows = pending_rows(session, (t.id for t in tracks))
        pending = {tid: {r.field: list(r.new_values) for r in rs} for tid, rs in rows.items()}
        run = start_run(session, "write")
        session.commit()  # the run exists before the first file is touched
        summary.run_id = run.id
        try:
            for done, track in enumerate(tracks):
                post(Progress("write", done, len(tracks)))
                if cancel.cancelled:
                    summary.interrupted = True
                    break
                try:
                    if not force:
                        _refuse_conflicts(track, rows[track.id])
                    keys = _write_one(session, track, pending[track.id], run, id3v23)
                except WriteError as exc:
                    file_failed(session, summary, post, track.id, track.path_text, exc)
                    continue
                session.commit()
                summary.album_keys |= keys
                file_ok(
                    summary, post, track.id, track.path_text, ", ".join(sorted(pending[track.id]))
                )
            else:
                post(Progress("write", len(tracks), len(tracks)))
        finally:  # also on Ctrl-C: what was written is recorded and can be undone
            finish_run(session, run, summary)
            session.commit()
    return summary


def undo(
    library: Library,
    run_id: int | None = None,
    *,
    id3v23: bool = False,
    events: EventSink = ignore,
    cancel: CancelToken = NEVER,
) -> RunSummary:
    """Put back the values a run replaced (tags and paths), with the same safety as a write."""
    post = throttled(events)
    summary = RunSummary()
    with library.exclusive("undo"), library.session() as session:
        if run_id is None:
            target = session.scalars(
                select(WriteRun)
                .where(
                    WriteRun.undone_by_run_id.is_(None),
                    WriteRun.id.in_(select(WriteChange.run_id)),
                )
                .order_by(WriteRun.id.desc())
                .limit(1)
            ).first()
            if target is None:
                raise UsageError("nothing to undo")
            if target.kind == "undo" and target.undoes_run_id is not None:
                undone = session.get(WriteRun, target.undoes_run_id)
                if undone is not None and undone.undone_by_run_id is None:
                    target = undone  # that undo only partly worked: finish it, don't redo
        else:
            target = session.get(WriteRun, run_id)
            if target is None:
                raise UsageError(f"no write run {run_id}; see mlib history")
            if target.undone_by_run_id is not None:
                raise UsageError(
                    f"run {run_id} was already undone by run {target.undone_by_run_id}; "
                    f"undo that run to redo it"
                )
        changes = session.scalars(
            select(WriteChange).where(WriteChange.run_id == target.id).order_by(WriteChange.id)
        ).all()
        by_track: dict[int, list[WriteChange]] = {}
        for change in changes:
            if change.track_id is not None:
                by_track.setdefault(change.track_id, []).append(change)
        snapshots = {
            snap.track_id: snap.changed
            for snap in session.scalars(
                select(WriteSnapshot).where(WriteSnapshot.run_id == target.id)
            )
            if snap.track_id is not None
        }
        run = start_run(session, "undo", undoes=target.id)
        session.commit()
        summary.run_id = run.id
        try:
            for done, (track_id, track_changes) in enumerate(by_track.items()):
                post(Progress("undo", done, len(by_track)))
                if cancel.cancelled:  # a later 'mlib undo' finishes this undo
                    summary.interrupted = True
                    break
                track = session.get(Track, track_id)
                if track is not None:
                    _undo_track(
                        session,
                        track,
                        track_changes,
                        snapshots.get(track_id),
                        target,
                        run,
                        summary,
                        post,
                        id3v23,
                    )
            else:
                post(Progress("undo", len(by_track), len(by_track)))
            if summary.failed == 0 and not summary.interrupted:
                target.undone_by_run_id = run.id
        finally:
            finish_run(session, run, summary)
            session.commit()
    return summary


def _undo_track(
    session: Session,
    track: Track,
    changes: list[WriteChange],
    changed: dict[str, Any] | None,
    target: WriteRun,
    run: WriteRun,
    summary: RunSummary,
    post: EventSink,
    id3v23: bool,
) -> None:
    """Put one track's file back as it was before ``target``; a failure is counted, not raised.

    With the raw entries the run changed (``changed``), the tag comes back exactly as it
    was; runs recorded before those were kept are undone field by field.
    """
    shown = track.path_text
    try:
        keys = {track.album_key}
        moved = False
        for change in (c for c in changes if c.field == "path"):
            before, after = cell_to_path(change.before[0]), cell_to_path(change.after[0])
            if track.path == before:
                continue  # already back
            if track.path != after:
                raise MoveError(
                    "changed", f"{shown} was moved again since run {target.id}; not moved back"
                )
            move_track(session, track, before, run, exact=True)
            keys.add(track.album_key)
            moved = True
        if changed is not None:
            restored = _restore(session, track, changed, target, run)
            keys |= restored
            if not (restored or moved):
                summary.skipped += 1
                return
            session.commit()
            summary.album_keys |= keys
            file_ok(summary, post, track.id, track.path_text, "restored")
            return
        wanted = {}
        for change in (c for c in changes if c.field != "path"):
            now = current_values(track, change.field)
            if same_values(change.field, now, change.before):
                continue  # already back
            if not same_values(change.field, now, change.after):
                raise WriteError(
                    "changed",
                    f"{display_path(track.path)}: {change.field} changed since run "
                    f"{target.id}; not undone",
                )
            wanted[change.field] = list(change.before)
        if wanted:
            keys |= _write_one(session, track, wanted, run, id3v23)
        if not (wanted or moved):
            summary.skipped += 1
            return
    except FileError as exc:
        file_failed(session, summary, post, track.id, shown, exc)
        return
    session.commit()
    summary.album_keys |= keys
    file_ok(summary, post, track.id, track.path_text, "restored")


def _restore(
    session: Session, track: Track, changed: dict[str, Any], target: WriteRun, run: WriteRun
) -> set[str | None]:
    """Put back the raw tag entries ``target`` changed in ``track``'s file and record the
    undo (itself undoable); empty when the file was already as it was."""
    try:
        written = restore_file(
            track.path,
            changed,
            size=track.size,
            mtime_ns=track.mtime_ns,
            ctime_ns=track.ctime_ns,
            run=target.id,
        )
    except AlreadyRestored:
        return set()
    now = written.record.tags
    fields = [f for f in FIELD_NAMES if current_values(track, f) != list(now.get(f, []))]
    return _record(session, track, run, fields, written)
