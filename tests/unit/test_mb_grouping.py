"""Which files are matched together (``libtool.musicbrainz.grouping``): pure groups from
members, and the same through a real library on disk (album rows as a scan builds them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from libtool.config import load_settings
from libtool.db.albums import rebuild_albums
from libtool.musicbrainz.grouping import (
    Member,
    folder_of,
    groups,
    name_agrees,
    names_from_folder,
    number_from_name,
    track_key,
    with_name_number,
)
from libtool.musicbrainz.match import LocalTrack
from libtool.service.core import Service
from libtool.service.enrichment import library_groups
from tests.factories import add_tracks


def member(tid: int, path: str, album_id: int | None = None, **tags: object) -> Member:
    track = LocalTrack(track_id=tid, path=path, **tags)  # type: ignore[arg-type]
    return Member(track, album_id, folder_of(path))


def album_members(
    album_id: int, folder: str, count: int, first: int = 1, **tags: object
) -> list[Member]:
    return [
        member(
            first + n,
            f"{folder}/{n + 1:02d} Song {n + 1}.flac",
            album_id,
            title=f"Song {n + 1}",
            album="Tidewater Sessions",
            artist="Marrow Lane",
            track=n + 1,
            **tags,
        )
        for n in range(count)
    ]


# --- pure grouping --------------------------------------------------------------------


def test_a_library_album_is_one_album_candidate() -> None:
    out = groups(album_members(7, "/m/Marrow Lane/Tidewater Sessions", 4))
    assert len(out) == 1
    (g,) = out
    assert g.kind == "album" and g.album is not None and g.track is None
    assert g.track_ids == (1, 2, 3, 4)
    assert g.key == "1,2,3,4" == track_key([4, 3, 2, 1])
    assert g.label == "Marrow Lane - Tidewater Sessions"
    assert g.album.album == "Tidewater Sessions" and g.album.artist == "Marrow Lane"


def test_two_library_albums_are_two_candidates_in_label_order() -> None:
    b = album_members(2, "/m/B", 2, first=10, albumartist="Zed")
    a = album_members(1, "/m/A", 2, first=20, albumartist="Abel")
    out = groups([*b, *a])
    assert [g.label for g in out] == ["Abel - Tidewater Sessions", "Zed - Tidewater Sessions"]
    assert [g.track_ids for g in out] == [(20, 21), (10, 11)]


@pytest.mark.parametrize("discs", [("CD1", "CD2"), ("Disc 1", "Disc 2"), ("disc_1", "disc_2")])
def test_disc_folders_count_as_their_album_folder(discs: tuple[str, str]) -> None:
    base = "/m/Lantern Coast/Three Rooms"
    assert folder_of(f"{base}/{discs[0]}/01 a.flac") == base
    assert folder_of(f"{base}/{discs[1]}/01 a.flac") == base
    assert folder_of(f"{base}/01 a.flac") == base
    assert folder_of("/m/Bonus Discs/01 a.flac") == "/m/Bonus Discs"  # not a disc folder


def test_untagged_disc_folders_are_one_album_named_by_the_folder() -> None:
    base = "/m/Lantern Coast/Three Rooms (2012)"
    members = [
        member(1, f"{base}/Disc 1/01 First Light.flac"),
        member(2, f"{base}/Disc 1/02 Second Wind.flac"),
        member(3, f"{base}/Disc 2/01 Third Act.flac"),
    ]
    (g,) = groups(members)
    assert g.kind == "album" and g.album is not None
    assert g.track_ids == (1, 2, 3)
    assert (g.album.album, g.album.artist, g.album.year) == ("Three Rooms", "Lantern Coast", 2012)


def test_untagged_files_are_grouped_by_folder_with_names_from_the_folder() -> None:
    members = [
        member(1, "/m/Marrow Lane/Tidewater Sessions (2019)/01 Low Water.mp3"),
        member(2, "/m/Marrow Lane/Tidewater Sessions (2019)/02 Salt Marsh.mp3"),
        member(3, "/m/Unsorted/Harbour Saints - Night Ferry/01 Fog.mp3"),
        member(4, "/m/Unsorted/Harbour Saints - Night Ferry/02 Pier.mp3"),
    ]
    out = {g.track_ids: g for g in groups(members)}
    tide, ferry = out[(1, 2)].album, out[(3, 4)].album
    assert tide is not None and ferry is not None
    assert (tide.album, tide.albumartist, tide.year) == ("Tidewater Sessions", "Marrow Lane", 2019)
    assert (ferry.album, ferry.albumartist, ferry.year) == ("Night Ferry", "Harbour Saints", None)
    # the file names give titles and track numbers
    assert [(t.display_title, t.track) for t in tide.tracks] == [
        ("Low Water", 1),
        ("Salt Marsh", 2),
    ]


def test_folder_names_do_not_override_an_artist_the_files_carry() -> None:
    members = [
        member(1, "/m/Various/Mixtape/01 a.mp3", artist="Tidal Clock", title="Estuary"),
        member(2, "/m/Various/Mixtape/02 b.mp3", artist="Tidal Clock", title="Shoal"),
    ]
    (g,) = groups(members)
    assert g.album is not None
    assert g.album.album == "Mixtape"
    assert g.album.albumartist == "" and g.album.artist == "Tidal Clock"


def test_names_from_folder() -> None:
    assert names_from_folder("/m/Artist/Album (2010)") == ("Artist", "Album", 2010)
    assert names_from_folder("/m/Artist/Album [1999]/") == ("Artist", "Album", 1999)
    assert names_from_folder("/m/x/Artist - Album") == ("Artist", "Album", None)
    assert names_from_folder("/m/Artist/Album (Live)") == ("Artist", "Album (Live)", None)


def test_an_album_naming_two_album_artists_is_split() -> None:
    folder = "/m/Split/Shared Name"
    members = [
        *album_members(3, folder, 3, first=1, albumartist="Marrow Lane"),
        *album_members(3, folder, 2, first=10, albumartist="Harbour Saints"),
    ]
    # one file naming no album artist joins the larger part
    members.append(
        member(20, f"{folder}/99 Loose.flac", 3, title="Loose", album="Tidewater Sessions")
    )
    out = {g.track_ids: g for g in groups(members)}
    assert set(out) == {(1, 2, 3, 20), (10, 11)}
    assert out[(10, 11)].label == "Harbour Saints - Tidewater Sessions"
    assert out[(1, 2, 3, 20)].label == "Marrow Lane - Tidewater Sessions"


def test_album_artist_differing_only_in_case_is_not_a_split() -> None:
    members = [
        *album_members(3, "/m/A", 2, first=1, albumartist="Marrow Lane"),
        *album_members(3, "/m/A", 2, first=5, albumartist="marrow lane "),
    ]
    assert [g.track_ids for g in groups(members)] == [(1, 2, 5, 6)]


def test_a_single_file_is_a_lone_track() -> None:
    out = groups(
        [
            member(1, "/m/Loose/Estuary.mp3", title="Estuary", artist="Tidal Clock"),
            *album_members(4, "/m/One", 1, first=2),  # a library album of one file
        ]
    )
    assert [g.kind for g in out] == ["track", "track"]
    by_id = {g.track_ids: g for g in out}
    lone = by_id[(1,)]
    assert lone.album is None and lone.track is not None
    assert lone.key == "1" and lone.label == "Tidal Clock - Estuary"


def test_placeholder_titles_are_ignored() -> None:
    named = LocalTrack(1, title="Track 07", path="/m/x/07 Fog Signal.flac")
    assert named.display_title == "Fog Signal"  # the file name says more than the tag
    for title in ("Track 07", "track7", "Piste 3", "Untitled", "07", "Unknown"):
        assert LocalTrack(1, title=title, path="/m/x/Track 07.mp3").display_title == ""
    assert LocalTrack(1, title="Seven", path="/m/x/07.mp3").display_title == "Seven"


def test_a_track_number_comes_from_the_file_name_only_when_the_tags_have_none() -> None:
    assert number_from_name("/m/x/07 - Fog Signal.flac") == 7
    assert number_from_name("/m/x/Track 12.mp3") == 12
    assert number_from_name("/m/x/Fog Signal.flac") is None
    assert number_from_name("/m/x/2019 Fog.flac") is None  # four digits: a year, not a number
    assert with_name_number(LocalTrack(1, path="/m/x/07 Fog.flac")).track == 7
    assert with_name_number(LocalTrack(1, track=3, path="/m/x/07 Fog.flac")).track == 3


def test_a_file_name_naming_another_track_gives_no_number() -> None:
    # the files were renamed or shuffled: "03 Salt Marsh" holds the tagged "Fog Signal"
    shuffled = LocalTrack(1, title="Fog Signal", path="/m/x/03 Salt Marsh.flac")
    assert not name_agrees(shuffled)
    assert with_name_number(shuffled).track is None
    # names that agree with the tags, or say nothing but a number, still count
    for title, name in [
        ("Fog Signal", "04 Fog Signal.flac"),
        ("Fog Signal", "04 - Marrow Lane - Fog Signal.flac"),
        ("Fog Signal (Remastered)", "04 fog_signal.flac"),
        ("Fog Signal", "Track 04.flac"),
        ("Fog Signal", "04.flac"),
        ("", "04 Anything.flac"),
        ("Track 4", "04 Anything.flac"),
    ]:
        track = LocalTrack(1, title=title, path=f"/m/x/{name}")
        assert with_name_number(track).track == 4, (title, name)
    # a short title is not found inside a longer word
    assert not name_agrees(LocalTrack(1, title="Go", path="/m/x/05 Going Home.flac"))


def test_shuffled_names_do_not_number_a_group() -> None:
    names = ["02 Salt Marsh", "01 Low Water", "03 Fog"]
    titles = ["Low Water", "Salt Marsh", "Fog"]
    members = [
        member(n, f"/m/A/Album/{name}.flac", 1, title=t, album="Album", artist="A")
        for n, (name, t) in enumerate(zip(names, titles, strict=True), 1)
    ]
    (g,) = groups(members)
    assert g.album is not None
    assert [t.track for t in g.album.tracks] == [None, None, 3]


# --- through a real library -----------------------------------------------------------


@pytest.fixture
def service(tmp_path: Path):  # type: ignore[no-untyped-def]
    svc = Service(load_settings(database=str(tmp_path / "library.db"), env={}))
    yield svc
    svc.close()


def _rows(folder: str, album: str, titles: list[str], **tags: list[str]) -> list[dict]:
    return [
        {
            "path": f"{folder}/{n:02d} {t}.flac".encode(),
            "title": [t],
            "album": [album],
            "artist": ["Marrow Lane"],
            "track": [str(n)],
            **tags,
        }
        for n, t in enumerate(titles, 1)
    ]


def test_library_albums_with_disc_folders_are_one_candidate(service: Service) -> None:
    base = "/music/Marrow Lane/Three Rooms"
    ids = add_tracks(
        service.library,
        *_rows(f"{base}/CD1", "Three Rooms", ["One", "Two"], disc=["1"]),
        *_rows(f"{base}/CD2", "Three Rooms", ["Three", "Four"], disc=["2"]),
        *_rows("/music/Marrow Lane/Tidewater", "Tidewater", ["Low Water", "Salt Marsh"]),
        {"path": b"/music/Loose/Estuary.flac", "title": ["Estuary"], "artist": ["Tidal Clock"]},
    )
    with service.library.session() as session:
        rebuild_albums(session)
        session.commit()
    out = {g.label: g for g in library_groups(service)}
    assert set(out) == {
        "Marrow Lane - Three Rooms",
        "Marrow Lane - Tidewater",
        "Tidal Clock - Estuary",
    }
    assert out["Marrow Lane - Three Rooms"].track_ids == tuple(ids[:4])
    assert out["Marrow Lane - Tidewater"].track_ids == tuple(ids[4:6])
    assert out["Tidal Clock - Estuary"].kind == "track"
