"""TUI speed on a 100,000-track library (direct inserts, no audio).

    PYTHONPATH=. python benchmarks/tui_bench.py [--tracks N]

Measures with Pilot: start to first rows painted, a search keystroke to updated
results, page down, jump to the end (medians), and the process RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from libtool.config import Settings
from libtool.service.core import Service
from libtool.tui.app import make_app
from tests.factories import add_tracks


def build(service: Service, count: int) -> None:
    batch = []
    for n in range(count):
        artist = f"Artist {n // 120:04d}"
        batch.append(
            {
                "title": [f"Song {n:06d}"],
                "artist": [artist],
                "albumartist": [artist],
                "album": [f"Album {n // 12:05d}"],
                "track": [str(n % 12 + 1)],
                "date": [str(1960 + n % 60)],
                "path": f"/music/{n // 12:05d}/{n:06d}.mp3".encode(),
            }
        )
        if len(batch) == 5000:
            add_tracks(service.library, *batch)
            batch = []
    if batch:
        add_tracks(service.library, *batch)


async def until(pilot: Any, check: Any, timeout: float = 30) -> float:
    start = time.perf_counter()
    while not check():
        await pilot.pause(0.005)
        if time.perf_counter() - start > timeout:
            raise TimeoutError
    return time.perf_counter() - start


async def measure(service: Service, runs: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"start": [], "search": [], "pagedown": [], "end": []}
    for _ in range(runs):
        await one_run(service, results)
    return results


async def one_run(service: Service, results: dict[str, list[float]]) -> None:
    app = make_app(service, poll_interval=None, search_delay=0.15, cursor_blink=False)
    t0 = time.perf_counter()
    if True:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.tracks.ids and app.tracks._cache)
            results["start"].append(time.perf_counter() - t0)
            for word in ("Song 0123", "Song 04", "Artist 07"):
                await pilot.press("slash")
                app.query_one("#search").value = ""  # type: ignore[attr-defined]
                await pilot.pause()
                await pilot.press(*word[:-1])
                await until(pilot, lambda: not app.workers._workers)
                await pilot.pause(0.3)
                first = app.tracks.ids
                t1 = time.perf_counter()
                await pilot.press(word[-1])
                await until(pilot, lambda first=first: app.tracks.ids is not first)
                await pilot.pause()
                # debounce included: time from the last keystroke to the new list on screen
                results["search"].append(time.perf_counter() - t1)
            app.query_one("#search").value = ""  # type: ignore[attr-defined]
            await until(pilot, lambda: len(app.tracks.ids) == service.count_tracks())
            app.tracks.focus()
            for _ in range(5):
                t2 = time.perf_counter()
                await pilot.press("pagedown")
                await pilot.pause()
                results["pagedown"].append(time.perf_counter() - t2)
            t3 = time.perf_counter()
            await pilot.press("end")
            await pilot.pause()
            results["end"].append(time.perf_counter() - t3)
            await pilot.press("home")
            await pilot.pause()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    with tempfile.TemporaryDirectory() as tmp:
        service = Service(Settings(database=str(Path(tmp) / "bench.db")))
        t = time.perf_counter()
        build(service, args.tracks)
        print(f"built {args.tracks:,} tracks in {time.perf_counter() - t:.1f}s")
        results = asyncio.run(measure(service, args.runs))
        service.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'measure':<34}{'median':>10}")
    labels = {
        "start": "start to first rows painted",
        "search": "search: last key to new results*",
        "pagedown": "page down",
        "end": "jump to end",
    }
    for key, label in labels.items():
        print(f"{label:<34}{statistics.median(results[key]) * 1000:>8.0f}ms")
    print(f"{'peak RSS':<34}{rss:>8.0f}MiB")
    print("* includes the 150 ms debounce")


if __name__ == "__main__":
    main()
