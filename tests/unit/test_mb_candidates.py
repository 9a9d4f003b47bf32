"""The request plan (``libtool.musicbrainz.candidates``) against an in-memory client: which
requests one album or lone track costs, and what is kept of the answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from libtool.events import Cancelled, CancelToken
from libtool.musicbrainz.candidates import LOOKUP_CAP, find_album, find_track
from libtool.musicbrainz.client import ArtistCredit, Recording, Release, ReleaseQuery
from libtool.musicbrainz.match import (
    Recommendation,
    Thresholds,
    best_case_distance,
    choose_lookups,
    score_hit,
    score_release,
)
from tests.mbfakes import (
    CREDIT,
    SONGS,
    FakeClient,
    hit_of,
    local_album,
    local_tracks,
    recording_hit,
    release,
)


def test_files_with_an_album_id_cost_one_lookup_and_no_search() -> None:
    client = FakeClient.serving(release("rel-1"), release("rel-2"))
    album = local_album(local_tracks(mb_albumid="rel-1"))
    found = find_album(client, album)
    assert client.calls == [("get_release", "rel-1")]
    assert found.requests == 1
    assert [m.release.id for m in found.matches] == ["rel-1"]
    assert found.hits == [] and found.cheap == {}
    assert found.recommendation is Recommendation.strong


def test_an_album_id_musicbrainz_no_longer_knows_falls_back_to_a_search() -> None:
    client = FakeClient.serving(release("rel-1"))
    album = local_album(local_tracks(mb_albumid="merged-away"))
    found = find_album(client, album)
    assert client.methods() == ["get_release", "search_releases", "get_release"]
    assert client.calls[-1] == ("get_release", "rel-1")
    assert found.requests == 3
    assert found.matches[0].release.id == "rel-1"


def test_the_search_is_built_from_what_the_files_say() -> None:
    client = FakeClient.serving(release("rel-1"))
    find_album(client, local_album())
    (name, query), _ = client.calls
    assert name == "search_releases"
    assert query == ReleaseQuery(
        release="Tidewater Sessions", artist="Marrow Lane", tracks=len(SONGS), date="2019"
    )


def test_a_strong_best_costs_one_search_and_one_lookup() -> None:
    right = release("rel-1")
    # a lookalike from another release group that the search answer cannot tell apart
    twin = release("rel-2", songs=[("Other Song", 100.0)] * len(SONGS))
    client = FakeClient.serving(right, twin, scores=[100, 99])
    album = local_album()
    scored = [(h, score_hit(album, h)) for h in client.release_hits]
    assert len(choose_lookups(scored)) == 2  # both could still win on the search answer...
    found = find_album(client, album)
    # ...but the first lookup is already a strong match: the second is not made
    assert client.methods() == ["search_releases", "get_release"]
    assert found.requests == 2
    assert [m.release.id for m in found.matches] == ["rel-1"]
    assert [h.id for h, _ in found.hits] == ["rel-2"]  # kept, scored from the search
    assert set(found.cheap) == {"rel-1", "rel-2"}
    assert found.recommendation is Recommendation.strong


def test_lookups_stop_at_the_cap_when_no_candidate_is_strong() -> None:
    # the files are another album with the same name: every hit looks right from the
    # search answer alone, and none is once its tracks are seen
    strangers = [
        release(f"rel-{n}", songs=[(f"Song {n}-{i}", 90.0 + i) for i in range(len(SONGS))])
        for n in range(1, 6)
    ]
    client = FakeClient.serving(*strangers, scores=[100] * 5)
    found = find_album(client, local_album())
    assert client.methods().count("get_release") == LOOKUP_CAP
    assert client.methods()[0] == "search_releases"
    assert found.requests == 1 + LOOKUP_CAP
    assert len(found.matches) == LOOKUP_CAP
    assert len(found.hits) == 5 - LOOKUP_CAP
    looked_up = {m.release.id for m in found.matches}
    assert looked_up.isdisjoint(h.id for h, _ in found.hits)
    assert found.recommendation < Recommendation.strong


def test_a_hit_far_behind_the_best_is_not_looked_up() -> None:
    near = release("rel-1", songs=[(f"Song {i}", 90.0) for i in range(len(SONGS))])
    other = release("rel-2", title="Completely Different", songs=SONGS[:2])
    client = FakeClient.serving(near, other)
    find_album(client, local_album())
    assert client.calls[1:] == [("get_release", "rel-1")]


def test_an_empty_search_answer_costs_one_request_and_finds_nothing() -> None:
    client = FakeClient()
    found = find_album(client, local_album())
    assert client.methods() == ["search_releases"]
    assert found.matches == [] and found.hits == []
    assert found.recommendation is Recommendation.none


def test_a_cancelled_album_makes_no_request() -> None:
    token = CancelToken()
    token.cancel()
    client = FakeClient.serving(release("rel-1"))
    with pytest.raises(Cancelled):
        find_album(client, local_album(), cancel=token)
    assert client.calls == []


# --- lone tracks ------------------------------------------------------------------------


def test_a_lone_track_costs_one_recording_search() -> None:
    track = replace(local_tracks()[2], album="", albumartist="")
    client = FakeClient(
        recording_hits=[
            recording_hit("rec-other", "The Long Pier (Live)", "Someone Else", length_ms=250_000),
            recording_hit("rec-1", "The Long Pier", length_ms=187_000),
        ]
    )
    found = find_track(client, track)
    assert client.methods() == ["search_recordings"]
    query = client.calls[0][1]
    assert query.recording == "The Long Pier"  # type: ignore[attr-defined]
    assert query.artist == "Marrow Lane"  # type: ignore[attr-defined]
    assert query.dur_ms == 187_400  # type: ignore[attr-defined]
    assert found.requests == 1
    assert [r.id for r, _ in found.recordings] == ["rec-1", "rec-other"]  # best first
    assert found.recommendation is Recommendation.strong


def test_a_lone_track_with_a_recording_id_costs_one_lookup() -> None:
    track = replace(local_tracks()[0], mb_recordingid="rec-1")
    rec = Recording("rec-1", "Low Water", CREDIT, length_ms=201_000)
    client = FakeClient(recordings={"rec-1": rec})
    found = find_track(client, track)
    assert client.calls == [("get_recording", "rec-1")]
    assert found.requests == 1
    assert found.recordings[0][0] == rec


def test_an_unknown_recording_id_falls_back_to_a_search() -> None:
    track = replace(local_tracks()[0], mb_recordingid="gone")
    client = FakeClient(recording_hits=[recording_hit("rec-1", "Low Water")])
    found = find_track(client, track)
    assert client.methods() == ["get_recording", "search_recordings"]
    assert found.requests == 2
    assert [r.id for r, _ in found.recordings] == ["rec-1"]


def test_a_further_lookup_is_made_only_for_a_hit_that_could_still_be_strong() -> None:
    # the first hit is the right title by the right artist but other songs (not strong);
    # the second has the files' songs but another artist's name: even with every track
    # perfect it could not be applied unasked, so it is not looked up
    first = release("rel-1", songs=[(f"Song {i}", 90.0) for i in range(len(SONGS))])
    stranger = ArtistCredit("Quentin Yzerbyt", ("artist-9",), "Yzerbyt, Quentin")
    second = release("rel-2", credit=stranger)
    client = FakeClient.serving(first, second, scores=[100, 100])
    album = local_album()
    assert best_case_distance(album, score_hit(album, hit_of(second))) >= Thresholds().strong
    found = find_album(client, album)
    assert client.methods() == ["search_releases", "get_release"]
    assert [h.id for h, _ in found.hits] == ["rel-2"]  # kept as a search hit for review


@pytest.mark.parametrize(
    "candidate",
    [
        release("rel-1"),
        release("rel-2", credit=ArtistCredit("Quentin Yzerbyt")),
        release("rel-3", songs=SONGS[:3]),
        release("rel-4", songs=[*SONGS, ("Bonus", 100.0), ("Demo", 90.0)]),
        release("rel-5", title="Tidewater", date="1999-01-01"),
        release("rel-6", songs=[(f"Song {i}", 90.0) for i in range(len(SONGS))]),
        # a barcode and label only the lookup carries (hit_of leaves them out)
        replace(release("rel-7"), barcode="5012345678900", labels=("Tide Records",)),
    ],
)
@pytest.mark.parametrize("damage", ["none", "missing", "extra", "no_year", "ids"])
def test_the_best_case_is_a_lower_bound_of_the_full_distance(
    candidate: Release, damage: str
) -> None:
    tracks = local_tracks()
    if damage == "missing":
        tracks = tracks[:-1]
    elif damage == "extra":
        tracks = [*tracks, *local_tracks([("Hidden", 30.0)], first_id=50)]
    elif damage == "no_year":
        tracks = [replace(t, date="") for t in tracks]
    elif damage == "ids":
        tracks = [replace(t, barcode="5012345678900", label="Tide Records") for t in tracks]
    album = local_album(tracks)
    bound = best_case_distance(album, score_hit(album, hit_of(candidate)))
    assert bound <= score_release(album, candidate).distance.distance + 1e-9
