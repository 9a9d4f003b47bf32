"""A scan collects garbage rarely while it writes, and leaves the process's collector as
it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from libtool.scan.collector import SCAN_THRESHOLD, collect_rarely, rare_collections


@pytest.fixture
def default_threshold() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


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


def test_overlapping_scans_restore_the_setting_when_the_last_one_ends(
    default_threshold: tuple[int, int, int],
) -> None:
    first, second = rare_collections(), rare_collections()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first to start ends first
    assert gc.get_threshold()[0] == SCAN_THRESHOLD  # the other is still scanning
    second.__exit__(None, None, None)
    assert gc.get_threshold() == default_threshold
