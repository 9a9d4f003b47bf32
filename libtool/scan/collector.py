"""The cyclic garbage collector in a scan's writing process: rare passes, not none.

A scan allocates a few tuples per file (a reader's result, the writer's row) that hold
no reference cycles and are freed a batch later. At Python's default threshold (a pass
over the youngest objects every 700 net allocations) the collector ran about 430 times
in the main process of a 100,000-file scan and took 0.31-0.57 s of it, freeing nothing
of note; with ``SCAN_THRESHOLD`` it ran twice (0.03-0.06 s). It still runs, so a cycle
(an exception's traceback, say) is freed a few thousand allocations later. Readers
forked during the scan inherit the setting; in a reader alone it made no difference
measurable here (156-171 against 160-182 us a file, four alternating runs).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SCAN_THRESHOLD = 20_000  # net allocations between passes over the youngest objects


def collect_rarely() -> None:
    """Raise the first generation's threshold for the rest of this process."""
    youngest, older, oldest = gc.get_threshold()
    if 0 < youngest < SCAN_THRESHOLD:  # 0: collection is off, and stays off
        gc.set_threshold(SCAN_THRESHOLD, older, oldest)


_lock = threading.Lock()
_active = 0  # scans in this process inside ``rare_collections`` (a UI may run two)
_before: tuple[int, int, int] | None = None


@contextmanager
def rare_collections() -> Iterator[None]:
    """Collect rarely while the block runs (the writer's process), then as before; the
    setting is restored when the last of overlapping blocks (in other threads) ends."""
    global _active, _before
    with _lock:
        if _active == 0:
            _before = gc.get_threshold()
            collect_rarely()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _before is not None:
                gc.set_threshold(*_before)
