"""The reader processes: every path read once, a reader that dies costs only its file,
and stopping early leaves no process behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from libtool.scan.readers import read_in_processes

FORK = multiprocessing.get_context("fork")
pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork"
)


def echo(path: bytes) -> tuple[bytes, int]:
    return path, os.getpid()


def deadly(path: bytes) -> tuple[bytes, int]:
    if path.endswith(b"-bad"):
        os.kill(os.getpid(), signal.SIGKILL)
    return path, os.getpid()


def died(path: bytes, why: str) -> tuple[bytes, str]:
    return path, why


def test_every_path_is_read_once_across_the_readers() -> None:
    paths = [b"/m/%d" % n for n in range(1000)]

    results = list(read_in_processes(FORK, 2, echo, paths, 7, died))

    assert sorted(p for p, _ in results) == sorted(paths)
    assert len({pid for _, pid in results}) == 2 and os.getpid() not in {p for _, p in results}


def test_a_reader_that_dies_costs_only_the_file_that_killed_it() -> None:
    paths = [b"/m/%d" % n for n in range(200)]
    paths[57] += b"-bad"
    paths[140] += b"-bad"

    results = dict(read_in_processes(FORK, 2, deadly, paths, 16, died))

    assert sorted(results) == sorted(paths)
    for bad in (paths[57], paths[140]):
        assert results[bad] == "the reader process was killed by SIGKILL reading it"
    assert all(isinstance(v, int) for p, v in results.items() if not p.endswith(b"-bad"))


def test_closing_early_stops_the_readers() -> None:
    before = set(multiprocessing.active_children())
    results = read_in_processes(FORK, 2, echo, (b"/m/%d" % n for n in range(10**6)), 4, died)
    next(results)
    readers = set(multiprocessing.active_children()) - before
    assert len(readers) == 2

    results.close()

    deadline = time.monotonic() + 10
    while any(r.is_alive() for r in readers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(r.is_alive() for r in readers)
