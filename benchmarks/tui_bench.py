"""TUI speed on a 100,000-track library (direct inserts, no audio).

    PYTHONPATH=. python benchmarks/tui_bench.py [--tracks N] [--runs N] [--db PATH] [--sql]

Measures through Textual's Pilot (``run_test``, headless): start to first rows painted,
a search keystroke to updated results, page down and jump to the end (medians), and the
process's peak RSS.

Two clocks, because Pilot's own waiting dominates a fast key:

- **frame** (the figures the targets are checked against): from the key event being
  sent (as ``Pilot.press`` sends it) to the first frame composed that shows the result
  (the new list, the moved cursor). Frames are seen by wrapping ``App._display``, which
  the compositor calls for every update, headless included.
- **pilot** (how the first figures were taken): ``await pilot.press(key)`` until the
  result is there, then ``await pilot.pause()``. Both calls wait for the process to look
  idle in steps of 20 ms (``textual._wait.wait_for_idle``), so even a key bound to
  nothing takes about 65 ms this way; that figure is printed as ``null key (pilot)``.

``--db PATH`` keeps the generated library there and reuses it when it already holds
``--tracks`` tracks (building 100,000 takes about 30 s). ``--sql`` prints the statements
each measured action issued, with counts and time spent in SQLite.
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
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event
from textual import events
from textual.keys import _character_to_key

from libtool.config import Settings
from libtool.service.core import Service
from libtool.tui.app import make_app
from tests.factories import add_tracks

SEARCHES = ("Song 0123", "Song 04", "Artist 07")


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


class SqlLog:
    """Statements run while ``action`` is set, with the time SQLite spent on them."""

    def __init__(self, service: Service) -> None:
        self.action: str | None = None
        self.stats: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        engine = service.library.engine
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["bench_t"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.action is not None:
            spent = time.perf_counter() - conn.info.pop("bench_t", time.perf_counter())
            self.stats[self.action][" ".join(statement.split())].append(spent)

    def report(self) -> None:
        for action, statements in self.stats.items():
            print(f"\nSQL during {action}:")
            for sql, times in sorted(statements.items(), key=lambda kv: -sum(kv[1])):
                print(f"  {len(times):4d}x {sum(times) * 1000:8.1f} ms  {sql[:150]}")


class Frames:
    """Times from a key event to the first composed frame at which ``done()`` holds."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.done: Callable[[], bool] | None = None
        self.hit: float | None = None
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            done = self.done
            if renderable is not None and done is not None and self.hit is None and done():
                self.hit = time.perf_counter()

        app._display = display

    async def key(self, key: str, done: Callable[[], bool], timeout: float = 30) -> float:
        char = key if len(key) == 1 else None
        name = _character_to_key(key) if char is not None else key
        self.done, self.hit = done, None
        start = time.perf_counter()
        self.app._driver.send_message(events.Key(name, char))
        while self.hit is None:
            await asyncio.sleep(0.001)
            if time.perf_counter() - start > timeout:
                raise TimeoutError(key)
        self.done = None
        return self.hit - start


async def until(pilot: Any, check: Any, timeout: float = 30) -> float:
    start = time.perf_counter()
    while not check():
        await pilot.pause(0.005)
        if time.perf_counter() - start > timeout:
            raise TimeoutError
    return time.perf_counter() - start


async def settle(app: Any, pilot: Any) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause(0.3)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def measure(service: Service, runs: int, sql: SqlLog) -> dict[str, list[float]]:
    results: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        await one_run(service, results, sql)
    return results


async def one_run(service: Service, results: dict[str, list[float]], sql: SqlLog) -> None:
    app = make_app(service, poll_interval=None, cursor_blink=False)
    t0 = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        frames = Frames(app)
        await until(pilot, lambda: app.tracks.ids and app.tracks._cache)
        results["start"].append(time.perf_counter() - t0)
        await settle(app, pilot)
        search: Any = app.query_one("#search")
        for word in SEARCHES:
            for method in ("frame", "pilot"):
                await pilot.press("slash")
                search.value = ""
                await pilot.press(*word[:-1])
                await settle(app, pilot)
                first = app.tracks.ids
                sql.action = "search"
                if method == "frame":
                    changed = lambda first=first: app.tracks.ids is not first  # noqa: E731
                    spent = await frames.key(word[-1], changed)
                else:
                    t1 = time.perf_counter()
                    await pilot.press(word[-1])
                    await until(pilot, lambda first=first: app.tracks.ids is not first)
                    await pilot.pause()
                    spent = time.perf_counter() - t1
                await settle(app, pilot)  # the SQL issued after the frame counts too
                sql.action = None
                results[f"search {method}"].append(spent)
                results[f"search {method} {word}"].append(spent)
        search.value = ""
        await until(pilot, lambda: len(app.tracks.ids) == service.count_tracks())
        app.tracks.focus()
        await settle(app, pilot)
        tracks = app.tracks
        for method in ("frame", "pilot"):
            for _ in range(5):
                await settle(app, pilot)
                target = min(tracks.cursor + max(tracks.size.height - 1, 1), len(tracks.ids) - 1)
                sql.action = "page down"
                if method == "frame":
                    spent = await frames.key("pagedown", lambda t=target: tracks.cursor == t)
                else:
                    t2 = time.perf_counter()
                    await pilot.press("pagedown")
                    await pilot.pause()
                    spent = time.perf_counter() - t2
                await settle(app, pilot)
                sql.action = None
                results[f"pagedown {method}"].append(spent)
            await settle(app, pilot)
            last = len(tracks.ids) - 1
            sql.action = "jump to end"
            if method == "frame":
                spent = await frames.key("end", lambda last=last: tracks.cursor == last)
            else:
                t3 = time.perf_counter()
                await pilot.press("end")
                await pilot.pause()
                spent = time.perf_counter() - t3
            await settle(app, pilot)
            sql.action = None
            results[f"end {method}"].append(spent)
            await pilot.press("home")
        for _ in range(5):
            await settle(app, pilot)
            t4 = time.perf_counter()
            await pilot.press("f12")  # bound to nothing: Pilot's own waiting
            await pilot.pause()
            results["null key pilot"].append(time.perf_counter() - t4)


def library(path: str, tracks: int) -> Service:
    service = Service(Settings(database=path))
    have = service.count_tracks()
    if have != tracks:
        if have:
            raise SystemExit(f"{path} holds {have:,} tracks, not {tracks:,}; use another --db")
        t = time.perf_counter()
        build(service, tracks)
        print(f"built {tracks:,} tracks in {time.perf_counter() - t:.1f}s")
    return service


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", help="keep the generated library here (reused if complete)")
    parser.add_argument("--sql", action="store_true", help="print the SQL of each action")
    args = parser.parse_args()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    with tempfile.TemporaryDirectory() as tmp:
        service = library(args.db or str(Path(tmp) / "bench.db"), args.tracks)
        sql = SqlLog(service)
        results = asyncio.run(measure(service, args.runs, sql))
        service.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load average {os.getloadavg()[0]:.1f}; {args.runs} runs; medians")
    print(f"{'measure':<40}{'frame':>9}{'pilot':>9}  target")
    rows = [
        ("start to first rows painted", "start", "", "< 1000 ms"),
        ("search: last key to new results", "search frame", "search pilot", "< 150 ms"),
        *[(f"  {word!r}", f"search frame {word}", f"search pilot {word}", "") for word in SEARCHES],
        ("page down", "pagedown frame", "pagedown pilot", "< 50 ms"),
        ("jump to end", "end frame", "end pilot", "< 100 ms"),
        ("null key (Pilot's own waiting)", "", "null key pilot", ""),
    ]
    for label, frame, pilot, target in rows:
        cells = [
            f"{statistics.median(results[key]) * 1000:>7.0f}ms" if key else f"{'':>9}"
            for key in (frame, pilot)
        ]
        print(f"{label:<40}{cells[0]:>9}{cells[1]:>9}  {target}")
    print(f"{'peak RSS':<40}{rss:>7.0f}MiB{'':>9}  < 300 MB")
    if args.sql:
        sql.report()


if __name__ == "__main__":
    main()
