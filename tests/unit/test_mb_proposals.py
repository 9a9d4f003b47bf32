"""Proposals as JSON (``libtool.musicbrainz.proposals``): the gap to the runner-up, the rule
for applying without asking, what a lone track takes from its recording, and how files
whose tags put tracks in the wrong order are still assigned to the right tracks."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from libtool.changes import proposals as stored
from libtool.db.models import Proposal
from libtool.db.session import Library
from libtool.musicbrainz.candidates import find_album
from libtool.musicbrainz.client import ArtistCredit, Recording
from libtool.musicbrainz.grouping import Group, track_key
from libtool.musicbrainz.match import (
    LocalAlbum,
    LocalTrack,
    Recommendation,
    score_hit,
    score_release,
)
from libtool.musicbrainz.proposals import (
    APPLIED,
    AUTO_GAP,
    album_candidates,
    gap_of,
    hit_candidate,
    recording_changes,
    release_candidate,
    rival_gap,
    should_auto_apply,
)
from tests.mbfakes import SONGS, FakeClient, hit_of, local_album, local_tracks, release


def cand(
    cid: str, score: float, *, looked_up: bool = True, search: float | None = None, group: str = ""
) -> dict[str, Any]:
    """A candidate as stored, with only what the gap and the rule read."""
    return {
        "id": cid,
        "kind": "release",
        "score": score,
        "search_score": search,
        "looked_up": looked_up,
        "release_group_id": group or f"group-{cid}",
    }


# --- the gap ------------------------------------------------------------------------------


def test_the_gap_compares_full_scores_when_the_runner_up_was_looked_up() -> None:
    cands = [cand("a", 98.0, search=90.0), cand("b", 80.0, search=89.0)]
    assert gap_of(cands) == 18.0  # not 1.0, the search scores' difference


def test_the_gap_compares_search_scores_when_the_runner_up_was_not_looked_up() -> None:
    # a full score against a search score is no comparison: both sides from the search
    cands = [cand("a", 98.0, search=90.0), cand("b", 88.0, looked_up=False, search=88.0)]
    assert gap_of(cands) == 2.0


def test_the_gap_takes_the_best_of_the_others() -> None:
    cands = [
        cand("a", 99.0, search=95.0),
        cand("b", 70.0, looked_up=False, search=70.0),
        cand("c", 91.0, looked_up=False, search=91.0),
    ]
    assert gap_of(cands) == 4.0


def test_no_gap_without_a_runner_up_or_a_comparable_score() -> None:
    assert gap_of([]) is None
    assert gap_of([cand("a", 99.0)]) is None
    # looked up without a search (the files carried the id): nothing to compare with
    assert gap_of([cand("a", 99.0), cand("b", 60.0, looked_up=False, search=60.0)]) is None


def test_another_release_of_the_same_release_group_is_no_rival() -> None:
    cands = [
        cand("std", 99.0, search=95.0, group="g"),
        cand("deluxe", 97.0, search=94.0, group="g"),
        cand("other", 70.0, looked_up=False, search=80.0),
    ]
    assert gap_of(cands) == 2.0  # the runner-up is the deluxe edition
    assert rival_gap(cands) == 15.0  # the first other album is far behind (search scores)
    assert rival_gap(cands[:2]) is None  # no other album at all


# --- the rule for applying without asking -------------------------------------------------


def strong_pair(runner_score: float = 80.0, **runner: Any) -> list[dict[str, Any]]:
    return [cand("a", 98.0, search=95.0), cand("b", runner_score, search=runner_score, **runner)]


def test_a_clear_strong_match_is_applied() -> None:
    assert should_auto_apply(strong_pair(), Recommendation.strong, 96.0)
    assert should_auto_apply([cand("a", 98.0)], Recommendation.strong, 96.0)  # alone


def test_a_match_below_the_minimum_score_is_not_applied() -> None:
    assert not should_auto_apply(strong_pair(), Recommendation.strong, 98.5)
    assert should_auto_apply(strong_pair(), Recommendation.strong, 98.0)  # inclusive


@pytest.mark.parametrize("rec", [Recommendation.medium, Recommendation.low, Recommendation.none])
def test_a_match_that_is_not_strong_is_not_applied(rec: Recommendation) -> None:
    assert not should_auto_apply(strong_pair(), rec, 0.0)


def test_a_candidate_not_looked_up_is_not_applied() -> None:
    best = cand("a", 99.0, looked_up=False, search=99.0)
    assert not should_auto_apply([best], Recommendation.strong, 50.0)


def test_a_rival_album_too_close_blocks_the_apply() -> None:
    close = 98.0 - AUTO_GAP + 0.5
    assert not should_auto_apply(strong_pair(close), Recommendation.strong, 96.0)
    assert should_auto_apply(strong_pair(98.0 - AUTO_GAP), Recommendation.strong, 96.0)
    # as close, but the same release group (a reissue, a deluxe edition): no rival
    same = [cand("a", 98.0, search=95.0, group="g"), cand("b", 97.9, search=95.0, group="g")]
    assert should_auto_apply(same, Recommendation.strong, 96.0)


def test_nothing_is_applied_without_candidates() -> None:
    assert not should_auto_apply([], Recommendation.strong, 0.0)


def test_the_rule_on_candidates_from_the_request_plan() -> None:
    """End to end through ``find_album``: an exact album is applied; the same album with a
    lookalike by another artist that the search answer rates as high is not (its full
    score is unknown)."""
    right = release("rel-1")
    client = FakeClient.serving(right)
    found = find_album(client, local_album())
    cands = album_candidates(found)
    assert should_auto_apply(cands, found.recommendation, 96.0)

    lookalike = release(
        "rel-2", songs=[(f"Other {i}", 99.0) for i in range(len(SONGS))]
    )  # same title, same artist credit, same count: the search answer cannot tell
    client = FakeClient.serving(right, lookalike, scores=[100, 100])
    found = find_album(client, local_album())
    cands = album_candidates(found)
    assert [c["looked_up"] for c in cands] == [True, False]
    assert not should_auto_apply(cands, found.recommendation, 96.0)


# --- candidates as JSON -------------------------------------------------------------------


def test_a_hit_candidate_has_no_changes_and_is_marked_not_looked_up() -> None:
    album = local_album()
    hit = hit_of(release("rel-1"), score=90)
    c = hit_candidate(hit, score_hit(album, hit))
    assert c["looked_up"] is False and c["changes"] == {} and c["tracks"] == []
    assert c["score"] == c["search_score"]


def test_a_release_candidate_names_every_track_and_change() -> None:
    album = local_album()
    match = score_release(album, release("rel-1"))
    c = release_candidate(match, score_hit(album, hit_of(release("rel-1"))))
    assert c["looked_up"] is True and c["search_score"] is not None
    assert [t["track_id"] for t in c["tracks"]] == [1, 2, 3, 4, 5]
    assert c["changes"]["1"]["mb_albumid"] == ["rel-1"]
    assert c["unmatched"] == [] and c["missing"] == []
    names = {row["name"] for row in c["breakdown"]}
    assert {"album", "artist", "tracks", "track_count"} <= names


# --- recording_changes --------------------------------------------------------------------


def test_recording_changes() -> None:
    credit = ArtistCredit("Tidal Clock feat. Zoë", ("a1", "a2"), "Clock, Tidal feat. Zoë")
    rec = Recording("rec-1", "Estuary", credit, length_ms=1000, isrcs=("GBAAA1900001",))
    assert recording_changes(rec) == {
        "title": ["Estuary"],
        "artist": ["Tidal Clock feat. Zoë"],
        "mb_recordingid": ["rec-1"],
        "mb_artistid": ["a1", "a2"],
        "artistsort": ["Clock, Tidal feat. Zoë"],
        "isrc": ["GBAAA1900001"],
    }


def test_recording_changes_leave_out_empty_values_and_an_ambiguous_isrc() -> None:
    rec = Recording("rec-1", "Estuary", ArtistCredit("Tidal Clock"), isrcs=("X1", "X2"))
    changes = recording_changes(rec)
    assert "isrc" not in changes  # which of the two the file holds is unknown
    assert "mb_artistid" not in changes and "artistsort" not in changes
    assert changes == {"title": ["Estuary"], "artist": ["Tidal Clock"], "mb_recordingid": ["rec-1"]}


# --- assignment on swapped tracks ---------------------------------------------------------


def test_files_whose_tags_swap_two_tracks_are_assigned_by_title_and_length() -> None:
    tracks = local_tracks()
    # the files of tracks 2 and 4 carry each other's numbers (a mis-tagged album)
    tracks[1], tracks[3] = replace(tracks[1], track=4), replace(tracks[3], track=2)
    match = score_release(local_album(tracks), release("rel-1"))
    assert {tid: t.title for tid, t in match.mapping.items()} == {
        t.track_id: t.title for t in tracks
    }
    assert match.unmatched_local == [] and match.unmatched_mb == []
    # the swap shows up in the two files' breakdowns, and only there
    index_penalty = {
        tid: next(r["penalty"] for r in rows if r["name"] == "track_index")
        for tid, rows in match.track_breakdowns().items()
    }
    assert index_penalty == {1: 0.0, 2: 1.0, 3: 0.0, 4: 1.0, 5: 0.0}


def test_files_numbered_in_reverse_are_still_assigned_to_their_tracks() -> None:
    tracks = local_tracks()
    n = len(tracks)
    reversed_numbers = [replace(t, track=n - i) for i, t in enumerate(tracks)]
    match = score_release(local_album(reversed_numbers), release("rel-1"))
    assert {tid: t.title for tid, t in match.mapping.items()} == {
        t.track_id: t.title for t in tracks
    }


def test_untitled_files_with_swapped_numbers_fall_back_to_their_lengths() -> None:
    tracks = [replace(t, title="", path="") for t in local_tracks()]
    tracks[0], tracks[3] = replace(tracks[0], track=4), replace(tracks[3], track=1)
    match = score_release(local_album(tracks), release("rel-1"))
    # lengths far apart (201 s and 312 s) outweigh the numbers the tags give
    assert match.mapping[1].title == "Low Water"
    assert match.mapping[4].title == "Fog Signal"
    assert [match.mapping[t].title for t in (2, 3, 5)] == [SONGS[i][0] for i in (1, 2, 4)]


# --- storing (libtool.changes.proposals) ----------------------------------------------


def _group(*ids: int) -> Group:
    tracks = [LocalTrack(i, title=f"t{i}") for i in ids]
    if len(ids) == 1:
        return Group(track_key(ids), f"g{ids}", track=tracks[0])
    return Group(track_key(ids), f"g{ids}", album=LocalAlbum.from_tracks(track_key(ids), tracks))


def test_storing_a_regrouped_album_drops_the_old_groupings_of_its_tracks(
    library: Library,
) -> None:
    with library.session() as session:
        stored.store(session, _group(1, 2, 3), [cand("a", 90.0)], Recommendation.medium)
        stored.store(session, _group(7, 8), [cand("b", 90.0)], Recommendation.medium)
        settled = stored.store(session, _group(5, 6), [cand("c", 99.0)], Recommendation.strong)
        stored.mark(session, [settled], APPLIED)
        session.commit()
    with library.session() as session:
        # track 3 left the first album; track 5 joins a new one (its settled one stays)
        stored.store(session, _group(3, 4, 5), [cand("d", 95.0)], Recommendation.medium)
        session.commit()
    with library.session() as session:
        rows = {p.track_key: p for p in session.scalars(select(Proposal))}
        assert set(rows) == {"3,4,5", "5,6", "7,8"}
        assert rows["3,4,5"].track_ids == [3, 4, 5] and rows["3,4,5"].status == "pending"
        assert rows["5,6"].status == APPLIED
        # storing the same group again refreshes it in place
        again = stored.store(session, _group(3, 4, 5), [], Recommendation.none)
        assert again.id == rows["3,4,5"].id and again.status == "no_match"
