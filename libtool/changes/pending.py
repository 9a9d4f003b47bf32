"""Pending changes, writing them, the history of writes, and undo.

Edits from any source (``mlib modify``, CSV import, the TUI, MusicBrainz
proposals) are stored as pending changes and touch no file. ``write_pending``
writes them through ``libtool.tags.write``; every successful file write records each
field's before and after values in a run, which ``undo`` can reverse (an undo
is itself a run, so it can be undone too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from libtool.changes.organise import MoveError, move_track
from libtool.changes.runs import Reporter, RunSummary, file_failed, finish_run, quiet, start_run
from libtool.db.models import PendingChange, Track, WriteChange, WriteRun
from libtool.db.rows import track_values
from libtool.db.session import Library
from libtool.errors import FileError, UsageError
from libtool.pathutil import cell_to_path, display_path
from libtool.tags.fields import FIELD_BY_NAME, Kind, parse_bool, parse_float, parse_int, split_multi
from libtool.tags.fields import same_values as fields_same_values
from libtool.tags.formats.base import clean
from libtool.tags.write import WriteError, write_tags


@dataclass(frozen=True)
class FieldChange:
    track_id: int
    path_text: str
    field: str
    old: list[str]
    new: list[str]


def parse_value(name: str, text: str) -> list[str]:
    """Values typed by a person for one field, validated; raises UsageError."""
    spec = FIELD_BY_NAME.get(name)
    if spec is None:
        raise UsageError(f"unknown field {name!r}")
    values = split_multi(spec, text.strip() if spec.kind is not Kind.TEXT else text)
    if not values:
        return []
    value = values[0].strip()
    if spec.kind is Kind.INT:
        number = parse_int(value)
        if number is None or not value.isdigit():
            raise UsageError(f"{name} must be a whole number, not {value!r}")
        return [str(number)]
    if spec.kind is Kind.FLOAT:
        if parse_float(value) is None:
            raise UsageError(f"{name} must be a number, not {value!r}")
        return [value]
    if spec.kind is Kind.BOOL:
        flag = parse_bool(value)
        if flag is None:
            raise UsageError(f"{name} must be 1/0 (true/false), not {value!r}")
        return ["1" if flag else "0"]
    return values


def same_values(name: str, a: list[str], b: list[str]) -> bool:
    return fields_same_values(FIELD_BY_NAME[name], clean(a), clean(b))


def current_values(track: Track, name: str) -> list[str]:
    """A field's values as the file holds them (pending changes not applied)."""
    return list((track.tags or {}).get(name, []))


def effective_values(track: Track, name: str, pending: dict[str, list[str]]) -> list[str]:
    return pending[name] if name in pending else current_values(track, name)


def pending_by_track(session: Session, track_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    out: dict[int, dict[str, list[str]]] = {}
    ids = list(track_ids)
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(PendingChange).where(PendingChange.track_id.in_(ids[start : start + 500]))
        )
        for row in rows:
            out.setdefault(row.track_id, {})[row.field] = list(row.new_values)
    return out


def diff_changes(
    session: Session, tracks: Iterable[Track], changes: dict[str, list[str]]
) -> list[FieldChange]:
    """What ``changes`` would change on ``tracks``, against their pending state."""
    tracks = list(tracks)
    pending = pending_by_track(session, (t.id for t in tracks))
    diffs = []
    for track in tracks:
        mine = pending.get(track.id, {})
        for name, new in changes.items():
            old = effective_values(track, name, mine)
            if not same_values(name, old, new):
                diffs.append(FieldChange(track.id, track.path_text, name, old, new))
    return diffs


def stage(session: Session, diffs: Iterable[FieldChange], source: str) -> int:
    """Record diffs as pending changes (a change back to the file's value drops the pending one)."""
    count = 0
    for diff in diffs:
        track = session.get(Track, diff.track_id)  # the identity map makes repeats free
        session.execute(
            delete(PendingChange).where(
                PendingChange.track_id == diff.track_id, PendingChange.field == diff.field
            )
        )
        if track is not None and same_values(
            diff.field, current_values(track, diff.field), diff.new
        ):
            continue
        session.add(
            PendingChange(
                track_id=diff.track_id, field=diff.field, new_values=diff.new, source=source
            )
        )
        count += 1
    session.commit()
    return count


def pending_changes(session: Session, where: ColumnElement[bool]) -> list[FieldChange]:
    rows = session.execute(
        select(PendingChange, Track)
        .join(Track, Track.id == PendingChange.track_id)
        .where(where)
        .order_by(Track.path_text, PendingChange.field)
    ).all()
    return [
        FieldChange(t.id, t.path_text, p.field, current_values(t, p.field), list(p.new_values))
        for p, t in rows
    ]


def discard(session: Session, where: ColumnElement[bool]) -> int:
    ids = select(Track.id).where(where)
    result = session.execute(delete(PendingChange).where(PendingChange.track_id.in_(ids)))
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _write_one(
    session: Session, track: Track, changes: dict[str, list[str]], run: WriteRun, id3v23: bool
) -> set[str | None]:
    """Write one file and record its history; raises WriteError and leaves the DB as it was.

    Returns the album keys the track left and joined, for regrouping.
    """
    record = write_tags(
        track.path,
        changes,
        size=track.size,
        mtime_ns=track.mtime_ns,
        ctime_ns=track.ctime_ns,
        id3v23=id3v23,
    )
    written = record.get("tags", {})
    for name in changes:
        session.add(  # 'after' is what the file holds now (v2.3 joins multi-values with '/')
            WriteChange(
                run_id=run.id,
                track_id=track.id,
                path=track.path,
                field=name,
                before=current_values(track, name),
                after=list(written.get(name, [])),
            )
        )
    values = track_values(track.path, record)
    session.execute(update(Track), [dict(values, id=track.id)])
    session.execute(
        delete(PendingChange).where(
            PendingChange.track_id == track.id, PendingChange.field.in_(list(changes))
        )
    )
    return {track.album_key, values["album_key"]}


def write_pending(
    library: Library,
    where: ColumnElement[bool],
    *,
    id3v23: bool = False,
    report: Reporter | None = None,
) -> RunSummary:
    """Write the pending changes of matching tracks to their files, one file at a time."""
    say = report or quiet
    summary = RunSummary()
    with library.exclusive("write"), library.session() as session:
        tracks = session.scalars(
            select(Track)
            .where(where, Track.id.in_(select(PendingChange.track_id)))
            .order_by(Track.path_text)
        ).all()
        if not tracks:
            return summary
        pending = pending_by_track(session, (t.id for t in tracks))
        run = start_run(session, "write")
        summary.run_id = run.id
        try:
            for track in tracks:
                try:
                    keys = _write_one(session, track, pending[track.id], run, id3v23)
                except WriteError as exc:
                    file_failed(session, summary, say, track.path_text, exc.message)
                    continue
                session.commit()
                summary.ok += 1
                summary.album_keys |= keys
                say("ok", track.path_text, ", ".join(sorted(pending[track.id])))
        finally:  # also on Ctrl-C: what was written is recorded and can be undone
            finish_run(session, run, summary)
    return summary


def undo(
    library: Library,
    run_id: int | None = None,
    *,
    id3v23: bool = False,
    report: Reporter | None = None,
) -> RunSummary:
    """Put back the values a run replaced (tags and paths), with the same safety as a write."""
    say = report or quiet
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
        run = start_run(session, "undo", undoes=target.id)
        summary.run_id = run.id
        try:
            for track_id, track_changes in by_track.items():
                track = session.get(Track, track_id)
                if track is not None:
                    _undo_track(session, track, track_changes, target, run, summary, say, id3v23)
            if summary.failed == 0:
                target.undone_by_run_id = run.id
        finally:
            finish_run(session, run, summary)
    return summary


def _undo_track(
    session: Session,
    track: Track,
    changes: list[WriteChange],
    target: WriteRun,
    run: WriteRun,
    summary: RunSummary,
    say: Reporter,
    id3v23: bool,
) -> None:
    """Put one track's file back as it was before ``target``; a failure is counted, not raised."""
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
        file_failed(session, summary, say, shown, exc.message)
        return
    session.commit()
    summary.ok += 1
    summary.album_keys |= keys
    say("ok", track.path_text, "restored")
