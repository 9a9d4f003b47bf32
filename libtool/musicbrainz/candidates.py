"""The request plan: which MusicBrainz requests find one album's (or track's) candidates.

As Picard does it, not beets: files that carry ``mb_albumid`` cost one lookup and
no search; otherwise one release search, every hit scored from the search answer
alone, and full lookups only for the hits that can still win, the most promising
first, stopping as soon as one is a strong match. A further lookup is made only for a
hit that could still be strong (``best_case_distance``): one that cannot would never
be applied unasked, so it stays a search hit, looked up if a reviewer picks it. That is
two requests for most albums (beets makes up to six). Lone tracks cost one recording
search (or one lookup when they carry ``mb_recordingid``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from libtool.events import NEVER, CancelToken
from libtool.musicbrainz.client import (
    MusicBrainzClient,
    NotFound,
    Recording,
    RecordingHit,
    ReleaseHit,
)
from libtool.musicbrainz.distance import Distance, Weights
from libtool.musicbrainz.match import (
    AlbumMatch,
    LocalAlbum,
    LocalTrack,
    Preferences,
    Recommendation,
    Thresholds,
    best_case_distance,
    choose_lookups,
    rank,
    recommend,
    recording_query,
    release_query,
    score_hit,
    score_recording,
    score_release,
)

SEARCH_LIMIT = 10  # hits scored per search (one request whatever the number)
LOOKUP_MARGIN = 0.08  # a hit this close to the best cheap distance may still win
LOOKUP_CAP = 2  # full lookups per album at most


@dataclass(slots=True)
class AlbumCandidates:
    """Everything one album's requests found: looked-up matches (full score, best first)
    and the other search hits (cheap score from the search answer, best first)."""

    album: LocalAlbum
    matches: list[AlbumMatch] = field(default_factory=list)
    hits: list[tuple[ReleaseHit, Distance]] = field(default_factory=list)
    cheap: dict[str, Distance] = field(default_factory=dict)  # release id -> search score
    requests: int = 0
    recommendation: Recommendation = Recommendation.none


@dataclass(slots=True)
class TrackCandidates:
    """One lone track's recordings, scored, best first."""

    track: LocalTrack
    recordings: list[tuple[Recording | RecordingHit, Distance]] = field(default_factory=list)
    requests: int = 0
    recommendation: Recommendation = Recommendation.none


def find_album(
    client: MusicBrainzClient,
    album: LocalAlbum,
    *,
    prefs: Preferences | None = None,
    thresholds: Thresholds | None = None,
    weights: Weights | None = None,
    cancel: CancelToken = NEVER,
) -> AlbumCandidates:
    """Search, score and look up; raises only ``MusicBrainzError`` (and ``Cancelled``)."""
    th = thresholds or Thresholds()
    found = AlbumCandidates(album)
    if album.mb_albumid:
        try:
            found.requests += 1
            release = client.get_release(album.mb_albumid)
        except NotFound:
            pass  # a merged or deleted release: search as if the files had no id
        else:
            found.matches = [score_release(album, release, prefs, weights)]
            found.recommendation = recommend(found.matches, th)
            return found
    cancel.check()
    found.requests += 1
    hits = client.search_releases(release_query(album), limit=SEARCH_LIMIT)
    scored = [(hit, score_hit(album, hit, prefs, weights)) for hit in hits]
    found.cheap = {hit.id: dist for hit, dist in scored}
    worth = choose_lookups(scored, margin=LOOKUP_MARGIN, cap=LOOKUP_CAP)
    looked_up: set[str] = set()
    for hit in worth:
        if found.matches:
            if rank(found.matches)[0].distance.distance < th.strong:
                break  # already certain: the next lookup could only confirm it
            if best_case_distance(album, found.cheap[hit.id], prefs, weights) >= th.strong:
                continue  # could not be applied unasked even with perfect tracks
        cancel.check()
        found.requests += 1
        found.matches.append(score_release(album, client.get_release(hit.id), prefs, weights))
        looked_up.add(hit.id)
    found.matches = rank(found.matches)
    found.hits = sorted(
        ((h, d) for h, d in scored if h.id not in looked_up),
        key=lambda pair: (pair[1].distance, pair[0].id),
    )
    found.recommendation = recommend(found.matches, th)
    return found


def find_track(
    client: MusicBrainzClient,
    track: LocalTrack,
    *,
    thresholds: Thresholds | None = None,
    weights: Weights | None = None,
    cancel: CancelToken = NEVER,
) -> TrackCandidates:
    """A recording lookup (the file's ``mb_recordingid``) or one recording search."""
    found = TrackCandidates(track)
    recordings: Sequence[Recording | RecordingHit] = ()
    if track.mb_recordingid:
        try:
            found.requests += 1
            recordings = [client.get_recording(track.mb_recordingid)]
        except NotFound:
            recordings = ()
    if not recordings:
        cancel.check()
        found.requests += 1
        recordings = client.search_recordings(recording_query(track), limit=SEARCH_LIMIT)
    found.recordings = sorted(
        ((r, score_recording(track, r, weights)) for r in recordings),
        key=lambda pair: (pair[1].distance, pair[0].id),
    )
    found.recommendation = recommend_track(found.recordings, thresholds)
    return found


def recommend_track(
    scored: Sequence[tuple[Recording | RecordingHit, Distance]],
    thresholds: Thresholds | None = None,
) -> Recommendation:
    """The album rule for a lone track; the same recording under other ids is no rival,
    but any other recording within ``tie`` of the best makes a strong best only medium."""
    th = thresholds or Thresholds()
    if not scored:
        return Recommendation.none
    best = scored[0][1].distance
    runner = scored[1][1].distance if len(scored) > 1 else None
    if best < th.strong:
        if runner is not None and runner - best < th.tie:
            return Recommendation.medium
        return Recommendation.strong
    if best <= th.medium:
        return Recommendation.medium
    if runner is None or runner - best >= th.gap:
        return Recommendation.low
    return Recommendation.none
