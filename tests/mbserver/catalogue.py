"""The test server's data: releases, their media, tracks and recordings.

A :class:`Catalogue` is plain frozen dataclasses, loaded from JSON
(``catalogue.json`` beside this module is the default) or built from dicts of
the same shape, so a benchmark can generate thousands of releases with
:func:`generate_releases` and hand them to :meth:`Catalogue.from_dicts`.

Dict shape of one release (keys not shown are optional)::

    {"id": MBID, "title": str,
     "artist_credit": [{"id": MBID, "name": str, "sort_name": str, "joinphrase": str,
                        "artist_name": str (the artist's own name if credited otherwise)}],
     "date": "YYYY[-MM[-DD]]", "country": "GB", "status": "Official", "barcode": str,
     "disambiguation": str, "packaging": str, "language": "eng", "script": "Latn",
     "release_group": {"id": MBID, "title": str, "primary_type": "Album",
                       "secondary_types": [str], "first_release_date": str},
     "label_info": [{"label_id": MBID, "name": str, "catalog_number": str}],
     "media": [{"position": 1, "format": "CD", "title": str,
                "tracks": [{"id": MBID, "position": 1, "number": "1", "title": str,
                            "length": ms, "artist_credit": [...],
                            "recording": {"id": MBID, "title": str, "length": ms,
                                          "artist_credit": [...], "isrcs": [str]}}]}]}

A track's ``artist_credit`` defaults to its recording's, a recording's to the
release's; a recording's ``title``/``length`` default to the track's. The same
recording id may appear on several releases (it must then carry the same data).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).resolve().with_name("catalogue.json")
VARIOUS_ARTISTS_ID = "89ad4ac3-39f7-470e-963a-56509c546377"
_TEST_NS = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # uuid.NAMESPACE_URL


def fake_mbid(*parts: object) -> str:
    """A stable, invented MBID for test data (uuid5 of ``libtool-test:parts``)."""
    return str(uuid.uuid5(_TEST_NS, "libtool-test:" + "/".join(map(str, parts))))


@dataclass(frozen=True)
class NameCredit:
    """One artist of a credit. ``name`` is the name as credited; ``artist_name``
    is the artist's own name when the credit differs (empty: same)."""

    artist_id: str
    name: str
    sort_name: str
    joinphrase: str = ""
    artist_name: str = ""

    @property
    def real_name(self) -> str:
        return self.artist_name or self.name


ArtistCredit = tuple[NameCredit, ...]


def credit_phrase(credit: ArtistCredit) -> str:
    """The credit as one string, the way musicbrainzngs' ``artist-credit-phrase`` joins it."""
    return "".join(nc.name + nc.joinphrase for nc in credit)


@dataclass(frozen=True)
class Recording:
    id: str
    title: str
    length: int | None
    artist_credit: ArtistCredit
    isrcs: tuple[str, ...] = ()
    disambiguation: str = ""


@dataclass(frozen=True)
class Track:
    id: str
    position: int
    number: str
    title: str
    length: int | None
    artist_credit: ArtistCredit
    recording: Recording


@dataclass(frozen=True)
class Medium:
    position: int
    tracks: tuple[Track, ...]
    format: str = ""
    title: str = ""


@dataclass(frozen=True)
class ReleaseGroup:
    id: str
    title: str
    primary_type: str = ""
    secondary_types: tuple[str, ...] = ()
    first_release_date: str = ""


@dataclass(frozen=True)
class LabelInfo:
    label_id: str
    name: str
    catalog_number: str = ""


@dataclass(frozen=True)
class Release:
    id: str
    title: str
    artist_credit: ArtistCredit
    release_group: ReleaseGroup
    media: tuple[Medium, ...]
    date: str = ""
    country: str = ""
    status: str = ""
    barcode: str = ""
    disambiguation: str = ""
    packaging: str = ""
    language: str = ""
    script: str = ""
    label_info: tuple[LabelInfo, ...] = ()

    @property
    def track_count(self) -> int:
        return sum(len(m.tracks) for m in self.media)

    @property
    def tracks(self) -> list[Track]:
        return [t for m in self.media for t in m.tracks]


@dataclass
class Catalogue:
    """Everything the server knows. ``recordings`` holds every recording of every
    release plus standalone ones; ``releases_of`` maps a recording id to the ids
    of the releases it appears on (in catalogue order)."""

    releases: dict[str, Release] = field(default_factory=dict)
    recordings: dict[str, Recording] = field(default_factory=dict)
    releases_of: dict[str, list[str]] = field(default_factory=dict)

    def add_release(self, release: Release) -> None:
        if release.id in self.releases:
            raise ValueError(f"duplicate release id {release.id}")
        self.releases[release.id] = release
        for track in release.tracks:
            rec = track.recording
            known = self.recordings.setdefault(rec.id, rec)
            if known != rec:
                raise ValueError(f"recording {rec.id} differs between releases")
            self.releases_of.setdefault(rec.id, []).append(release.id)

    def add_recording(self, recording: Recording) -> None:
        known = self.recordings.setdefault(recording.id, recording)
        if known != recording:
            raise ValueError(f"recording {recording.id} already present with other data")

    @classmethod
    def from_dicts(
        cls, releases: Iterable[Mapping[str, Any]], recordings: Iterable[Mapping[str, Any]] = ()
    ) -> Catalogue:
        cat = cls()
        for data in releases:
            cat.add_release(release_from_dict(data))
        for data in recordings:
            cat.add_recording(_recording(data, (), None))
        return cat

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PATH) -> Catalogue:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls.from_dicts(data.get("releases", []), data.get("recordings", []))

    @classmethod
    def default(cls) -> Catalogue:
        """The hand-written catalogue shipped beside this module."""
        return cls.load(DEFAULT_PATH)

    def extend(self, releases: Iterable[Mapping[str, Any]]) -> Catalogue:
        """Add releases given as dicts (e.g. from :func:`generate_releases`); returns self."""
        for data in releases:
            self.add_release(release_from_dict(data))
        return self

    def releases_for_recording(self, recording_id: str) -> list[Release]:
        return [self.releases[r] for r in self.releases_of.get(recording_id, [])]


def _credit(data: Sequence[Mapping[str, Any]] | None, default: ArtistCredit) -> ArtistCredit:
    if data is None:
        return default
    return tuple(
        NameCredit(
            artist_id=c["id"],
            name=c["name"],
            sort_name=c.get("sort_name", c["name"]),
            joinphrase=c.get("joinphrase", ""),
            artist_name=c.get("artist_name", ""),
        )
        for c in data
    )


def _recording(
    data: Mapping[str, Any], default_credit: ArtistCredit, track: Mapping[str, Any] | None
) -> Recording:
    track = track or {}
    return Recording(
        id=data["id"],
        title=data.get("title", track.get("title", "")),
        length=data.get("length", track.get("length")),
        artist_credit=_credit(data.get("artist_credit"), default_credit),
        isrcs=tuple(data.get("isrcs", ())),
        disambiguation=data.get("disambiguation", ""),
    )


def release_from_dict(data: Mapping[str, Any]) -> Release:
    credit = _credit(data["artist_credit"], ())
    rg = data.get("release_group") or {"id": fake_mbid("rg", data["id"])}
    media = []
    for m_index, m in enumerate(data.get("media", []), start=1):
        tracks = []
        for t_index, t in enumerate(m.get("tracks", []), start=1):
            rec = _recording(t["recording"], credit, t)
            tracks.append(
                Track(
                    id=t.get("id") or fake_mbid("track", data["id"], m_index, t_index),
                    position=int(t.get("position", t_index)),
                    number=str(t.get("number", t_index)),
                    title=t.get("title", rec.title),
                    length=t.get("length", rec.length),
                    artist_credit=_credit(t.get("artist_credit"), rec.artist_credit),
                    recording=rec,
                )
            )
        media.append(
            Medium(
                position=int(m.get("position", m_index)),
                tracks=tuple(tracks),
                format=m.get("format", ""),
                title=m.get("title", ""),
            )
        )
    return Release(
        id=data["id"],
        title=data["title"],
        artist_credit=credit,
        release_group=ReleaseGroup(
            id=rg["id"],
            title=rg.get("title", data["title"]),
            primary_type=rg.get("primary_type", ""),
            secondary_types=tuple(rg.get("secondary_types", ())),
            first_release_date=rg.get("first_release_date", data.get("date", "")),
        ),
        media=tuple(media),
        date=data.get("date", ""),
        country=data.get("country", ""),
        status=data.get("status", ""),
        barcode=data.get("barcode", ""),
        disambiguation=data.get("disambiguation", ""),
        packaging=data.get("packaging", ""),
        language=data.get("language", ""),
        script=data.get("script", ""),
        label_info=tuple(
            LabelInfo(
                label_id=li.get("label_id") or fake_mbid("label", li["name"]),
                name=li["name"],
                catalog_number=li.get("catalog_number", ""),
            )
            for li in data.get("label_info", [])
        ),
    )


_WORDS = (  # noqa: SIM905
    "blue glass harbour night ferry winter radio static orchard lantern coast salt river "
    "paper boats tidal clock lowlands estuary needle drop groove basement machine vega "
    "sirius deneb cubic flux vista city signal echo hollow amber iron velvet ghost"
).split()
_FORMATS = ("CD", "Digital Media", '12" Vinyl', "Cassette")
_COUNTRIES = ("GB", "US", "DE", "JP", "XW", "FR", "SE")


def generate_releases(
    count: int, seed: int = 0, *, tracks: tuple[int, int] = (6, 14)
) -> list[dict]:
    """``count`` deterministic synthetic releases (dicts for :meth:`Catalogue.from_dicts`).

    Titles and artist names are drawn from a small word list, so titles repeat
    across artists the way real ones do; ids are stable for a given seed."""
    rng = random.Random(seed)
    artists = []
    for a in range(max(1, count // 3)):
        name = " ".join(rng.choice(_WORDS).title() for _ in range(rng.randint(1, 3)))
        artists.append({"id": fake_mbid("gen-artist", seed, a), "name": name, "sort_name": name})
    out = []
    for i in range(count):
        rid = fake_mbid("gen-release", seed, i)
        artist = rng.choice(artists)
        title = " ".join(rng.choice(_WORDS).title() for _ in range(rng.randint(1, 4)))
        year = rng.randint(1960, 2024)
        n_discs = 2 if rng.random() < 0.1 else 1
        media = []
        for d in range(1, n_discs + 1):
            media.append(
                {
                    "position": d,
                    "format": rng.choice(_FORMATS),
                    "tracks": [
                        {
                            "id": fake_mbid("gen-track", seed, i, d, t),
                            "position": t,
                            "number": str(t),
                            "title": " ".join(
                                rng.choice(_WORDS).title() for _ in range(rng.randint(1, 4))
                            ),
                            "length": rng.randint(60_000, 420_000),
                            "recording": {"id": fake_mbid("gen-recording", seed, i, d, t)},
                        }
                        for t in range(1, rng.randint(*tracks) + 1)
                    ],
                }
            )
        out.append(
            {
                "id": rid,
                "title": title,
                "artist_credit": [artist],
                "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "country": rng.choice(_COUNTRIES),
                "status": "Official",
                "barcode": f"{rng.randrange(10**12):012d}",
                "release_group": {
                    "id": fake_mbid("gen-rg", seed, i),
                    "primary_type": rng.choice(("Album", "Album", "EP", "Single")),
                },
                "label_info": [{"name": "Generated Records", "catalog_number": f"GEN-{i:05d}"}],
                "media": media,
            }
        )
    return out
