"""Album grouping in SQL gives exactly what the rules say, checked against a plain-Python
statement of them on random libraries (ties, case variants, compilations, disc folders,
MusicBrainz ids across folders), whole and incrementally."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from sqlalchemy import select, update

from libtool.db.albums import album_folder, album_key, rebuild_albums
from libtool.db.models import Album, Track
from libtool.db.session import Library
from tests.factories import add_tracks

FOLDERS = [b"/music/A", b"/music/B", b"/music/B/CD1", b"/music/B/CD2", b"/music/C/Disc 1"]
NAMES = ["Alpha", "alpha", "ALPHA", "Beta", "Béta"]
ARTISTS = ["P", "Q", "R"]


def reference(tracks: list[Any]) -> dict[str, tuple[Any, ...]]:
    """The grouping rules, one track at a time in the order the tracks were added."""
    groups: dict[str, list[Any]] = {}
    for t in sorted(tracks, key=lambda t: t.id):
        if t.missing or not t.album:
            continue
        key = album_key(t.path, t.album, t.mb_albumid)
        assert key is not None
        groups.setdefault(key, []).append(t)
    out = {}
    for key, members in groups.items():
        tagged = Counter(m.albumartist for m in members if m.albumartist)
        artists = {m.artist for m in members if m.artist}
        if tagged:
            albumartist = tagged.most_common(1)[0][0]
        elif len(artists) == 1:
            albumartist = next(iter(artists))
        else:
            albumartist = "Various Artists" if artists else None
        years = [m.year for m in members if m.year]
        out[key] = (
            Counter(m.album for m in members).most_common(1)[0][0],
            albumartist,
            members[0].mb_albumid,
            album_folder(members[0].path),
            min(years) if years else None,
            len(members),
            sorted(m.id for m in members),
        )
    return out


def stored(library: Library) -> dict[str, tuple[Any, ...]]:
    with library.session() as session:
        members: dict[int, list[int]] = {}
        for tid, aid in session.execute(select(Track.id, Track.album_id)):
            if aid is not None:
                members.setdefault(aid, []).append(tid)
        return {
            a.key: (
                a.album,
                a.albumartist,
                a.mb_albumid,
                a.folder,
                a.year,
                a.track_count,
                sorted(members.get(a.id, [])),
            )
            for a in session.scalars(select(Album))
        }


def random_track(rng: random.Random, n: int) -> dict[str, Any]:
    spec: dict[str, Any] = {"path": rng.choice(FOLDERS) + f"/{n}.mp3".encode()}
    if rng.random() < 0.9:
        spec["album"] = [rng.choice(NAMES)]
    if rng.random() < 0.5:
        spec["albumartist"] = [rng.choice(ARTISTS)]
    if rng.random() < 0.8:
        spec["artist"] = [rng.choice(ARTISTS)]
    if rng.random() < 0.2:
        spec["mb_albumid"] = [rng.choice(["mb-1", "mb-2"])]
    if rng.random() < 0.6:
        spec["date"] = [str(rng.choice([1990, 1991, 2005]))]
    return spec


def tracks_of(library: Library) -> list[Any]:
    with library.session() as session:
        return list(session.execute(select(Track)).scalars())


def test_a_full_regroup_follows_the_rules(library: Library) -> None:
    rng = random.Random(7)
    add_tracks(library, *(random_track(rng, n) for n in range(150)))
    with library.session() as session:
        rebuild_albums(session)  # also stores the keys the factory left empty
        session.commit()
    assert stored(library) == reference(tracks_of(library))


def test_an_incremental_regroup_follows_the_rules(library: Library) -> None:
    rng = random.Random(11)
    add_tracks(library, *(random_track(rng, n) for n in range(120)))
    with library.session() as session:
        rebuild_albums(session)
        session.commit()
    for _round in range(5):  # retag, hide and bring back some tracks, regroup what they touched
        tracks = tracks_of(library)
        touched: set[str | None] = set()
        with library.session() as session:
            for t in rng.sample(tracks, 15):
                album = rng.choice([*NAMES, None])
                missing = rng.random() < 0.3
                key = album_key(t.path, album, t.mb_albumid)
                touched |= {t.album_key, key}
                session.execute(
                    update(Track)
                    .where(Track.id == t.id)
                    .values(album=album, album_key=key, missing=missing)
                )
            rebuild_albums(session, touched)
            session.commit()
        assert stored(library) == reference(tracks_of(library))
