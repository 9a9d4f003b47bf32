"""The change-detection rules shared by the scanner and the no-change fast path."""

from __future__ import annotations

from libtool.scan.walk import Walk, classify

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
