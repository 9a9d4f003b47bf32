"""A scan collects garbage rarely, in its readers and while it writes, and leaves the
process's collector as it found it."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator

import pytest

from libtool.scan.collector import SCAN_THRESHOLD, collect_rarely, rare_collections
from libtool.scan.readers import read_in_processes


@pytest.fixture
def default_threshold() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def threshold_in_reader(path: bytes) -> tuple[bytes, int]:
    return path, gc.get_threshold()[0]


def died(path: bytes, why: str) -> tuple[bytes, str]:
    return path, why


def test_rare_collections_raise_the_first_threshold_and_restore_it(
    default_threshold: tuple[int, int, int],
) -> None:
    with rare_collections():
        assert gc.get_threshold() == (SCAN_THRESHOLD, 10, 10)
    assert gc.get_threshold() == default_threshold


def test_the_threshold_is_restored_when_the_block_fails(
    default_threshold: tuple[int, int, int],
) -> None:
    with pytest.raises(KeyError), rare_collections():
        raise KeyError("boom")
    assert gc.get_threshold() == default_threshold


def test_a_collector_switched_off_by_threshold_stays_off(
    default_threshold: tuple[int, int, int],
) -> None:
    gc.set_threshold(0, 10, 10)
    collect_rarely()
    assert gc.get_threshold()[0] == 0


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="fork")
def test_readers_collect_rarely_while_the_parent_keeps_its_own_setting(
    default_threshold: tuple[int, int, int],
) -> None:
    ctx = multiprocessing.get_context("fork")
    paths = [b"/m/%d" % n for n in range(20)]

    results = dict(read_in_processes(ctx, 2, threshold_in_reader, paths, 4, died))

    assert set(results.values()) == {SCAN_THRESHOLD}
    assert gc.get_threshold() == default_threshold
