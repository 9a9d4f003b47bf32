"""The weighted distance: each component alone, the mean, the breakdown."""

from __future__ import annotations

import json

import pytest

from libtool.musicbrainz.distance import Distance, Weights, check_penalty, string_penalty


def only(dist: Distance) -> float:
    (component,) = dist.components
    return component.penalty


def test_empty_distance_is_zero_and_scores_100() -> None:
    assert Distance().distance == 0.0 and Distance().score == 100.0


@pytest.mark.parametrize("bad", [-0.1, 1.01, float("nan")])
def test_penalties_outside_0_1_are_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        check_penalty(bad)
    with pytest.raises(ValueError):
        Distance().add("album", bad)


def test_negative_weight_and_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError):
        Distance().add("album", 0.5, weight=-1)
    with pytest.raises(KeyError):
        Distance().add("no_such_component", 0.5)


def test_add_string() -> None:
    d = Distance()
    d.add_string("album", "The Beatles", "Beatles")
    assert only(d) == 0.0
    d = Distance()
    d.add_string("album", "Abbey Road", "Abbey Raod")
    assert 0 < only(d) < 0.3
    d = Distance()
    d.add_string("album", "Abbey Road", "Something Completely Else")
    assert only(d) > 0.6


def test_add_string_missing_sides() -> None:
    d = Distance()
    d.add_string("album", "", "")
    assert d.components == []
    d.add_string("album", "", "x")
    assert only(d) == 1.0
    d = Distance()
    d.add_string("album", "x", None, missing=None)
    assert d.components == []


def test_string_penalty_ignores_word_order_mostly() -> None:
    assert string_penalty("Garfunkel Simon", "Simon Garfunkel") <= 0.05


def test_add_number() -> None:
    d = Distance()
    d.add_number("year", 2000, 2005, span=10)
    assert only(d) == 0.5
    d = Distance()
    d.add_number("year", 2000, 2050, span=10)
    assert only(d) == 1.0
    d = Distance()
    d.add_number("year", None, 2000)
    assert d.components == []
    with pytest.raises(ValueError):
        d.add_number("year", 1, 2, span=0)


def test_add_ratio() -> None:
    d = Distance()
    d.add_ratio("missing_tracks", 2, 8)
    assert only(d) == 0.25
    d = Distance()
    d.add_ratio("missing_tracks", 3, 0)
    assert only(d) == 0.0
    d = Distance()
    d.add_ratio("missing_tracks", 9, 3)
    assert only(d) == 1.0


def test_add_bool_and_expr() -> None:
    d = Distance()
    d.add_bool("barcode", "123", "123")
    d.add_bool("barcode", "123", "456")
    d.add_bool("barcode", "", "456")  # unknown: skipped
    assert [c.penalty for c in d.components] == [0.0, 1.0]
    d = Distance()
    d.add_expr("album_id", True)
    d.add_expr("album_id", False)
    assert [c.penalty for c in d.components] == [1.0, 0.0]


def test_add_priority() -> None:
    d = Distance()
    d.add_priority("pref_country", "US", ["GB", "US", "DE", "XE"])
    d.add_priority("pref_country", "JP", ["GB", "US", "DE", "XE"])
    d.add_priority("pref_media", ["Vinyl", "CD"], ["CD", "Vinyl"])
    d.add_priority("pref_type", "Album", [])  # no preference: skipped
    assert [c.penalty for c in d.components] == [0.25, 1.0, 0.0]


def test_distance_is_the_weighted_mean() -> None:
    w = Weights(album=3.0, artist=1.0)
    d = Distance(w)
    d.add("album", 1.0)
    d.add("artist", 0.0)
    assert d.distance == pytest.approx(0.75)
    assert d.score == 25.0
    d.add("artist", 0.5, weight=4.0)
    assert d.distance == pytest.approx((3.0 + 2.0) / 8.0)


def test_weights_are_passed_in() -> None:
    heavy = Distance(Weights(album=10.0))
    light = Distance(Weights(album=0.1))
    for d in (heavy, light):
        d.add("album", 1.0)
        d.add("artist", 0.0)
    assert heavy.distance > 0.7 > 0.1 > light.distance


def test_breakdown_sorted_by_contribution_and_json_ready() -> None:
    d = Distance(Weights(album=3.0, artist=3.0, year=1.0, tracks=2.0))
    d.add("year", 1.0)
    d.add("album", 0.5)
    d.add("artist", 0.0)
    d.add("tracks", 0.2)
    d.add("tracks", 0.4)
    rows = d.breakdown()
    assert [r["name"] for r in rows] == ["album", "tracks", "year", "artist"]
    # 11 weight in all; tracks: (2 * 0.2 + 2 * 0.4) / 11
    assert rows[1] == {"name": "tracks", "penalty": 0.3, "weight": 4.0, "contribution": 0.1091}
    assert sum(r["contribution"] for r in rows) == pytest.approx(d.distance, abs=1e-3)
    assert json.loads(json.dumps(rows)) == rows


def test_update_merges_components() -> None:
    a, b = Distance(), Distance()
    a.add("album", 1.0)
    b.add("artist", 0.0)
    a.update(b)
    assert [c.name for c in a.components] == ["album", "artist"]


def test_unrelated_names_cost_a_full_penalty_and_typos_stay_cheap() -> None:
    assert string_penalty("Signal Echo Sirius", "Breaker Meadow") == 1.0
    assert string_penalty("Radiohead", "Metallica") == 1.0
    assert 0 < string_penalty("Marow Lane", "Marrow Lane") < 0.06
    assert 0 < string_penalty("The Long Peir", "The Long Pier") < 0.12
    # in between, the penalty still grows with the difference
    near = string_penalty("Night Ferry", "Night Ferries")
    far = string_penalty("Night", "Nights Out")
    assert 0 < near < far < 1
