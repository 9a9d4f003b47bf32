"""The MusicBrainz accuracy benchmark (``benchmarks/mb_accuracy.py``) on a small seed, so CI
keeps its targets: real HTTP to the local WS/2 server, a real library on disk, the real
enrichment. Plus the benchmark's own judging, on proposals made up here."""

from __future__ import annotations

from typing import Any

from benchmarks.mb_accuracy import (
    ABSENT,
    CONTROLS,
    KINDS,
    TARGET_REQUESTS,
    TARGET_RIGHT,
    Plan,
    judge,
    main,
    plan,
    rows_for,
    run,
)
from libtool.db.models import Proposal


def test_the_targets_hold_on_a_small_seed() -> None:
    report = run(albums=2 * len(KINDS), seed=3, noise=40)
    assert [r.kind for r in report.by_kind] == list(KINDS)
    assert all(r.albums == 2 for r in report.by_kind)
    damaged = report.damaged
    assert damaged.albums == 2 * (len(KINDS) - len(CONTROLS))
    assert damaged.right_share >= TARGET_RIGHT, [
        o for o in report.outcomes if o.served and not o.right
    ]
    assert damaged.requests_per_album <= TARGET_REQUESTS
    assert report.overall.wrong_auto_applies == 0, [
        o for o in report.outcomes if o.wrong_auto_apply
    ]
    assert report.ok
    # the requests were counted from the server's log: an album id costs one lookup
    by_kind = {r.kind: r for r in report.by_kind}
    assert by_kind["tagged_mbid"].requests_per_album == 1.0
    assert all(o.requests >= 1 for o in report.outcomes)


def test_main_prints_the_table_and_exits_0_when_the_targets_hold(capsys: Any) -> None:
    assert main(["--albums", str(len(KINDS)), "--seed", "2", "--noise", "10"]) == 0
    out = capsys.readouterr().out
    assert "| **damaged set** |" in out and "targets: right" in out


def test_the_catalogue_holds_the_traps_and_not_the_absent_releases() -> None:
    catalogue, plans = plan(len(KINDS), seed=4, noise=5)
    for p in plans:
        assert (p.truth["id"] in catalogue.releases) == (p.kind not in ABSENT)
        for extra in p.extra:
            assert extra["id"] in catalogue.releases
    kinds = {p.kind: p for p in plans}
    deluxe = kinds["deluxe"].extra[0]
    assert deluxe["release_group"]["id"] == kinds["deluxe"].truth["release_group"]["id"]
    assert len(kinds["two_disc"].truth["media"]) == 2


def _plan(kind: str, rid: str = "truth") -> Plan:
    truth = {
        "id": rid,
        "title": "Album",
        "artist_credit": [{"id": "a", "name": "Artist"}],
        "date": "2001-01-01",
        "media": [{"position": 1, "tracks": [{"title": "One", "position": 1, "length": 1000}]}],
    }
    return Plan(0, kind, truth, served=kind not in ABSENT)


def _proposal(pid: int, track_ids: list[int], best: str, **best_fields: Any) -> Proposal:
    candidate = {
        "id": best,
        "kind": "release",
        "title": "Album",
        "artist": "Artist",
        "score": 99.0,
        "search_score": 99.0,
        "looked_up": True,
        "release_group_id": f"group-{best}",
        **best_fields,
    }
    return Proposal(id=pid, track_ids=track_ids, candidates=[candidate], recommendation="strong")


def test_judge_tells_right_wrong_and_wrong_auto_applies() -> None:
    owner = {1: 0, 2: 0}
    right = judge([_proposal(9, [1, 2], "truth")], owner, [_plan("clean")], {9: 2})
    assert [(o.right, o.auto_applied, o.wrong_auto_apply, o.requests) for o in right] == [
        (True, True, False, 2)
    ]
    wrong = judge([_proposal(9, [1, 2], "decoy")], owner, [_plan("decoy")], {})
    assert [(o.right, o.auto_applied, o.wrong_auto_apply) for o in wrong] == [(False, True, True)]
    # not strong enough to apply: wrong, but no wrong auto-apply
    weak = _proposal(9, [1, 2], "decoy", score=80.0)
    (o,) = judge([weak], owner, [_plan("decoy")], {})
    assert (o.right, o.auto_applied, o.wrong_auto_apply) == (False, False, False)
    # files split over two proposals: not right, even when each names the truth
    split = [_proposal(1, [1], "truth"), _proposal(2, [2], "truth")]
    (o,) = judge(split, owner, [_plan("clean")], {})
    assert not o.right and o.groups == 2 and o.wrong_auto_apply
    # an album MusicBrainz does not have: any auto-apply is wrong
    (o,) = judge([_proposal(9, [1, 2], "truth")], owner, [_plan("absent")], {})
    assert not o.served and o.wrong_auto_apply


def test_untagged_rows_carry_only_a_path_and_a_length() -> None:
    import random

    _, plans = plan(len(KINDS), seed=1, noise=0)
    untagged = next(p for p in plans if p.kind == "untagged")
    rows = rows_for(untagged, random.Random(0))
    assert rows and all(set(r) == {"path", "length"} for r in rows)
    artist = untagged.truth["artist_credit"][0]["name"]
    year = untagged.truth["date"][:4]
    assert (
        rows[0]["path"].decode().startswith(f"/music/{artist}/{untagged.truth['title']} ({year})/")
    )
