"""Pure matching on DTOs built in the test: queries, cheap and full scores, assignment,
recommendation, preferences and the proposed tag values."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from libtool.musicbrainz.client import ArtistCredit, Medium, Recording, Release, ReleaseHit, Track
from libtool.musicbrainz.distance import Distance
from libtool.musicbrainz.match import (
    AlbumMatch,
    LocalAlbum,
    LocalTrack,
    Preferences,
    Recommendation,
    Thresholds,
    assign_tracks,
    choose_lookups,
    proposed_changes,
    recommend,
    recording_query,
    release_query,
    score_hit,
    score_recording,
    score_release,
    track_distance,
)

ARTIST = ArtistCredit("The Dead Weather", ("a1",), "Dead Weather, The")
SONGS = [
    ("Blue Blood Blues", 202.3),
    ("Hustle and Cuss", 225.7),
    ("The Difference Between Us", 217.3),
    ("I'm Mad", 254.5),
    ("Die by the Drop", 184.2),
    ("I Can't Hear You", 217.8),
]


def mbid(n: int, prefix: str = "0") -> str:
    return f"{prefix * 8}-0000-0000-0000-{n:012d}"


def make_release(
    songs: Sequence[tuple[str, float]] = SONGS,
    *,
    rid: str = "r1",
    title: str = "Sea of Cowards",
    country: str = "GB",
    date: str = "2010-05-10",
    first: str = "2010-05-10",
    group: str = "g1",
    fmt: str = "CD",
    discs: int = 1,
) -> Release:
    per_disc = -(-len(songs) // discs)
    media = []
    for d in range(discs):
        chunk = songs[d * per_disc : (d + 1) * per_disc]
        tracks = tuple(
            Track(
                id=f"t{d + 1}-{i}",
                position=i,
                number=str(i),
                title=name,
                length_ms=round(length * 1000),
                recording_id=f"rec-{name}",
                artist_credit=ARTIST,
                isrcs=(f"GB{d}{i:02d}",),
                medium_position=d + 1,
            )
            for i, (name, length) in enumerate(chunk, start=1)
        )
        media.append(Medium(position=d + 1, format=fmt, title="", tracks=tracks))
    return Release(
        id=rid,
        title=title,
        artist_credit=ARTIST,
        date=date,
        country=country,
        status="Official",
        barcode="093624966524",
        release_group_id=group,
        primary_type="Album",
        first_release_date=first,
        labels=("Third Man Records",),
        label_ids=("l1",),
        catalog_numbers=("TMR-031",),
        media=tuple(media),
    )


def make_locals(
    songs: Sequence[tuple[str, float]] = SONGS, *, numbered: bool = True, **extra: object
) -> list[LocalTrack]:
    return [
        LocalTrack(
            track_id=100 + i,
            title=name,
            artist="The Dead Weather",
            album="Sea of Cowards",
            albumartist="The Dead Weather",
            track=i if numbered else None,
            tracktotal=len(songs) if numbered else None,
            length_s=length + 1.0,
            date="2010",
            path=f"{i:02d} {name}.flac",
            **extra,  # type: ignore[arg-type]
        )
        for i, (name, length) in enumerate(songs, start=1)
    ]


def album_of(tracks: Sequence[LocalTrack]) -> LocalAlbum:
    return LocalAlbum.from_tracks("key", tracks)


# --- queries ------------------------------------------------------------------------------------


def test_release_query_from_tags() -> None:
    tracks = make_locals(barcode="093624966524", catalognumber="TMR-031")
    album = LocalAlbum(
        key="k",
        tracks=tracks,
        album="Sea of Cowards [Deluxe Edition]",
        albumartist="",
        year=2010,
        barcode="093624966524",
        catno="TMR-031",
    )
    query = release_query(album)
    assert query.release == "Sea of Cowards"
    assert query.artist == "The Dead Weather"  # the common track artist
    assert (query.tracks, query.date) == (6, "2010")
    assert (query.barcode, query.catno) == ("093624966524", "TMR-031")


def test_track_count_comes_from_tracktotal_when_files_are_missing() -> None:
    tracks = make_locals()[:4]  # tracktotal still says 6
    assert release_query(album_of(tracks)).tracks == 6


def test_no_common_artist_means_no_artist_term() -> None:
    tracks = [
        LocalTrack(track_id=i, title=f"t{i}", artist=f"Artist {i}", album="Mix") for i in range(4)
    ]
    assert release_query(album_of(tracks)).artist == ""


# --- cheap score and the lookup plan ------------------------------------------------------------


def hit(
    rid: str, title: str = "Sea of Cowards", counts: tuple[int, ...] = (6,), score: int = 100
) -> ReleaseHit:
    return ReleaseHit(
        id=rid,
        score=score,
        title=title,
        artist_credit=ARTIST,
        date="2010-05-10",
        country="GB",
        barcode="093624966524",
        catalog_numbers=("TMR-031",),
        medium_track_counts=counts,
        formats=("CD",) * len(counts),
    )


def test_score_hit_prefers_the_right_title_and_track_count() -> None:
    album = album_of(make_locals())
    right = score_hit(album, hit("a"))
    bonus = score_hit(album, hit("b", counts=(9,)))
    other = score_hit(album, hit("c", title="Horehound", score=60))
    assert right.distance < bonus.distance < other.distance
    assert right.score > 95


def test_barcode_and_catalogue_number_count_when_present() -> None:
    album = LocalAlbum("k", make_locals(), album="Sea of Cowards", barcode="0093624966524")
    names = {c.name: c.penalty for c in score_hit(album, hit("a")).components}
    assert names["barcode"] == 0.0  # UPC-A and EAN-13 agree
    album = LocalAlbum("k", make_locals(), album="Sea of Cowards", catno="tmr 031")
    names = {c.name: c.penalty for c in score_hit(album, hit("a")).components}
    assert names["catalognumber"] == 0.0 and "barcode" not in names


def test_choose_lookups_takes_only_hits_that_can_still_win() -> None:
    album = album_of(make_locals())
    hits = [
        hit("a"),
        hit("b", counts=(9,)),
        hit("c", title="Horehound"),
        hit("d", title="Dodge and Burn"),
    ]
    scored = [(h, score_hit(album, h)) for h in hits]
    assert [h.id for h in choose_lookups(scored)] == ["a"]
    twins = [(h, score_hit(album, h)) for h in (hit("a"), hit("a2"), hit("a3"))]
    assert len(choose_lookups(twins)) == 2  # capped
    assert choose_lookups(twins, cap=1) == [hit("a")]
    assert choose_lookups([]) == []


# --- full score and assignment ------------------------------------------------------------------


def test_exact_album_scores_strong() -> None:
    match = score_release(album_of(make_locals()), make_release())
    assert match.distance.distance < 0.04
    assert {tid: t.title for tid, t in match.mapping.items()} == {
        100 + i: name for i, (name, _) in enumerate(SONGS, start=1)
    }
    assert match.unmatched_local == [] and match.unmatched_mb == []
    assert recommend([match]) is Recommendation.strong


def test_shuffled_unnumbered_files_are_assigned_by_content() -> None:
    tracks = make_locals(numbered=False)
    random.Random(7).shuffle(tracks)
    match = score_release(album_of(tracks), make_release())
    for local in tracks:
        assert match.mapping[local.track_id].title == local.title


def test_optimal_assignment_beats_a_greedy_one() -> None:
    songs = [("Love Song", 240.0), ("Love Song Acoustic", 250.0)]
    release = make_release(songs)
    files = [
        LocalTrack(track_id=1, title="Love Song", length_s=250.0),  # really the acoustic take
        LocalTrack(track_id=2, title="Love Song", length_s=240.0),
    ]
    cost = [[track_distance(f, t).distance for t in release.tracks] for f in files]
    greedy: dict[int, int] = {}
    for row, costs in enumerate(cost):  # each file in turn takes its nearest free track
        free = [c for c in range(len(release.tracks)) if c not in greedy.values()]
        greedy[row] = min(free, key=costs.__getitem__)
    assert greedy == {0: 0, 1: 1}  # the greedy choice is wrong...
    assert assign_tracks(files, release.tracks, cost) == {0: 1, 1: 0}  # ...optimal is right
    match = score_release(album_of(files), release)
    assert match.mapping[1].title == "Love Song Acoustic"
    assert match.mapping[2].title == "Love Song"


def test_a_missing_track() -> None:
    tracks = make_locals()
    del tracks[2]
    match = score_release(album_of(tracks), make_release())
    assert [t.title for t in match.unmatched_mb] == ["The Difference Between Us"]
    assert len(match.mapping) == 5 and match.unmatched_local == []
    names = [row["name"] for row in match.breakdown()]
    assert "missing_tracks" in names
    assert match.distance.distance < 0.25


def test_an_extra_bonus_file() -> None:
    tracks = [*make_locals(), LocalTrack(track_id=999, title="Untitled Demo", length_s=95.0)]
    match = score_release(album_of(tracks), make_release())
    assert [t.track_id for t in match.unmatched_local] == [999]
    assert len(match.mapping) == 6
    assert "unmatched_tracks" in [row["name"] for row in match.breakdown()]


def test_a_bonus_file_does_not_take_the_place_of_a_missing_track() -> None:
    tracks = make_locals(numbered=False)
    del tracks[0]
    tracks.append(LocalTrack(track_id=999, title="Untitled Demo", length_s=95.0))
    match = score_release(album_of(tracks), make_release())
    assert [t.track_id for t in match.unmatched_local] == [999]
    assert [t.title for t in match.unmatched_mb] == ["Blue Blood Blues"]


def test_disc_numbers_tell_same_titles_apart() -> None:
    songs = [("Intro", 60.0), ("Song A", 200.0), ("Intro", 60.0), ("Song B", 210.0)]
    release = make_release(songs, discs=2)
    files = [
        LocalTrack(track_id=10, title="Intro", track=1, disc=2, length_s=60.0),
        LocalTrack(track_id=11, title="Intro", track=1, disc=1, length_s=60.0),
        LocalTrack(track_id=12, title="Song A", track=2, disc=1, length_s=200.0),
        LocalTrack(track_id=13, title="Song B", track=2, disc=2, length_s=210.0),
    ]
    match = score_release(album_of(files), release)
    assert match.mapping[10].id == "t2-1" and match.mapping[11].id == "t1-1"


def test_length_grace_and_span() -> None:
    track = make_release().tracks[0]  # 202.3 s

    def penalty(seconds: float) -> float | None:
        return track_distance(LocalTrack(track_id=1, length_s=seconds), track).penalty(
            "track_length"
        )

    assert penalty(202.3 + 4.9) == 0.0
    assert penalty(202.3 + 20) == pytest.approx(0.5)
    assert penalty(202.3 - 60) == 1.0


def test_existing_ids_weigh_heavily() -> None:
    release = make_release()
    tracks = make_locals(mb_albumid="r1")
    right = score_release(album_of(tracks), release)
    wrong = score_release(album_of(make_locals(mb_albumid="other")), release)
    assert right.distance.penalty("album_id") == 0.0
    assert wrong.distance.penalty("album_id") == 1.0
    assert wrong.distance.distance - right.distance.distance > 0.05


def test_track_breakdowns_are_plain_dicts() -> None:
    tracks = make_locals()
    match = score_release(album_of(tracks), make_release())
    per_track = match.track_breakdowns()
    assert set(per_track) == {t.track_id for t in tracks}
    assert {"name", "penalty", "weight", "contribution"} == set(per_track[101][0])


# --- recommendation -----------------------------------------------------------------------------


def fake_match(distance: float, rid: str = "r", group: str = "") -> AlbumMatch:
    dist = Distance()
    dist.add("album", distance, weight=1.0)
    release = Release(id=rid, title="x", artist_credit=ARTIST, release_group_id=group or rid)
    return AlbumMatch(release, dist, {}, [], [])


@pytest.mark.parametrize(
    ("distances", "expected"),
    [
        ([], Recommendation.none),
        ([0.02], Recommendation.strong),
        ([0.02, 0.5], Recommendation.strong),
        ([0.1], Recommendation.medium),
        ([0.25, 0.26], Recommendation.medium),
        ([0.4], Recommendation.low),  # alone
        ([0.4, 0.7], Recommendation.low),  # far enough ahead of the runner-up
        ([0.4, 0.5], Recommendation.none),  # too close to the runner-up
        ([0.9, 0.95], Recommendation.none),
    ],
)
def test_recommendation_thresholds_and_gap(
    distances: list[float], expected: Recommendation
) -> None:
    matches = [fake_match(d, rid=f"r{i}") for i, d in enumerate(distances)]
    assert recommend(list(reversed(matches))) is expected


def test_two_different_albums_both_nearly_perfect_are_not_strong() -> None:
    assert recommend([fake_match(0.01, "a"), fake_match(0.015, "b")]) is Recommendation.medium
    # Two releases of one release group (reissues) may tie: still strong.
    twins = [fake_match(0.01, "a", group="g"), fake_match(0.015, "b", group="g")]
    assert recommend(twins) is Recommendation.strong


def test_thresholds_are_passed_in() -> None:
    assert recommend([fake_match(0.1)], Thresholds(strong=0.15)) is Recommendation.strong


# --- preferences --------------------------------------------------------------------------------


def test_preferences_break_a_tie() -> None:
    album = album_of(make_locals())
    gb = make_release(rid="gb", country="GB")
    us = make_release(rid="us", country="US")
    plain = [score_release(album, r) for r in (gb, us)]
    assert plain[0].distance.distance == plain[1].distance.distance
    prefs = Preferences(countries=["US", "GB"])
    ranked = sorted((score_release(album, r, prefs) for r in (gb, us)), key=lambda m: m.score)
    assert ranked[-1].release.id == "us"
    assert "pref_country" in [row["name"] for row in ranked[-1].breakdown()]


def test_preferences_do_not_override_a_real_difference() -> None:
    album = album_of(make_locals())
    good_gb = make_release(rid="gb", country="GB", fmt="CD")
    songs = [*SONGS[:-1], ("I Can't Hear You", 260.0)]  # one track 40 s off
    worse_us = make_release(songs, rid="us", country="US", fmt="Vinyl")
    prefs = Preferences(countries=["US"], media=["Vinyl"], types=["Album"])
    best = min(
        (score_release(album, r, prefs) for r in (good_gb, worse_us)),
        key=lambda m: m.distance.distance,
    )
    assert best.release.id == "gb"


def test_original_over_reissue() -> None:
    album = LocalAlbum("k", make_locals(), album="Sea of Cowards", albumartist="The Dead Weather")
    original = make_release(rid="o", date="2010-05-10", first="2010-05-10")
    reissue = make_release(rid="re", date="2010-05-10", first="2009-01-01")
    prefs = Preferences(original_over_reissue=True)
    assert score_release(album, original, prefs).distance.penalty("pref_original") == 0.0
    assert score_release(album, reissue, prefs).distance.penalty("pref_original") == 1.0


# --- proposed tag values ------------------------------------------------------------------------


def test_proposed_changes() -> None:
    release = make_release(discs=2)
    tracks = make_locals()
    match = score_release(album_of(tracks), release)
    changes = proposed_changes(match)
    assert set(changes) == {t.track_id for t in tracks}
    fourth = changes[104]  # "I'm Mad": disc 2, track 1
    assert fourth["title"] == ["I'm Mad"]
    assert (fourth["disc"], fourth["track"], fourth["tracktotal"], fourth["disctotal"]) == (
        ["2"],
        ["1"],
        ["3"],
        ["2"],
    )
    assert fourth["mb_albumid"] == ["r1"] and fourth["mb_releasetrackid"] == ["t2-1"]
    assert fourth["mb_recordingid"] == ["rec-I'm Mad"]
    assert fourth["mb_artistid"] == ["a1"] and fourth["mb_albumartistid"] == ["a1"]
    assert fourth["artistsort"] == ["Dead Weather, The"]
    assert fourth["date"] == ["2010-05-10"] and fourth["originaldate"] == ["2010-05-10"]
    assert fourth["label"] == ["Third Man Records"] and fourth["catalognumber"] == ["TMR-031"]
    assert fourth["releasecountry"] == ["GB"] and fourth["releasetype"] == ["album"]
    assert fourth["releasestatus"] == ["official"] and fourth["media"] == ["CD"]
    assert fourth["isrc"] == ["GB101"] and fourth["barcode"] == ["093624966524"]
    assert all(isinstance(v, list) and v for values in changes.values() for v in values.values())


def test_proposed_changes_leave_out_empty_values() -> None:
    release = Release(
        id="r",
        title="T",
        artist_credit=ArtistCredit("A"),
        media=(Medium(1, "", "", (Track("", 1, "1", "S", None, "rec", ArtistCredit("A")),)),),
    )
    match = score_release(album_of([LocalTrack(track_id=1, title="S")]), release)
    assert set(proposed_changes(match)[1]) == {
        "title",
        "artist",
        "album",
        "albumartist",
        "track",
        "tracktotal",
        "disc",
        "disctotal",
        "mb_recordingid",
        "mb_albumid",
    }


# --- singletons ---------------------------------------------------------------------------------


def test_recording_query_and_score() -> None:
    track = LocalTrack(
        track_id=1, title="Shades of Gray (2011 Remaster)", artist="Billy Joel", length_s=259.9
    )
    query = recording_query(track)
    assert (query.recording, query.artist, query.dur_ms) == ("Shades of Gray", "Billy Joel", 259900)
    right = Recording("r", "Shades of Gray", ArtistCredit("Billy Joel"), 259600)
    wrong = Recording("w", "Shades of Grey Matter", ArtistCredit("Someone"), 120000)
    assert score_recording(track, right).distance < 0.01
    assert score_recording(track, wrong).distance > 0.4


def test_a_missing_title_falls_back_to_the_file_name() -> None:
    track = LocalTrack(track_id=1, path="03 - Die by the Drop.mp3")
    assert track.display_title == "Die by the Drop"
    assert recording_query(track).recording == "Die by the Drop"
