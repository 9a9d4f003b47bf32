"""Album grouping in SQL gives exactly what the rules say, checked against a plain-Python
statement of them on random libraries (ties, case variants, compilations, disc folders,
MusicBrainz ids across folders), whole and incrementally, and after a scan's writer has
stored tracks with their (provisional) albums."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import event, select, update

import libtool.scan.scanner as scan_mod
from libtool.db.albums import album_folder, album_key, rebuild_albums
from libtool.db.models import Album, Root, Track
from libtool.db.rows import scan_row
from libtool.db.session import Library
from libtool.scan.walk import ScanSummary
from libtool.tags.read import typed_columns
from libtool.tags.record import TrackRecord
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


# --------------------------------------------------------------------------- the scan's writer


def record_of(spec: dict[str, Any]) -> TrackRecord:
    raw = {k: v for k, v in spec.items() if k != "path"}
    return TrackRecord(
        size=1,
        mtime_ns=1,
        ctime_ns=1,
        format="MP3",
        codec=None,
        length=None,
        bitrate=None,
        sample_rate=None,
        channels=None,
        bits_per_sample=None,
        tag_format=None,
        has_picture=False,
        tags=raw,
        extras={},
        **typed_columns(raw),
    )


def assert_linked(library: Library) -> None:
    """What a reader sees between two batches: every present track with an album is in
    the album of its key, and each album counts the present tracks in it."""
    with library.session() as session:
        keys: dict[int, str] = {
            aid: key for aid, key in session.execute(select(Album.id, Album.key))
        }
        counted: Counter[int] = Counter()
        for key, aid, missing in session.execute(
            select(Track.album_key, Track.album_id, Track.missing)
        ):
            if not missing and key is not None:
                assert aid is not None and keys[aid] == key
                counted[aid] += 1
        for aid, count in session.execute(select(Album.id, Album.track_count)):
            assert count == counted[aid]


@pytest.fixture
def album_writes(library: Library) -> list[int]:
    """Every track whose album_id a statement rewrote, from the time this is used."""
    rewritten: list[int] = []

    def arm(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.create_function("rewritten", 1, lambda tid: rewritten.append(tid))
        dbapi_conn.execute(
            "CREATE TEMP TRIGGER IF NOT EXISTS album_written AFTER UPDATE OF album_id ON "
            "tracks BEGIN SELECT rewritten(NEW.id); END"
        )

    library.engine.dispose()  # a TEMP trigger lives in its connection: give each new one its own
    event.listen(library.engine, "connect", arm)
    return rewritten


@pytest.mark.parametrize("kept", [scan_mod.ALBUM_IDS_KEPT, 2])
def test_a_scan_stores_tracks_in_their_albums_and_the_regroup_follows_the_rules(
    library: Library, monkeypatch: pytest.MonkeyPatch, album_writes: list[int], kept: int
) -> None:
    """Tracks written by the scan's writer (new, retagged, moved to another album, out of
    every album), a few per batch: after every batch each track is in its album and the
    albums count their tracks; after the regroup the albums are those of the rules, and
    the regroup rewrote no track the writer had already put in the right album. With
    ``kept`` 2 the writer forgets album ids all the time, and looks them up again."""
    monkeypatch.setattr(scan_mod, "BATCH", 7)
    monkeypatch.setattr(scan_mod, "ALBUM_IDS_KEPT", kept)
    monkeypatch.setattr(scan_mod, "FLUSH_SECONDS", 0)  # every BATCH records
    rng = random.Random(5)
    with library.session() as session:
        root = Root(path=b"/music", path_text="/music")
        session.add(root)
        session.commit()
        root_id = root.id
    flushes = 0
    real_flush = scan_mod._Writer.flush

    def flush(self: Any) -> None:
        nonlocal flushes
        real_flush(self)
        flushes += 1
        assert len(self.album_ids) <= kept
        assert_linked(library)

    monkeypatch.setattr(scan_mod._Writer, "flush", flush)
    n = 0
    for _round in range(6):
        known = {t.id: (t.path, t.album_key) for t in tracks_of(library)}
        with library.session() as session:
            writer = scan_mod._Writer(library.connect(), 0, ScanSummary(), connect=library.connect)
            for tid in rng.sample(sorted(known), min(len(known), 20)):  # retagged
                path, old_key = known[tid]
                spec = random_track(rng, 0) | {"path": path}
                writer.record(root_id, scan_row(path, record_of(spec)), tid)
                writer.keys.add(old_key)
            for _ in range(60 if _round == 0 else 15):  # new files
                n += 1
                spec = random_track(rng, n)
                writer.record(root_id, scan_row(spec["path"], record_of(spec)), None)
            writer.flush()
            writer.db.close()
            assert_linked(library)
            del album_writes[:]
            rebuild_albums(session, writer.keys)
            session.commit()
        assert stored(library) == reference(tracks_of(library))
        assert album_writes == []  # the writer had every track in its album already
    assert flushes > 12


def test_the_writer_commits_at_least_batch_records_half_a_second_apart_at_most_batch_most(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit waits for BATCH records; then it comes once FLUSH_SECONDS have passed since
    the last, or at BATCH_MOST records whatever the time (what a kill can lose)."""
    monkeypatch.setattr(scan_mod, "BATCH", 3)
    monkeypatch.setattr(scan_mod, "BATCH_MOST", 8)
    clock = [100.0]
    monkeypatch.setattr(scan_mod.time, "monotonic", lambda: clock[0])
    with library.session() as session:
        root = Root(path=b"/music", path_text="/music")
        session.add(root)
        session.commit()
        root_id = root.id
    rng = random.Random(7)
    writer = scan_mod._Writer(library.connect(), 0, ScanSummary(), connect=library.connect)
    stored: list[int] = []  # tracks committed after each step
    made = iter(range(1, 100))

    def add(n: int) -> None:
        for _ in range(n):
            spec = random_track(rng, next(made))
            writer.record(root_id, scan_row(spec["path"], record_of(spec)), None)
        stored.append(len(tracks_of(library)))

    try:
        add(2)  # fewer than BATCH, however long it took
        clock[0] += 5
        add(0)
        assert stored[-1] == 0
        add(1)  # BATCH held and FLUSH_SECONDS past: committed
        assert stored[-1] == 3
        add(7)  # BATCH and more, but no time has passed
        assert stored[-1] == 3
        add(1)  # BATCH_MOST
        assert stored[-1] == 11
        clock[0] += 0.4
        add(5)
        assert stored[-1] == 11  # under FLUSH_SECONDS since the last commit
        clock[0] += 0.1
        add(1)
        assert stored[-1] == 17
    finally:
        writer.db.close()
