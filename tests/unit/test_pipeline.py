"""The reading side of a scan: every walked file decided once, reading while the walk
goes on, and leaving early stops the walk, the feeding thread and the readers."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import libtool.scan.pipeline as pipeline
from libtool.scan.pipeline import TargetReading
from libtool.scan.walk import Stamp, Walk

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork"
)


def echo(path: bytes) -> tuple[bytes, None, tuple[str, str]]:
    """A reader that only says which process it ran in."""
    return path, None, ("echo", str(os.getpid()))


@pytest.fixture(autouse=True)
def fake_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "read_one", echo)
    monkeypatch.setattr(pipeline, "pool_context", lambda: multiprocessing.get_context("fork"))


def fake_walk(monkeypatch: pytest.MonkeyPatch, paths: Iterator[bytes]) -> None:
    def walk(
        top: bytes, walk: Walk, ignore: tuple[str, ...], report: Any, stamps: bool
    ) -> Iterator[Any]:
        for path in paths:
            yield path, (1, 1, 1)

    monkeypatch.setattr(pipeline, "_walk_target", walk)


def scan_threads() -> set[str]:
    """The walk's and the feeding thread, if still running."""
    return {t.name for t in threading.enumerate()} & {"mlib-walk", "mlib-readers"}


def read_then_leave(results: int) -> None:
    """Read the first ``results`` files of ``/m``, then leave the reading early."""
    with TargetReading(b"/m", jobs=2) as reading:
        got = 0
        for result in reading.results():
            got += result is not None
            if got == results:
                break


def stamp_of(path: Path) -> Stamp:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def test_every_walked_file_is_decided_once(tmp_path: Path) -> None:
    files = []
    for n in range(300):
        path = tmp_path / f"d{n % 7}" / f"{n}.mp3"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x" * (n + 1))
        files.append(path)
    (tmp_path / "d0" / "cover.jpg").write_bytes(b"jpg")
    raw = [os.fsencode(p) for p in files]
    known = {raw[n]: (stamp_of(files[n]), False) for n in range(100)}  # unchanged
    known.update({raw[n]: ((0, 0, 0), False) for n in range(100, 150)})  # changed
    known[os.fsencode(tmp_path / "gone.mp3")] = ((1, 1, 1), False)
    failed = {raw[n]: stamp_of(files[n]) for n in range(150, 170)}  # the same broken files

    with TargetReading(os.fsencode(tmp_path), known=known, failed=failed, jobs=2) as reading:
        results = [r for r in reading.results() if r is not None]

    assert sorted(path for path, _, _ in results) == sorted(raw[100:150] + raw[170:])
    assert (reading.found, reading.unchanged, reading.total) == (300, 100, 180)
    assert sorted(reading.still_failing) == sorted(raw[150:170])
    assert reading.seen == set(raw[:150])  # the known paths found: "gone.mp3" is not
    assert reading.walk.skipped == 1
    assert {pid for _, _, (_, pid) in results} - {str(os.getpid())}  # read in readers


def test_a_small_walk_is_read_in_this_process(tmp_path: Path) -> None:
    for n in range(5):
        (tmp_path / f"{n}.flac").write_bytes(b"x")

    with TargetReading(os.fsencode(tmp_path), jobs=2) as reading:
        results = [r for r in reading.results() if r is not None]

    assert len(results) == 5 and {pid for _, _, (_, pid) in results} == {str(os.getpid())}


def test_reading_starts_before_the_walk_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    released = threading.Event()

    def slow_walk() -> Iterator[bytes]:
        yield from (b"/m/%d.mp3" % n for n in range(2000))
        released.wait(30)  # a folder that takes long to list
        yield b"/m/last.mp3"

    fake_walk(monkeypatch, slow_walk())
    with TargetReading(b"/m", jobs=2) as reading:
        results = reading.results()
        first = next(r for r in results if r is not None)
        walking = not reading.walk_done and reading.total is None
        released.set()
        rest = [r for r in results if r is not None]

    assert walking, "nothing was read until the walk had ended"
    assert len(rest) + 1 == 2001 and first[0] != b"/m/last.mp3"
    assert reading.total == 2001


def slow_echo(path: bytes) -> tuple[bytes, None, tuple[str, str]]:
    import time

    time.sleep(0.001)
    return path, None, ("echo", str(os.getpid()))


def test_the_walk_runs_ahead_so_the_total_is_known_before_the_last_files_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What lets the writer build a first scan's indexes while the last files are read."""
    monkeypatch.setattr(pipeline, "read_one", slow_echo)
    fake_walk(monkeypatch, (b"/m/%d.mp3" % n for n in range(3000)))
    with TargetReading(b"/m", jobs=2) as reading:
        done = 0
        known_at = None
        for result in reading.results():
            if result is None:
                continue
            done += 1
            if known_at is None and reading.total is not None:
                known_at = done

    assert done == reading.total == 3000
    assert known_at is not None and known_at < 1500, f"the total came at file {known_at}"
    assert not scan_threads()


def test_leaving_early_stops_the_walk_the_thread_and_the_readers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def endless() -> Iterator[bytes]:
        n = 0
        while True:
            n += 1
            yield b"/m/%d.mp3" % n

    fake_walk(monkeypatch, endless())
    before = set(multiprocessing.active_children())
    read_then_leave(100)

    assert not scan_threads()
    assert set(multiprocessing.active_children()) <= before


def test_a_failing_walk_is_raised_to_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Iterator[bytes]:
        yield from (b"/m/%d.mp3" % n for n in range(1000))
        raise RuntimeError("the walk broke")

    fake_walk(monkeypatch, broken())
    with TargetReading(b"/m", jobs=2) as reading, pytest.raises(RuntimeError, match="broke"):
        for _ in reading.results():
            pass
    assert not scan_threads()


def test_paths_found_before_a_slow_folder_are_read_while_it_is_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    released = threading.Event()
    guard = threading.Timer(30, released.set)  # the test fails, it does not hang
    guard.daemon = True
    guard.start()

    def slow_folder() -> Iterator[bytes]:
        yield from (b"/m/%d.mp3" % n for n in range(700))
        released.wait()  # a folder that takes long to list (a network share)
        yield b"/m/last.mp3"

    fake_walk(monkeypatch, slow_folder())
    with TargetReading(b"/m", jobs=2) as reading:
        results = reading.results()
        got = 0
        while got < 700:
            got += next(results) is not None
        held_back = released.is_set()
        released.set()
        got += sum(r is not None for r in results)

    guard.cancel()
    assert not held_back, "files found before the slow folder waited for it"
    assert got == 701


def test_leaving_early_stops_a_walk_that_finds_no_more_audio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Folder after folder without a file to read: the walk stops at its next folder."""

    def walk(
        top: bytes, walk: Walk, ignore: tuple[str, ...], report: Any, stamps: bool
    ) -> Iterator[Any]:
        for n in range(600):  # more than a start of reading takes (512)
            yield b"/m/%d.mp3" % n, (1, 1, 1)
        while True:  # an endless tree of folders without audio
            report("walk", 600, 0)
            threading.Event().wait(0.001)

    monkeypatch.setattr(pipeline, "_walk_target", walk)
    read_then_leave(10)

    assert not scan_threads()
