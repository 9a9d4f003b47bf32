"""Our small MusicBrainz interface: plain frozen DTOs, a client Protocol and our errors.

Matching code depends on this module only; the one implementation today is
:mod:`libtool.musicbrainz.mbngs` (musicbrainzngs behind this interface), so the web-service
library can be swapped without touching matching.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from libtool.errors import LibtoolError

# --- errors ---------------------------------------------------------------------------------


class MusicBrainzError(LibtoolError):
    """Any failure talking to MusicBrainz; the message is one line a user can act on."""


class Unreachable(MusicBrainzError):
    """Network down, host unknown, connection refused, or timeouts/5xx after our retries."""


class RateLimited(MusicBrainzError):
    """The service kept answering 503/429 (over the rate limit) after our retries."""


class NotFound(MusicBrainzError):
    """No entity with that MBID (HTTP 404)."""


class BadResponse(MusicBrainzError):
    """The answer is not a usable MMD-2 document: garbage, truncated, wrong namespace..."""


# --- queries ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseQuery:
    """Fields of a release search; empty values are left out of the Lucene query."""

    release: str = ""
    artist: str = ""
    tracks: int | None = None  # total track count over all media
    date: str = ""  # a year or a full date
    barcode: str = ""
    catno: str = ""
    country: str = ""
    format: str = ""


@dataclass(frozen=True, slots=True)
class RecordingQuery:
    """Fields of a recording search (a singleton track)."""

    recording: str = ""
    artist: str = ""
    release: str = ""
    dur_ms: int | None = None  # searched as qdur (= dur / 2000), tolerant to a second or two
    isrc: str = ""


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArtistCredit:
    """A credit as shown ("A feat. B"), the artist ids in order, and the joined sort names."""

    text: str = ""
    artist_ids: tuple[str, ...] = ()
    sort_name: str = ""


@dataclass(frozen=True, slots=True)
class Track:
    id: str  # the release-track MBID ("" on very old data)
    position: int  # 1-based position on its medium
    number: str  # as printed: "1", "A2"...
    title: str  # the track's credited title (falls back to the recording's)
    length_ms: int | None
    recording_id: str
    artist_credit: ArtistCredit
    isrcs: tuple[str, ...] = ()
    medium_position: int = 1  # the disc number


@dataclass(frozen=True, slots=True)
class Medium:
    position: int
    format: str
    title: str
    tracks: tuple[Track, ...]

    @property
    def track_count(self) -> int:
        return len(self.tracks)


@dataclass(frozen=True, slots=True)
class Release:
    id: str
    title: str
    artist_credit: ArtistCredit
    date: str = ""
    country: str = ""
    status: str = ""
    barcode: str = ""
    release_group_id: str = ""
    primary_type: str = ""
    first_release_date: str = ""
    labels: tuple[str, ...] = ()
    label_ids: tuple[str, ...] = ()
    catalog_numbers: tuple[str, ...] = ()
    media: tuple[Medium, ...] = ()

    @property
    def tracks(self) -> tuple[Track, ...]:
        return tuple(t for m in self.media for t in m.tracks)

    @property
    def track_count(self) -> int:
        return sum(m.track_count for m in self.media)

    @property
    def artist(self) -> str:
        return self.artist_credit.text

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(m.format for m in self.media)


@dataclass(frozen=True, slots=True)
class ReleaseHit:
    """One release of a search answer: only what the search carries, plus its score."""

    id: str
    score: int  # the service's 0..100 relevance
    title: str
    artist_credit: ArtistCredit
    date: str = ""
    country: str = ""
    status: str = ""
    barcode: str = ""
    release_group_id: str = ""
    primary_type: str = ""
    labels: tuple[str, ...] = ()
    catalog_numbers: tuple[str, ...] = ()
    medium_track_counts: tuple[int, ...] = ()
    formats: tuple[str, ...] = ()

    @property
    def track_count(self) -> int:
        return sum(self.medium_track_counts)

    @property
    def artist(self) -> str:
        return self.artist_credit.text


@dataclass(frozen=True, slots=True)
class RecordingRelease:
    """A release a recording appears on (as a search or lookup answer lists it)."""

    id: str
    title: str
    date: str = ""
    country: str = ""
    status: str = ""


@dataclass(frozen=True, slots=True)
class Recording:
    id: str
    title: str
    artist_credit: ArtistCredit
    length_ms: int | None = None
    isrcs: tuple[str, ...] = ()
    releases: tuple[RecordingRelease, ...] = ()

    @property
    def artist(self) -> str:
        return self.artist_credit.text


@dataclass(frozen=True, slots=True)
class RecordingHit:
    id: str
    score: int
    title: str
    artist_credit: ArtistCredit
    length_ms: int | None = None
    isrcs: tuple[str, ...] = ()
    releases: tuple[RecordingRelease, ...] = field(default_factory=tuple)

    @property
    def artist(self) -> str:
        return self.artist_credit.text


# --- the interface ------------------------------------------------------------------------------


class MusicBrainzClient(Protocol):
    """What matching needs from MusicBrainz. Every method raises only MusicBrainzError."""

    def search_releases(self, query: ReleaseQuery, limit: int = 10) -> list[ReleaseHit]: ...

    def get_release(self, mbid: str) -> Release:
        """Lookup with recordings, artist-credits, release-groups, labels, media and isrcs."""
        ...

    def search_recordings(self, query: RecordingQuery, limit: int = 10) -> list[RecordingHit]: ...

    def get_recording(self, mbid: str) -> Recording: ...
