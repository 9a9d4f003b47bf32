"""Proposals as plain JSON, and the rule for applying one without asking.

A proposal keeps every candidate as JSON (what it is, its score and named
breakdown, how the files were assigned to its tracks, and the values it would set),
so it can be stored, explained and reviewed later without a request. Storing and
accepting them is ``libtool.changes.proposals``' job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from libtool.musicbrainz.candidates import AlbumCandidates, TrackCandidates
from libtool.musicbrainz.client import Recording, RecordingHit, Release, ReleaseHit, Track
from libtool.musicbrainz.distance import Distance
from libtool.musicbrainz.match import AlbumMatch, Recommendation, proposed_changes

SOURCE = "musicbrainz"
AUTO_GAP = 5.0  # score points a match must lead any other album by to be applied unasked
KEEP_HITS = 5  # search hits kept besides the looked-up candidates

PENDING, APPLIED, SKIPPED, NO_MATCH, UNCHANGED = (
    "pending",
    "applied",
    "skipped",
    "no_match",
    "unchanged",
)
STATUSES = (PENDING, APPLIED, SKIPPED, NO_MATCH, UNCHANGED)
#: statuses a new run leaves alone unless asked to redo them
SETTLED = frozenset({APPLIED, SKIPPED})


# --- candidates as JSON ------------------------------------------------------------------


def _changes_json(values: dict[int, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    return {str(tid): fields for tid, fields in values.items()}


def _candidate(kind: str, id_: str, title: str, artist: str, **facts: Any) -> dict[str, Any]:
    """One candidate's JSON: what it is, then its score (``score``/``distance``/
    ``breakdown`` from ``_scored``); every key present, empty where it does not apply."""
    base: dict[str, Any] = {
        "kind": kind,
        "id": id_,
        "title": title,
        "artist": artist,
        "date": "",
        "country": "",
        "formats": [],
        "status": "",
        "type": "",
        "release_group_id": "",
        "track_count": 0,
        "media_count": 0,
        "labels": [],
        "catalog_numbers": [],
        "barcode": "",
        "looked_up": True,
        "tracks": [],
        "unmatched": [],
        "missing": [],
        "changes": {},
    }
    base.update(facts)
    return base


def _scored(dist: Distance, search: Distance | None) -> dict[str, Any]:
    return {
        "score": dist.score,
        "search_score": search.score if search is not None else None,
        "distance": round(dist.distance, 6),
        "breakdown": dist.breakdown(),
    }


def _release_facts(rel: Release | ReleaseHit, media_count: int) -> dict[str, Any]:
    return {
        "date": rel.date,
        "country": rel.country,
        "formats": list(rel.formats),
        "status": rel.status,
        "type": rel.primary_type,
        "release_group_id": rel.release_group_id,
        "track_count": rel.track_count,
        "media_count": media_count,
        "labels": list(rel.labels),
        "catalog_numbers": list(rel.catalog_numbers),
        "barcode": rel.barcode,
    }


def _track_json(match: AlbumMatch, tid: int, t: Track) -> dict[str, Any]:
    dist = match.track_distances.get(tid)
    return {
        "track_id": tid,
        "disc": t.medium_position,
        "position": t.position,
        "number": t.number,
        "title": t.title,
        "artist": t.artist_credit.text,
        "length_ms": t.length_ms,
        "score": dist.score if dist is not None else None,
        "breakdown": dist.breakdown() if dist is not None else [],
    }


def release_candidate(match: AlbumMatch, cheap: Distance | None = None) -> dict[str, Any]:
    """A looked-up release; ``cheap`` is its score from the search answer, if searched."""
    rel = match.release
    by_position = sorted(
        match.mapping.items(), key=lambda kv: (kv[1].medium_position, kv[1].position)
    )
    return _candidate(
        "release",
        rel.id,
        rel.title,
        rel.artist,
        **_release_facts(rel, len(rel.media)),
        **_scored(match.distance, cheap),
        tracks=[_track_json(match, tid, t) for tid, t in by_position],
        unmatched=sorted(t.track_id for t in match.unmatched_local),
        missing=[
            {"disc": t.medium_position, "position": t.position, "title": t.title}
            for t in match.unmatched_mb
        ],
        changes=_changes_json(proposed_changes(match)),
    )


def hit_candidate(hit: ReleaseHit, dist: Distance) -> dict[str, Any]:
    """A search hit, scored from the search answer; accepting it looks it up first."""
    return _candidate(
        "release",
        hit.id,
        hit.title,
        hit.artist,
        **_release_facts(hit, len(hit.medium_track_counts)),
        **_scored(dist, dist),
        looked_up=False,
    )


def recording_changes(recording: Recording | RecordingHit) -> dict[str, list[str]]:
    """What a lone track takes from its recording: title, artist, ids, a sole ISRC."""
    values: dict[str, list[str]] = {}
    for name, value in (
        ("title", [recording.title]),
        ("artist", [recording.artist]),
        ("mb_recordingid", [recording.id]),
        ("mb_artistid", list(recording.artist_credit.artist_ids)),
        ("artistsort", [recording.artist_credit.sort_name]),
        ("isrc", list(recording.isrcs) if len(recording.isrcs) == 1 else []),
    ):
        kept = [v for v in value if v and v.strip()]
        if kept:
            values[name] = kept
    return values


def recording_candidate(
    track_id: int, recording: Recording | RecordingHit, dist: Distance
) -> dict[str, Any]:
    release = recording.releases[0] if recording.releases else None
    return _candidate(
        "recording",
        recording.id,
        recording.title,
        recording.artist,
        date=release.date if release else "",
        country=release.country if release else "",
        track_count=1,
        release=release.title if release else "",
        length_ms=recording.length_ms,
        **_scored(dist, dist),
        changes={str(track_id): recording_changes(recording)},
    )


def album_candidates(found: AlbumCandidates) -> list[dict[str, Any]]:
    out = [release_candidate(m, found.cheap.get(m.release.id)) for m in found.matches]
    out += [hit_candidate(h, d) for h, d in found.hits[:KEEP_HITS]]
    return out


def track_candidates(found: TrackCandidates) -> list[dict[str, Any]]:
    tid = found.track.track_id
    return [recording_candidate(tid, r, d) for r, d in found.recordings[: KEEP_HITS + 1]]


def _gap(best: dict[str, Any], others: Sequence[dict[str, Any]]) -> float | None:
    """Like with like: full scores when another candidate was looked up too, else the
    scores both got from the search answer. None when there is no other candidate."""
    full = [c["score"] for c in others if c.get("looked_up")]
    if full and best.get("looked_up"):
        return round(best["score"] - max(full), 1)
    mine = best.get("search_score")
    cheap = [c["search_score"] for c in others if c.get("search_score") is not None]
    if mine is None or not cheap:
        return None
    return round(mine - max(cheap), 1)


def gap_of(candidates: Sequence[dict[str, Any]]) -> float | None:
    """Score points between the best candidate and the runner-up (None when alone)."""
    return _gap(candidates[0], candidates[1:]) if candidates else None


def rival_gap(candidates: Sequence[dict[str, Any]]) -> float | None:
    """The gap to the best candidate that is another album (another release group;
    another recording for a lone track). None when there is none."""
    if not candidates:
        return None
    best = candidates[0]
    group = best.get("release_group_id") or ""
    rivals = [
        c
        for c in candidates[1:]
        if c["id"] != best["id"] and (not group or c.get("release_group_id") != group)
    ]
    return _gap(best, rivals)


def should_auto_apply(
    candidates: Sequence[dict[str, Any]], recommendation: Recommendation, min_score: float
) -> bool:
    """Only a clear match is applied without asking: a strong recommendation, a score of at
    least ``min_score``, looked up in full, and ``AUTO_GAP`` points ahead of any other album."""
    if recommendation < Recommendation.strong or not candidates:
        return False
    best = candidates[0]
    gap = rival_gap(candidates)
    return bool(
        best["looked_up"] and best["score"] >= min_score and (gap is None or gap >= AUTO_GAP)
    )
