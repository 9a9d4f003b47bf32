"""Plain values that cross the service boundary: frozen, detached from any session.

A TUI worker thread can hold these for as long as it likes; nothing here can
lazy-load from a closed session. Kept free of SQLAlchemy, so front ends can
import the types without paying for the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from libtool.changes.values import FieldChange

__all__ = [
    "AlbumArtistRow",
    "AlbumRow",
    "BreakdownRow",
    "CandidateTrack",
    "CandidateView",
    "EditPlan",
    "EnrichResult",
    "ErrorRow",
    "FieldChange",
    "ImportResult",
    "ProposalDetail",
    "ProposalRow",
    "RootRow",
    "RunChangeRow",
    "RunResult",
    "RunRow",
    "TrackDetail",
    "TrackPage",
    "TrackRow",
]

#: A keyset cursor: the sort values of the last row seen, then its id.
SortKey = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class TrackRow:
    """One track of a listing: its id and the requested column values (``path`` as a cell)."""

    id: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TrackPage:
    """A page of a listing. ``after`` continues it (None: this was the last page);
    ``total`` is the number of matches when it was asked for."""

    rows: tuple[TrackRow, ...]
    after: SortKey | None
    total: int | None = None


@dataclass(frozen=True, slots=True)
class AlbumRow:
    id: int
    album: str
    albumartist: str | None
    year: int | None
    track_count: int
    mb_albumid: str | None
    folder: str


@dataclass(frozen=True, slots=True)
class AlbumArtistRow:
    name: str | None  # None: albums with no album artist at all
    albums: int


@dataclass(frozen=True, slots=True)
class ErrorRow:
    path: str
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class TrackDetail:
    """Everything known about one track, for a detail pane or ``mlib show``."""

    id: int
    path: str
    fields: dict[str, list[str]]  # canonical field -> values as the file holds them
    file: dict[str, Any]  # size, format, codec, bitrate, sample rate, length...
    extras: dict[str, Any]  # every other tag key
    pending: tuple[FieldChange, ...]
    errors: tuple[ErrorRow, ...]
    album_id: int | None
    missing: bool


@dataclass(frozen=True, slots=True)
class RootRow:
    path: str
    tracks: int
    last_scan_at: datetime | None


@dataclass(frozen=True, slots=True)
class RunRow:
    id: int
    kind: str
    started_at: datetime
    files_ok: int
    files_failed: int
    undoes_run_id: int | None
    undone_by_run_id: int | None


@dataclass(frozen=True, slots=True)
class RunChangeRow:
    track_id: int | None
    path: str
    field: str
    before: list[str]
    after: list[str]


@dataclass(frozen=True, slots=True)
class EditPlan:
    """What a set of edits would change: ``matched`` tracks, the ``diffs`` among them."""

    matched: int
    diffs: tuple[FieldChange, ...]
    refused: tuple[str, ...] = ()  # tracks whose files cannot hold the changes, and why

    @property
    def tracks(self) -> int:
        return len({d.track_id for d in self.diffs})


@dataclass(frozen=True, slots=True)
class RunResult:
    """A write, undo or move run. ``run_id`` is None when there was nothing to do."""

    run_id: int | None
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    interrupted: bool = False
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportResult:
    """An edited CSV: the changes it holds, the bad rows, and how many were staged."""

    diffs: tuple[FieldChange, ...]
    errors: tuple[str, ...]
    rows: int
    bad_rows: int
    staged: int | None = None  # None: nothing was staged (a dry run, or bad rows)
    notes: tuple[str, ...] = field(default=())


# --- MusicBrainz enrichment ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """One named component of a score: its mean penalty (0..1), weight, and share of the
    distance (the shares add up to ``1 - score/100``)."""

    name: str
    penalty: float
    weight: float
    contribution: float


@dataclass(frozen=True, slots=True)
class CandidateTrack:
    """Which MusicBrainz track a file was assigned to, and how well it fits."""

    track_id: int
    path: str
    disc: int
    position: int
    title: str
    artist: str
    length_ms: int | None
    score: float | None
    breakdown: tuple[BreakdownRow, ...]


@dataclass(frozen=True, slots=True)
class CandidateView:
    """One candidate release (or recording, for a lone track) of a proposal."""

    index: int
    kind: str  # release | recording
    id: str
    title: str
    artist: str
    date: str
    country: str
    formats: tuple[str, ...]
    track_count: int
    score: float
    looked_up: bool  # False: scored from the search answer only; accepting looks it up
    breakdown: tuple[BreakdownRow, ...]
    tracks: tuple[CandidateTrack, ...] = ()
    missing: tuple[str, ...] = ()  # MusicBrainz tracks no file was assigned to
    unmatched: tuple[str, ...] = ()  # files assigned to no track (paths)
    diffs: tuple[FieldChange, ...] = ()  # current -> proposed, only real changes


@dataclass(frozen=True, slots=True)
class ProposalRow:
    id: int
    kind: str  # album | track
    label: str  # what the files say
    status: str  # pending | applied | skipped | no_match | unchanged
    recommendation: str  # strong | medium | low | none
    score: float | None
    gap: float | None
    track_count: int
    best: str  # "Title - Artist (date, country)" of the best candidate, or ""
    message: str
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProposalDetail:
    row: ProposalRow
    candidates: tuple[CandidateView, ...]
    chosen: int | None


@dataclass(frozen=True, slots=True)
class EnrichResult:
    """Counts of one ``enrich`` run; ``stopped`` says why it ended early (unreachable...)."""

    groups: int = 0
    applied: int = 0
    proposed: int = 0
    unchanged: int = 0
    no_match: int = 0
    failed: int = 0
    skipped_settled: int = 0
    requests: int = 0
    cache_hits: int = 0
    cancelled: bool = False
    stopped: str | None = None
    proposal_ids: tuple[int, ...] = ()  # the proposals this run stored (none on a dry run)
