"""Storing proposals and accepting them as pending changes.

Accepting a candidate stages its values as pending changes (source
``musicbrainz``) through the editing core, in the caller's transaction with
marking the proposal applied; ``mlib write`` writes them and ``mlib undo``
reverts them like any other edit. These helpers never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from libtool.changes import pending
from libtool.changes.values import FieldChange
from libtool.db.models import Proposal, Track, utcnow
from libtool.musicbrainz.grouping import Group
from libtool.musicbrainz.match import Recommendation
from libtool.musicbrainz.proposals import (
    APPLIED,
    NO_MATCH,
    PENDING,
    SETTLED,
    SOURCE,
    gap_of,
)
from libtool.tags.fields import FIELD_NAMES

# --- storing -----------------------------------------------------------------------------


def find(session: Session, key: str) -> Proposal | None:
    return session.scalar(select(Proposal).where(Proposal.track_key == key))


def settled_keys(session: Session) -> set[str]:
    rows = session.scalars(select(Proposal.track_key).where(Proposal.status.in_(SETTLED)))
    return set(rows)


def store(
    session: Session,
    group: Group,
    candidates: list[dict[str, Any]],
    recommendation: Recommendation,
    message: str | None = None,
) -> Proposal:
    """Insert or refresh the proposal of ``group`` (as pending review, or no match), and
    drop unsettled proposals of other groupings of the same tracks (album rows regroup)."""
    ids = set(group.track_ids)
    # only ids and track ids: loading every proposal's candidates (tens of KB of JSON
    # each) made a run over N albums cost O(N^2) decoding
    others = session.execute(
        select(Proposal.id, Proposal.track_ids).where(
            Proposal.status.not_in(SETTLED), Proposal.track_key != group.key
        )
    )
    stale = [pid for pid, track_ids in others if ids.intersection(track_ids)]
    if stale:
        session.execute(delete(Proposal).where(Proposal.id.in_(stale)))
    row = find(session, group.key)
    if row is None:
        row = Proposal(track_key=group.key, track_ids=sorted(ids), created_at=utcnow())
        session.add(row)
    row.kind = group.kind
    row.label = group.label
    row.candidates = candidates
    row.recommendation = recommendation.name
    row.score = candidates[0]["score"] if candidates else None
    row.gap = gap_of(candidates)
    row.status = PENDING if candidates else NO_MATCH
    row.chosen = None
    row.message = message
    row.updated_at = utcnow()
    session.flush()
    return row


# --- what a candidate would change -------------------------------------------------------


def candidate_values(candidate: dict[str, Any]) -> dict[int, dict[str, list[str]]]:
    """The candidate's values per track id, only fields this library knows."""
    out: dict[int, dict[str, list[str]]] = {}
    for tid, values in (candidate.get("changes") or {}).items():
        out[int(tid)] = {k: list(v) for k, v in values.items() if k in FIELD_NAMES}
    return out


def candidate_diffs(session: Session, candidate: dict[str, Any]) -> list[FieldChange]:
    """Current (pending edits included) -> proposed values, only what would change, for
    the candidate's tracks that are still in the library and can hold tags."""
    values = candidate_values(candidate)
    if not values:
        return []
    tracks = session.scalars(
        select(Track).where(Track.id.in_(list(values)), Track.missing.is_(False))
    ).all()
    return pending.diff_each(session, sorted(tracks, key=lambda t: t.path_text), values)


def accept(session: Session, proposal: Proposal, index: int) -> int:
    """Stage candidate ``index``'s changes and mark the proposal applied (one transaction:
    the caller's). Returns how many changes are now pending from it."""
    if not 0 <= index < len(proposal.candidates):
        raise IndexError(index)
    candidate = proposal.candidates[index]
    count = pending.stage(session, candidate_diffs(session, candidate), SOURCE)
    proposal.status = APPLIED
    proposal.chosen = index
    proposal.updated_at = utcnow()
    session.flush()
    return count


def mark(session: Session, proposals: Iterable[Proposal], status: str) -> None:
    for p in proposals:
        p.status = status
        p.updated_at = utcnow()
    session.flush()
