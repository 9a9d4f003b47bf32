"""Pure matching of local albums and tracks against MusicBrainz answers.

No I/O here: callers pass plain dataclasses built from the library and DTOs from a
:class:`~libtool.musicbrainz.client.MusicBrainzClient`. The request plan per album is
Picard's: one search scored cheaply from the search answer (``score_hit``), then full
lookups only for the hits that can still win (``choose_lookups``: usually one), scored in
full (``score_release``). An album whose files already carry ``mb_albumid`` needs no search.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped, unused-ignore]

from libtool.musicbrainz.client import (
    Recording,
    RecordingHit,
    RecordingQuery,
    Release,
    ReleaseHit,
    ReleaseQuery,
    Track,
)
from libtool.musicbrainz.distance import Distance, Weights
from libtool.musicbrainz.normalise import light, normalise

LENGTH_GRACE_S = 5.0  # a length this close costs nothing
LENGTH_SPAN_S = 30.0  # beyond the grace, the penalty reaches 1 after this many seconds
YEAR_SPAN = 10
UNMATCHED_COST = 0.6  # a file stays unassigned rather than take a track this far from it
#: titles that say nothing (players and rippers write them for unknown tracks)
PLACEHOLDER_TITLE = re.compile(
    r"^\s*(track|piste|titel|title|pista|untitled|unknown)?\s*[-_#]?\s*\d{0,3}\s*$",
    re.IGNORECASE,
)
NO_LABEL = {"[no label]", "no label", "[none]", "none", "-"}
VARIOUS = {"various artists", "various", "va", "verschiedene interpreten", "multiple artists"}


# --- local data -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocalTrack:
    track_id: int
    title: str = ""
    artist: str = ""
    album: str = ""
    albumartist: str = ""
    track: int | None = None
    tracktotal: int | None = None
    disc: int | None = None
    disctotal: int | None = None
    length_s: float | None = None
    date: str = ""
    mb_recordingid: str = ""
    mb_albumid: str = ""
    mb_releasetrackid: str = ""
    isrc: str = ""
    barcode: str = ""
    catalognumber: str = ""
    label: str = ""
    path: str = ""  # the file name; its stem stands in for a missing title

    @property
    def year(self) -> int | None:
        return year_of(self.date)

    @property
    def display_title(self) -> str:
        """The title, or the file name without extension and leading track number; empty
        when both are placeholders such as "Track 07"."""
        if self.title.strip() and not PLACEHOLDER_TITLE.match(self.title):
            return self.title
        if not self.path:
            return ""
        stem = PurePath(self.path).stem
        name = re.sub(r"^\s*\d{1,3}\s*[-._ ]\s*", "", stem).replace("_", " ").strip()
        return "" if PLACEHOLDER_TITLE.match(name) else name


@dataclass(frozen=True, slots=True)
class LocalAlbum:
    key: str
    tracks: Sequence[LocalTrack]
    album: str = ""
    albumartist: str = ""
    year: int | None = None
    barcode: str = ""
    catno: str = ""
    label: str = ""
    mb_albumid: str = ""

    @classmethod
    def from_tracks(cls, key: str, tracks: Sequence[LocalTrack]) -> LocalAlbum:
        """Album-level values as the most common non-empty value among the tracks."""
        years = [t.year for t in tracks if t.year is not None]
        return cls(
            key=key,
            tracks=list(tracks),
            album=_common(t.album for t in tracks),
            albumartist=_common(t.albumartist for t in tracks),
            year=Counter(years).most_common(1)[0][0] if years else None,
            barcode=_common(t.barcode for t in tracks),
            catno=_common(t.catalognumber for t in tracks),
            label=_common(t.label for t in tracks),
            mb_albumid=_common(t.mb_albumid for t in tracks),
        )

    @property
    def artist(self) -> str:
        """The album artist, else the artist most tracks share (at least half of them)."""
        if self.albumartist.strip():
            return self.albumartist
        return _common((t.artist for t in self.tracks), quorum=0.5)

    @property
    def expected_track_count(self) -> int:
        """The track count the tags claim (sum of per-disc totals), at least the file count."""
        totals: dict[int, int] = {}
        for t in self.tracks:
            if t.tracktotal:
                totals[t.disc or 1] = max(totals.get(t.disc or 1, 0), t.tracktotal)
        discs = {t.disc or 1 for t in self.tracks}
        claimed = sum(totals.values()) if totals and discs <= set(totals) else 0
        return max(claimed, len(self.tracks))


def _common(values: Iterable[str], quorum: float = 0.0) -> str:
    items = [v.strip() for v in values]
    present = [v for v in items if v]
    if not present:
        return ""
    value, count = Counter(present).most_common(1)[0]
    return value if count >= quorum * len(items) else ""


def year_of(date: str | None) -> int | None:
    match = re.match(r"\s*(\d{4})", date or "")
    return int(match.group(1)) if match else None


def _digits(value: str) -> str:
    """A barcode compared as digits with leading zeros dropped (UPC-A vs EAN-13)."""
    return re.sub(r"\D", "", value).lstrip("0")


def _catno(value: str) -> str:
    return re.sub(r"[\s\-_./]", "", value).casefold()


# --- preferences ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Preferences:
    """Near-tie breakers, each its own small named component (``pref_*`` in Weights)."""

    countries: Sequence[str] = ()  # e.g. ["GB", "XE", "US"]: earlier is better
    media: Sequence[str] = ()  # e.g. ["CD", "Digital Media"]
    types: Sequence[str] = ()  # e.g. ["Album", "EP"]
    original_over_reissue: bool = False  # prefer the release dated as its group's first


def _add_preferences(
    dist: Distance,
    prefs: Preferences,
    country: str,
    formats: Sequence[str],
    primary_type: str,
    date: str,
    first_date: str,
) -> None:
    if prefs.countries:
        dist.add_priority("pref_country", country, prefs.countries)
    if prefs.media:
        dist.add_priority("pref_media", [f for f in formats if f], prefs.media)
    if prefs.types:
        dist.add_priority("pref_type", primary_type, prefs.types)
    if prefs.original_over_reissue and date and first_date:
        dist.add_expr("pref_original", year_of(date) != year_of(first_date))


# --- queries ------------------------------------------------------------------------------


def release_query(album: LocalAlbum) -> ReleaseQuery:
    return ReleaseQuery(
        release=light(album.album),
        artist=light(album.artist),
        tracks=album.expected_track_count or None,
        date=str(album.year) if album.year else "",
        barcode=album.barcode.strip(),
        catno=album.catno.strip(),
    )


def recording_query(track: LocalTrack) -> RecordingQuery:
    return RecordingQuery(
        recording=light(track.display_title),
        artist=light(track.artist or track.albumartist),
        release=light(track.album),
        dur_ms=None if track.length_s is None else round(track.length_s * 1000),
        isrc=track.isrc.strip(),
    )


# --- album-level pieces shared by the cheap and the full score ---------------------------


def _artist_penalty_add(dist: Distance, local: str, remote: str) -> None:
    if normalise(local) in VARIOUS and normalise(remote) in VARIOUS:
        dist.add("artist", 0.0)
    else:
        dist.add_string("artist", local, remote, missing=None)


def _add_identifiers(
    dist: Distance, album: LocalAlbum, mbid: str, barcode: str, catnos: Sequence[str]
) -> None:
    if album.mb_albumid:
        dist.add_expr("album_id", album.mb_albumid.strip().lower() != mbid)
    if album.barcode and barcode and _digits(album.barcode) and _digits(barcode):
        dist.add_bool("barcode", _digits(album.barcode), _digits(barcode))
    if album.catno and catnos:
        dist.add_expr("catalognumber", _catno(album.catno) not in {_catno(c) for c in catnos})


def _add_year(dist: Distance, local: int | None, date: str, first_date: str = "") -> None:
    year, first = year_of(date), year_of(first_date)
    if local is None or year is None:
        return
    penalty = min(abs(local - year) / YEAR_SPAN, 1.0)
    if first is not None and local == first:  # tags carry the original year: fine
        penalty = min(penalty, 0.1)
    dist.add("year", penalty)


def _count_penalty(local: int, remote: int) -> float:
    return min(abs(local - remote) / max(local / 2, 1.0), 1.0)


def score_hit(
    album: LocalAlbum,
    hit: ReleaseHit,
    prefs: Preferences | None = None,
    weights: Weights | None = None,
) -> Distance:
    """A cheap distance from the search answer alone (no lookup)."""
    prefs = prefs or Preferences()
    dist = Distance(weights)
    dist.add_string("album", album.album, hit.title, missing=None)
    _artist_penalty_add(dist, album.artist, hit.artist)
    if hit.medium_track_counts:
        dist.add("track_count", _count_penalty(album.expected_track_count, hit.track_count))
    _add_year(dist, album.year, hit.date)
    _add_identifiers(dist, album, hit.id, hit.barcode, hit.catalog_numbers)
    if album.label and hit.labels:
        dist.add("label", min(_string(album.label, lab) for lab in hit.labels))
    dist.add("service_score", 1.0 - max(0, min(hit.score, 100)) / 100.0)
    _add_preferences(dist, prefs, hit.country, hit.formats, hit.primary_type, hit.date, "")
    return dist


def choose_lookups(
    scored: Sequence[tuple[ReleaseHit, Distance]], margin: float = 0.08, cap: int = 2
) -> list[ReleaseHit]:
    """The hits worth a full lookup: the best by cheap distance, and those within ``margin``
    of it, at most ``cap`` (so ~1 search + ~1 lookup per album)."""
    if not scored or cap < 1:
        return []
    ranked = sorted(scored, key=lambda pair: (pair[1].distance, -pair[0].score))
    best = ranked[0][1].distance
    return [hit for hit, dist in ranked if dist.distance <= best + margin][:cap]


#: components a full score judges afresh from the lookup (or only there): a search hit's
#: penalties for them say nothing certain about its full score
_RESCORED = frozenset({"service_score", "track_count", "year"})


def best_case_distance(
    album: LocalAlbum,
    hit_distance: Distance,
    prefs: Preferences | None = None,
    weights: Weights | None = None,
) -> float:
    """The least full distance a search hit could reach once looked up, a lower bound of
    ``score_release``: what the search answer already settles (album title, artist, ids,
    label) as it is, the rest (track count, year, and every component only the full score
    has) at no cost, with every file matching a track perfectly."""
    w = weights or Weights()
    prefs = prefs or Preferences()
    names = {c.name for c in hit_distance.components}
    settled = [c for c in hit_distance.components if c.name not in _RESCORED]
    raw = sum(c.weight * c.penalty for c in settled)
    total = sum(c.weight for c in hit_distance.components if c.name != "service_score")
    total += w.tracks * len(album.tracks) + w.mediums
    for name, present in (
        ("album_id", album.mb_albumid),
        ("barcode", album.barcode),
        ("catalognumber", album.catno),
        ("label", album.label),
        ("pref_original", prefs.original_over_reissue),
    ):
        if present and name not in names:
            total += w.get(name)
    return raw / total if total else 0.0


def _string(a: str, b: str) -> float:
    d = Distance()
    d.add_string("album", a, b)
    return d.components[0].penalty if d.components else 0.0


# --- full release score ---------------------------------------------------------------------


@dataclass(slots=True)
class AlbumMatch:
    """One release scored against one local album."""

    release: Release
    distance: Distance
    mapping: dict[int, Track]  # LocalTrack.track_id -> the MB track it was assigned
    unmatched_local: list[LocalTrack]  # extra files (bonus tracks, other albums)
    unmatched_mb: list[Track]  # missing tracks
    track_distances: dict[int, Distance] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return self.distance.score

    def breakdown(self) -> list[dict[str, Any]]:
        return self.distance.breakdown()

    def track_breakdowns(self) -> dict[int, list[dict[str, Any]]]:
        return {tid: d.breakdown() for tid, d in self.track_distances.items()}


def track_distance(
    local: LocalTrack,
    track: Track,
    absolute_index: int | None = None,
    album_artist: str = "",
    weights: Weights | None = None,
) -> Distance:
    """How far a file is from one MB track: title, artist, length, position, ids."""
    dist = Distance(weights)
    # an untitled file costs half: its position and length still say where it belongs
    dist.add_string("track_title", local.display_title, track.title, missing=0.5)
    # The track artist only says something when it is not just the album artist again.
    la, ra = normalise(local.artist), normalise(track.artist_credit.text)
    if la and ra and not la == ra == normalise(album_artist):
        dist.add_string("track_artist", local.artist, track.artist_credit.text)
    _add_length(dist, local.length_s, track.length_ms)
    if local.track is not None:
        dist.add_expr("track_index", local.track not in {track.position, absolute_index})
    if local.disc is not None:
        dist.add_expr("disc_index", local.disc != track.medium_position)
    _add_track_ids(dist, local, track.recording_id, track.id, track.isrcs)
    return dist


def _add_length(dist: Distance, length_s: float | None, length_ms: int | None) -> None:
    if length_s is None or length_ms is None:
        return
    over = abs(length_s - length_ms / 1000.0) - LENGTH_GRACE_S
    dist.add("track_length", min(max(over, 0.0) / LENGTH_SPAN_S, 1.0))


def _add_track_ids(
    dist: Distance,
    local: LocalTrack,
    recording_id: str,
    releasetrack_id: str,
    isrcs: Sequence[str],
) -> None:
    if local.mb_releasetrackid and releasetrack_id:
        dist.add_expr("track_id", local.mb_releasetrackid.strip().lower() != releasetrack_id)
    elif local.mb_recordingid and recording_id:
        dist.add_expr("track_id", local.mb_recordingid.strip().lower() != recording_id)
    if local.isrc and isrcs:
        dist.add_expr("isrc", local.isrc.strip().upper() not in {i.upper() for i in isrcs})


def assign_tracks(
    locals_: Sequence[LocalTrack],
    tracks: Sequence[Track],
    distances: Sequence[Sequence[float]],
    unmatched_cost: float = UNMATCHED_COST,
) -> dict[int, int]:
    """Optimal file -> track assignment (row index -> column index) minimising the summed
    track distance; each file may instead stay unassigned at ``unmatched_cost``."""
    n, m = len(locals_), len(tracks)
    if not n or not m:
        return {}
    cost = np.full((n, m + n), unmatched_cost, dtype=float)
    cost[:, :m] = np.asarray(distances, dtype=float)
    rows, cols = linear_sum_assignment(cost)
    return {int(r): int(c) for r, c in zip(rows, cols, strict=True) if c < m}


def score_release(
    album: LocalAlbum,
    release: Release,
    prefs: Preferences | None = None,
    weights: Weights | None = None,
) -> AlbumMatch:
    """The full weighted distance of a looked-up release, with files assigned to tracks."""
    prefs = prefs or Preferences()
    weights = weights or Weights()
    tracks = list(release.tracks)
    locals_ = list(album.tracks)
    album_artist = album.artist or release.artist
    pair_dists = [
        [track_distance(lt, t, index + 1, album_artist, weights) for index, t in enumerate(tracks)]
        for lt in locals_
    ]
    assignment = assign_tracks(locals_, tracks, [[d.distance for d in row] for row in pair_dists])

    dist = Distance(weights)
    dist.add_string("album", album.album, release.title, missing=None)
    _artist_penalty_add(dist, album.artist, release.artist)
    _add_identifiers(dist, album, release.id, release.barcode, release.catalog_numbers)
    _add_year(dist, album.year, release.date, release.first_release_date)
    if album.label and release.labels:
        dist.add("label", min(_string(album.label, lab) for lab in release.labels))
    dist.add("track_count", _count_penalty(len(locals_), release.track_count))
    disctotals = [t.disctotal for t in locals_ if t.disctotal]
    if disctotals:
        dist.add_bool("mediums", Counter(disctotals).most_common(1)[0][0], len(release.media))

    mapping: dict[int, Track] = {}
    track_distances: dict[int, Distance] = {}
    for row, col in sorted(assignment.items()):
        local = locals_[row]
        mapping[local.track_id] = tracks[col]
        track_distances[local.track_id] = pair_dists[row][col]
        dist.add("tracks", pair_dists[row][col].distance)
    assigned = set(assignment.values())
    unmatched_mb = [t for i, t in enumerate(tracks) if i not in assigned]
    unmatched_local = [lt for i, lt in enumerate(locals_) if i not in assignment]
    for _ in unmatched_mb:
        dist.add("missing_tracks", 1.0)
    for _ in unmatched_local:
        dist.add("unmatched_tracks", 1.0)
    _add_preferences(
        dist,
        prefs,
        release.country,
        release.formats,
        release.primary_type,
        release.date,
        release.first_release_date,
    )
    return AlbumMatch(release, dist, mapping, unmatched_local, unmatched_mb, track_distances)


# --- recommendation -------------------------------------------------------------------------


class Recommendation(enum.IntEnum):
    """How sure the best candidate is (ordered: compare with ``>=``)."""

    none = 0
    low = 1
    medium = 2
    strong = 3


@dataclass(frozen=True, slots=True)
class Thresholds:
    strong: float = 0.04  # best distance below this: apply without asking
    medium: float = 0.25  # below this: propose, ask
    gap: float = 0.25  # a poor best still counts as low when this far ahead of the runner-up
    tie: float = 0.01  # strong needs the runner-up (another release group) this far behind


def rank(matches: Iterable[AlbumMatch]) -> list[AlbumMatch]:
    return sorted(matches, key=lambda m: (m.distance.distance, m.release.id))


def recommend(
    matches: Sequence[AlbumMatch], thresholds: Thresholds | None = None
) -> Recommendation:
    """beets' rule: strong below ``strong``, medium up to ``medium``; otherwise low when the
    best is alone or ``gap`` ahead of the runner-up, else none. A strong best whose
    runner-up from another release group is within ``tie`` is only medium (two different
    albums cannot both be certain)."""
    th = thresholds or Thresholds()
    ranked = rank(matches)
    if not ranked:
        return Recommendation.none
    best = ranked[0]
    best_d = best.distance.distance
    rivals = [
        m
        for m in ranked[1:]
        if not best.release.release_group_id
        or m.release.release_group_id != best.release.release_group_id
    ]
    if best_d < th.strong:
        if rivals and rivals[0].distance.distance - best_d < th.tie:
            return Recommendation.medium
        return Recommendation.strong
    if best_d <= th.medium:
        return Recommendation.medium
    if len(ranked) == 1 or ranked[1].distance.distance - best_d >= th.gap:
        return Recommendation.low
    return Recommendation.none


# --- what to write ------------------------------------------------------------------------


def _put(out: dict[str, list[str]], name: str, value: str | Iterable[str] | int | None) -> None:
    if value is None:
        return
    values = [str(value)] if isinstance(value, str | int) else [str(v) for v in value]
    values = [v for v in values if v.strip()]
    if values:
        out[name] = values


def proposed_changes(match: AlbumMatch) -> dict[int, dict[str, list[str]]]:
    """Canonical field values for every assigned file, from its release and track (values
    as given by MusicBrainz; lists for multi-valued fields; empty values left out). The
    caller diffs them against the library to show only real changes."""
    rel = match.release
    media = {m.position: m for m in rel.media}
    out: dict[int, dict[str, list[str]]] = {}
    for track_id, track in match.mapping.items():
        medium = media.get(track.medium_position)
        values: dict[str, list[str]] = {}
        _put(values, "title", track.title)
        _put(values, "artist", track.artist_credit.text)
        _put(values, "album", rel.title)
        _put(values, "albumartist", rel.artist_credit.text)
        _put(values, "track", track.position)
        _put(values, "tracktotal", medium.track_count if medium else None)
        _put(values, "disc", track.medium_position)
        _put(values, "disctotal", len(rel.media) if rel.media else None)
        _put(values, "date", rel.date)
        _put(values, "originaldate", rel.first_release_date)
        _put(values, "label", [v for v in rel.labels if v.strip().casefold() not in NO_LABEL])
        _put(
            values,
            "catalognumber",
            [v for v in rel.catalog_numbers if v.strip().casefold() not in NO_LABEL],
        )
        _put(values, "barcode", rel.barcode)
        _put(values, "isrc", track.isrcs)
        _put(values, "mb_recordingid", track.recording_id)
        _put(values, "mb_releasetrackid", track.id)
        _put(values, "mb_albumid", rel.id)
        _put(values, "mb_releasegroupid", rel.release_group_id)
        _put(values, "mb_artistid", track.artist_credit.artist_ids)
        _put(values, "mb_albumartistid", rel.artist_credit.artist_ids)
        _put(values, "artistsort", track.artist_credit.sort_name)
        _put(values, "albumartistsort", rel.artist_credit.sort_name)
        _put(values, "releasecountry", rel.country)
        _put(values, "releasetype", rel.primary_type.lower())
        _put(values, "releasestatus", rel.status.lower())
        _put(values, "media", medium.format if medium else None)
        out[track_id] = values
    return out


# --- singletons -----------------------------------------------------------------------------


def score_recording(
    track: LocalTrack, recording: Recording | RecordingHit, weights: Weights | None = None
) -> Distance:
    """A file alone against a recording: title, artist, length, ISRC, existing id."""
    dist = Distance(weights)
    dist.add_string("track_title", track.display_title, recording.title)
    dist.add_string(
        "track_artist", track.artist or track.albumartist, recording.artist, missing=None
    )
    _add_length(dist, track.length_s, recording.length_ms)
    if track.mb_recordingid:
        dist.add_expr("track_id", track.mb_recordingid.strip().lower() != recording.id)
    if track.isrc and recording.isrcs:
        dist.add_expr(
            "isrc", track.isrc.strip().upper() not in {i.upper() for i in recording.isrcs}
        )
    return dist
