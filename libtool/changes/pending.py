"""Pending changes, writing them, the history of writes, and undo.

Edits from any source (``mlib modify``, CSV import, the TUI, MusicBrainz
proposals) are stored as pending changes and touch no file. ``write_pending``
writes them through ``libtool.tags.write``; every successful file write records each
field's before and after values in a run, which ``undo`` can reverse (an undo
is itself a run, so it can be undone too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from libtool.changes.values import FieldChange
from libtool.db.models import PendingChange, Track
from libtool.errors import UsageError
from libtool.tags.fields import FIELD_BY_NAME, Kind, parse_bool, parse_float, parse_int, split_multi
from libtool.tags.fields import same_values as fields_same_values
from libtool.tags.formats.base import clean


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


def pending_rows(session: Session, track_ids: Iterable[int]) -> dict[int, list[PendingChange]]:
    out: dict[int, list[PendingChange]] = {}
    ids = list(track_ids)
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(PendingChange).where(PendingChange.track_id.in_(ids[start : start + 500]))
        )
        for row in rows:
            out.setdefault(row.track_id, []).append(row)
    return out


def pending_by_track(session: Session, track_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    return {
        track_id: {row.field: list(row.new_values) for row in rows}
        for track_id, rows in pending_rows(session, track_ids).items()
    }


def staged_against(track: Track, change: PendingChange) -> list[str] | None:
    """The values ``change`` was staged against, when the file holds others now."""
    base = change.base_values
    if base is None or same_values(change.field, current_values(track, change.field), base):
        return None
    return list(base)


#: Formats whose files have no place for tags (mutagen reads their streams only).
UNTAGGABLE_FORMATS = frozenset({"AAC", "AC3", "MIDI"})


def cannot_hold_tags(track: Track) -> str | None:
    """Why edits to ``track`` could never be written, or None when they can be."""
    if track.format in UNTAGGABLE_FORMATS:
        return f"{track.format} files cannot hold tags"
    return None


def diff_changes(
    session: Session, tracks: Iterable[Track], changes: dict[str, list[str]]
) -> list[FieldChange]:
    """What ``changes`` would change on ``tracks``, against their pending state."""
    tracks = list(tracks)
    return diff_each(session, tracks, {t.id: changes for t in tracks})


def diff_each(
    session: Session, tracks: Iterable[Track], changes: Mapping[int, dict[str, list[str]]]
) -> list[FieldChange]:
    """What each track's own ``changes[track.id]`` would change, against its pending
    state (one query for the pending changes of all of them)."""
    tracks = list(tracks)
    pending = pending_by_track(session, (t.id for t in tracks))
    diffs = []
    for track in tracks:
        if cannot_hold_tags(track):
            continue  # never staged: they could not be written (see cannot_hold_tags)
        mine = pending.get(track.id, {})
        for name, new in changes.get(track.id, {}).items():
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
                track_id=diff.track_id,
                field=diff.field,
                new_values=diff.new,
                base_values=current_values(track, diff.field) if track is not None else None,
                source=source,
            )
        )
        count += 1
    session.flush()
    return count


def pending_changes(session: Session, where: ColumnElement[bool]) -> list[FieldChange]:
    rows = session.execute(
        select(PendingChange, Track)
        .join(Track, Track.id == PendingChange.track_id)
        .where(where)
        .order_by(Track.path_text, PendingChange.field)
    ).all()
    return [
        FieldChange(
            t.id,
            t.path_text,
            p.field,
            current_values(t, p.field),
            list(p.new_values),
            staged_against(t, p),
        )
        for p, t in rows
    ]


def discard(session: Session, where: ColumnElement[bool], field: str | None = None) -> int:
    """Drop the pending changes of matching tracks (only ``field``'s, when given)."""
    ids = select(Track.id).where(where)
    stmt = delete(PendingChange).where(PendingChange.track_id.in_(ids))
    if field is not None:
        stmt = stmt.where(PendingChange.field == field)
    result = session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
