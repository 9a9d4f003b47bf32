"""An in-memory MusicBrainzClient and small DTO builders, for tests of the request plan and
the proposals that need no HTTP. The fake records every call, so a test can say exactly
which requests a plan made."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from libtool.musicbrainz.client import (
    ArtistCredit,
    Medium,
    NotFound,
    Recording,
    RecordingHit,
    RecordingQuery,
    Release,
    ReleaseHit,
    ReleaseQuery,
    Track,
)
from libtool.musicbrainz.match import LocalAlbum, LocalTrack

CREDIT = ArtistCredit("Marrow Lane", ("artist-1",), "Lane, Marrow")
SONGS: tuple[tuple[str, float], ...] = (
    ("Low Water", 201.0),
    ("Salt Marsh", 245.0),
    ("The Long Pier", 187.0),
    ("Fog Signal", 312.0),
    ("Tide Tables", 156.0),
)


def release(
    rid: str = "rel-1",
    *,
    title: str = "Tidewater Sessions",
    credit: ArtistCredit = CREDIT,
    songs: Sequence[tuple[str, float]] = SONGS,
    group: str = "",
    date: str = "2019-04-05",
) -> Release:
    tracks = tuple(
        Track(
            id=f"{rid}-t{n}",
            position=n,
            number=str(n),
            title=name,
            length_ms=round(seconds * 1000),
            recording_id=f"{rid}-rec{n}",
            artist_credit=credit,
        )
        for n, (name, seconds) in enumerate(songs, 1)
    )
    return Release(
        id=rid,
        title=title,
        artist_credit=credit,
        date=date,
        country="GB",
        status="Official",
        release_group_id=group or f"{rid}-group",
        primary_type="Album",
        first_release_date=date,
        media=(Medium(1, "CD", "", tracks),),
    )


def hit_of(rel: Release, score: int = 100) -> ReleaseHit:
    """The release as a search answer carries it."""
    return ReleaseHit(
        id=rel.id,
        score=score,
        title=rel.title,
        artist_credit=rel.artist_credit,
        date=rel.date,
        country=rel.country,
        status=rel.status,
        release_group_id=rel.release_group_id,
        primary_type=rel.primary_type,
        medium_track_counts=tuple(m.track_count for m in rel.media),
        formats=rel.formats,
    )


def local_tracks(
    songs: Sequence[tuple[str, float]] = SONGS,
    *,
    album: str = "Tidewater Sessions",
    artist: str = "Marrow Lane",
    first_id: int = 1,
    **extra: object,
) -> list[LocalTrack]:
    return [
        LocalTrack(
            track_id=first_id + n - 1,
            title=name,
            artist=artist,
            album=album,
            albumartist=artist,
            track=n,
            tracktotal=len(songs),
            length_s=seconds + 0.4,
            date="2019",
            path=f"/music/{artist}/{album}/{n:02d} {name}.flac",
            **extra,  # type: ignore[arg-type]
        )
        for n, (name, seconds) in enumerate(songs, 1)
    ]


def local_album(tracks: Sequence[LocalTrack] | None = None) -> LocalAlbum:
    tracks = local_tracks() if tracks is None else tracks
    return LocalAlbum.from_tracks(",".join(str(t.track_id) for t in tracks), tracks)


def recording_hit(rid: str, title: str, artist: str = "Marrow Lane", **kw: object) -> RecordingHit:
    return RecordingHit(
        id=rid,
        score=100,
        title=title,
        artist_credit=ArtistCredit(artist, (f"{artist}-id",), artist),
        **kw,  # type: ignore[arg-type]
    )


@dataclass
class FakeClient:
    """A MusicBrainzClient over dicts: releases by id, canned search answers, and a log
    of every call as ``(method, argument)``."""

    releases: dict[str, Release] = field(default_factory=dict)
    release_hits: list[ReleaseHit] = field(default_factory=list)
    recordings: dict[str, Recording] = field(default_factory=dict)
    recording_hits: list[RecordingHit] = field(default_factory=list)
    calls: list[tuple[str, object]] = field(default_factory=list)

    @classmethod
    def serving(cls, *releases: Release, scores: Sequence[int] = ()) -> FakeClient:
        """Every release both searchable (in this order) and lookable-up."""
        scores = list(scores) or [100 - 5 * i for i in range(len(releases))]
        return cls(
            releases={r.id: r for r in releases},
            release_hits=[hit_of(r, s) for r, s in zip(releases, scores, strict=True)],
        )

    def methods(self) -> list[str]:
        return [name for name, _ in self.calls]

    def search_releases(self, query: ReleaseQuery, limit: int = 10) -> list[ReleaseHit]:
        self.calls.append(("search_releases", query))
        return self.release_hits[:limit]

    def get_release(self, mbid: str) -> Release:
        self.calls.append(("get_release", mbid))
        try:
            return self.releases[mbid]
        except KeyError:
            raise NotFound(f"no release {mbid}") from None

    def search_recordings(self, query: RecordingQuery, limit: int = 10) -> list[RecordingHit]:
        self.calls.append(("search_recordings", query))
        return self.recording_hits[:limit]

    def get_recording(self, mbid: str) -> Recording:
        self.calls.append(("get_recording", mbid))
        try:
            return self.recordings[mbid]
        except KeyError:
            raise NotFound(f"no recording {mbid}") from None
