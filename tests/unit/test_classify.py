"""The change-detection rules shared by the scanner and the no-change fast path."""

from __future__ import annotations

import pytest

from libtool.scan.walk import Stamp, Walk, classify, nothing_changed

A, B, C = (1, 10, 100), (2, 20, 200), (3, 30, 300)


def test_each_kind_of_change() -> None:
    walk = Walk(
        files={b"/m/same": A, b"/m/new": A, b"/m/touched": B, b"/m/back": A, b"/m/broken": C}
    )
    known = {
        b"/m/same": (A, False),
        b"/m/touched": (A, False),  # same size and mtime would not be enough: ctime differs
        b"/m/back": (A, True),  # was missing, now present again
        b"/m/gone": (A, False),
        b"/m/long-gone": (A, True),
    }
    failed = {b"/m/broken": C, b"/m/deleted-broken": C}
    changes = classify(walk, known, failed)
    assert changes.unchanged == 1
    assert sorted(changes.to_read) == [b"/m/back", b"/m/new", b"/m/touched"]
    assert changes.still_failing == [b"/m/broken"]
    assert changes.vanished == [b"/m/gone"]
    assert changes.errors_gone == [b"/m/deleted-broken"]

    full = classify(walk, known, failed, full=True)
    assert full.unchanged == 0 and len(full.to_read) == len(walk.files)


def test_files_under_an_unreadable_folder_have_not_vanished() -> None:
    walk = Walk(files={}, unreadable=[b"/m/locked"])
    known = {b"/m/locked/a.mp3": (A, False), b"/m/open/b.mp3": (A, False)}
    assert classify(walk, known, {}).vanished == [b"/m/open/b.mp3"]


def _nothing_to_do(walk: Walk, known: dict[bytes, tuple[Stamp, bool]], failed: dict) -> bool:
    changes = classify(walk, known, failed)
    return not (changes.to_read or changes.vanished or changes.errors_gone)


@pytest.mark.parametrize(
    ("files", "known", "failed"),
    [
        ({b"/m/a": A, b"/m/b": B}, {b"/m/a": (A, False), b"/m/b": (B, False)}, {}),
        ({b"/m/a": A}, {b"/m/a": (A, False), b"/m/gone": (B, False)}, {}),  # vanished
        ({b"/m/a": A, b"/m/new": B}, {b"/m/a": (A, False)}, {}),  # new
        ({b"/m/a": B}, {b"/m/a": (A, False)}, {}),  # changed
        ({b"/m/a": A}, {b"/m/a": (A, True)}, {}),  # back from missing
        ({b"/m/a": A}, {b"/m/a": (A, False), b"/m/old": (B, True)}, {}),  # still missing
        ({b"/m/a": A, b"/m/x": C}, {b"/m/a": (A, False)}, {b"/m/x": C}),  # still failing
        ({b"/m/a": A, b"/m/x": B}, {b"/m/a": (A, False)}, {b"/m/x": C}),  # failure changed
        ({b"/m/a": A}, {b"/m/a": (A, False)}, {b"/m/x": C}),  # failure gone
        ({b"/m/x": C}, {b"/m/x": (C, True)}, {b"/m/x": C}),  # missing track, same failure
        ({}, {}, {}),
    ],
)
def test_nothing_changed_agrees_with_classify(
    files: dict[bytes, Stamp], known: dict[bytes, tuple[Stamp, bool]], failed: dict
) -> None:
    """The no-change rescan's whole-dict test answers as the per-file rules do."""
    walk = Walk(files=files)
    present = {path: stamp for path, (stamp, missing) in known.items() if not missing}
    found = nothing_changed(walk, present, failed)
    assert (found is not None) == _nothing_to_do(walk, known, failed)
    if found is not None:
        assert sorted(found) == sorted(classify(walk, known, failed).still_failing)
