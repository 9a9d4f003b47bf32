"""Where a scan's time goes: start-up, phases of a full scan, per-file worker cost.

    python benchmarks/breakdown.py                 # on benchmarks/corpus/n10000
    python benchmarks/breakdown.py --files 2500 --src /tmp/snapshot

Complements run.py (which only times whole processes): this one reaches into
libtool.scan.scanner and libtool.tags.read, so a piece that no longer exists is reported as
"n/a" instead of failing. Writes benchmarks/out/breakdown.json. Needs a quiet
machine for meaningful absolute numbers; compare items with each other.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

results: dict[str, Any] = {}


def show(section: str, name: str, value: float | str, unit: str = "s") -> None:
    results.setdefault(section, {})[name] = value
    text = f"{value:.4f} {unit}" if isinstance(value, float) else value
    print(f"  {name:<58} {text}", flush=True)


def best_of(n: int, fn: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(n):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def startup(env: dict[str, str], db: str, cwd: Path) -> None:
    print("start-up (fresh processes, best of 5):")
    cases = {
        "python -c pass": "pass",
        "import mutagen (+ all formats, as libtool.tags.read)": "import libtool.tags.read",
        "import libtool.cli (click, config)": "import libtool.cli",
        "import libtool.cli + libtool.scan.scanner (what mlib scan loads)": (
            "import libtool.cli, libtool.scan.scanner"
        ),
        "... + open_library_file(existing db), as mlib scan opens it": (
            "import libtool.cli, libtool.scan.scanner; "
            "from libtool.db.connection import open_library_file; "
            f"open_library_file({db!r})"
        ),
        "import libtool.cli + SQLAlchemy's session and models (other commands)": (
            "import libtool.cli, libtool.db.session, libtool.db.models"
        ),
        "... + open_library(existing db) incl. migration check": (
            f"import libtool.cli; from libtool.db.session import open_library; open_library({db!r})"
        ),
    }
    for name, code in cases.items():
        cmd = [sys.executable, "-c", code]

        def once(cmd: list[str] = cmd) -> None:
            subprocess.run(cmd, env=env, cwd=cwd, check=True, capture_output=True)

        once()
        show("startup", name, best_of(5, once))


@contextlib.contextmanager
def patched(obj: Any, name: str, wrapper: Callable[[Any], Any]) -> Iterator[None]:
    original = getattr(obj, name)
    setattr(obj, name, wrapper(original))
    try:
        yield
    finally:
        setattr(obj, name, original)


def timing(acc: dict[str, float], key: str) -> Callable[[Any], Any]:
    def wrap(fn: Any) -> Any:
        def inner(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                acc[key] = acc.get(key, 0.0) + time.perf_counter() - started

        return inner

    return wrap


def waiting(acc: dict[str, float]) -> Callable[[Any], Any]:
    """Time the main process spends blocked on the worker pool."""

    def wrap(fn: Any) -> Any:
        def inner(*args: Any, **kwargs: Any) -> Iterator[Any]:
            it = fn(*args, **kwargs)
            while True:
                started = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    acc["main blocked waiting for workers"] = (
                        acc.get("main blocked waiting for workers", 0.0)
                        + time.perf_counter()
                        - started
                    )
                yield item

        return inner

    return wrap


def full_scan_phases(corpus: Path, db: str, jobs: int, runs: int) -> None:
    print(
        f"phases of a full scan of {corpus.name}, fresh database, {jobs} workers "
        f"(the fastest of {runs} runs):"
    )
    best: list[tuple[str, float | str, str]] = []
    memory: list[tuple[str, float | str, str]] = []
    best_total = float("inf")
    for run in range(runs):
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
        lines = _one_full_scan(corpus, db, jobs)
        if run == 0:  # max RSS only grows: later runs would show the first one's peak
            memory = [line for line in lines if line[2] == "KiB"]
        total = next(v for k, v, _ in lines if k == "scan() total")
        assert isinstance(total, float)
        if total < best_total:
            best, best_total = lines, total
    for name, value, unit in best:
        if unit != "KiB":
            show("full_scan_phases", name, value, unit)
    print("  memory of the first run (max RSS so far, KiB):")
    for name, value, _ in memory:
        show("memory_kib", name, value, "")


def _one_full_scan(corpus: Path, db: str, jobs: int) -> list[tuple[str, float | str, str]]:

    from libtool.db.session import open_library
    from libtool.scan import pipeline as P
    from libtool.scan import scanner as S

    lines: list[tuple[str, float | str, str]] = []
    acc: dict[str, float] = {}
    calls = {"statements": 0}
    started = time.perf_counter()
    lib = open_library(db)
    acc["open_library (create + migrate)"] = time.perf_counter() - started
    real_connect = lib.connect

    def counted_connect() -> Any:  # the scanner's own sqlite3 connection
        conn = real_connect()

        def count(_sql: str) -> None:  # once per statement run (each executemany row too)
            calls["statements"] += 1

        conn.set_trace_callback(count)
        return conn

    lib.connect = counted_connect  # type: ignore[method-assign]

    memory: dict[str, int] = {"main max RSS before scan": _maxrss()}

    def before_albums(fn: Any) -> Any:
        timed = timing(acc, "regroup_albums")(fn)

        def inner(*args: Any, **kwargs: Any) -> Any:
            memory["main max RSS before regroup_albums"] = _maxrss()
            return timed(*args, **kwargs)

        return inner

    with contextlib.ExitStack() as stack:
        stack.enter_context(patched(P.TargetReading, "results", waiting(acc)))
        stack.enter_context(patched(S._Writer, "flush", timing(acc, "_Writer.flush (DB writes)")))
        stack.enter_context(patched(S, "regroup_albums", before_albums))
        started = time.perf_counter()
        cpu_main, cpu_workers = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
        summary = S.scan(lib, [os.fsencode(corpus)], jobs=jobs)
        acc["scan() total"] = time.perf_counter() - started
        cpu_main = _cpu(resource.RUSAGE_SELF) - cpu_main
        cpu_workers = _cpu(resource.RUSAGE_CHILDREN) - cpu_workers
    lib.close()
    accounted = (
        sum(v for k, v in acc.items() if k not in ("scan() total",))
        - acc["open_library (create + migrate)"]
    )
    acc["rest of scan() (record(), bookkeeping, commits)"] = acc["scan() total"] - accounted
    lines.extend((name, value, "s") for name, value in acc.items())
    lines.append(
        (
            "SQL statements run (executemany rows each count)",
            f"{calls['statements']}",
            "",
        )
    )
    lines.append(("summary", summary.line(), ""))
    lines.append(("CPU of the main process during scan()", cpu_main, "s"))
    lines.append(("CPU of the workers during scan()", cpu_workers, "s"))
    memory["main max RSS after scan"] = _maxrss()
    memory["workers' max RSS (all runs so far)"] = resource.getrusage(
        resource.RUSAGE_CHILDREN
    ).ru_maxrss
    lines.extend((name, f"{kb} KiB", "KiB") for name, kb in memory.items())
    return lines


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


RESCAN_FLOOR = """
import os, sqlite3, stat, sys
files = {}
stack = [os.fsencode(sys.argv[1])]
while stack:
    with os.scandir(stack.pop()) as entries:
        for e in entries:
            if e.name.startswith(b"."):
                continue
            st = e.stat()
            if stat.S_ISDIR(st.st_mode):
                stack.append(e.path)
            else:
                files[e.path] = (st.st_size, st.st_mtime_ns)
conn = sqlite3.connect(sys.argv[2])
known = {p: (s, m) for p, s, m in conn.execute(
    "SELECT path, size, mtime_ns FROM tracks WHERE NOT missing")}
changed = sum(1 for p, v in files.items() if known.get(p) != v) + len(known.keys() - files.keys())
print(changed, "changed")
"""


def rescan_floor(corpus: Path, db: str, env: dict[str, str], cwd: Path) -> None:
    """A whole process doing only what a no-change rescan must: walk, stat, one SELECT."""
    script = cwd / "rescan_floor.py"
    script.write_text(RESCAN_FLOOR)
    cmd = [sys.executable, str(script), str(corpus), db]

    def once() -> None:
        subprocess.run(cmd, env=env, cwd=cwd, check=True, capture_output=True)

    once()
    show("startup", "floor: whole process doing walk + stat + one sqlite3 SELECT", best_of(5, once))


def rescan_phases(corpus: Path, db: str) -> None:
    from libtool.db.session import open_library
    from libtool.scan import scanner as S

    print("phases of a no-change rescan (one run, in-process: imports excluded):")
    acc: dict[str, float] = {}
    started = time.perf_counter()
    lib = open_library(db)
    acc["open_library (existing db: alembic check)"] = time.perf_counter() - started
    from libtool.scan import pipeline as P

    walk = "walk (scandir + stat: nothing to read, so all of it in TargetReading())"
    with patched(P.TargetReading, "__init__", timing(acc, walk)):
        started = time.perf_counter()
        summary = S.scan(lib)
        acc["scan() total"] = time.perf_counter() - started
    lib.close()
    for name, value in acc.items():
        show("rescan_phases", name, value)
    show("rescan_phases", "summary", summary.line(), "")


def worker_costs(paths: list[bytes]) -> list[tuple[bytes, dict[str, Any]]]:
    import mutagen

    from libtool.scan import pipeline as P
    from libtool.tags import read as T

    print(f"per-file cost in one process ({len(paths)} files, best of 3, microseconds):")
    for p in paths:
        Path(os.fsdecode(p)).read_bytes()

    def per_file(fn: Callable[[bytes], Any]) -> float:
        return best_of(3, lambda: [fn(p) for p in paths]) / len(paths) * 1e6

    def baseline(p: bytes) -> None:
        audio = mutagen.File(p)
        _ = audio.tags, audio.info

    show("per_file_us", "mutagen.File(path) + .tags/.info (the baseline)", per_file(baseline), "us")
    show("per_file_us", "open_audio(path): class chosen by extension", per_file(T.open_audio), "us")
    show(
        "per_file_us", "read_track(path): all a worker does per file", per_file(T.read_track), "us"
    )
    audios = {p: T.open_audio(p) for p in paths}
    show(
        "per_file_us",
        "  of which read_tags(audio)",
        per_file(lambda p: T.read_tags(audios[p])),
        "us",
    )
    with contextlib.suppress(Exception):
        raws = {p: T.read_tags(audios[p]).raw for p in paths}
        show(
            "per_file_us",
            "    of which typed_columns(raw)",
            per_file(lambda p: T.typed_columns(raws[p])),
            "us",
        )
    records = {p: P.read_one(p) for p in paths}
    blobs = {p: pickle.dumps(r) for p, r in records.items()}
    show(
        "per_file_us",
        "pickle.dumps(result) in the worker",
        per_file(lambda p: pickle.dumps(records[p])),
        "us",
    )
    show(
        "per_file_us",
        "pickle.loads(result) in the main process",
        per_file(lambda p: pickle.loads(blobs[p])),
        "us",
    )
    show("per_file_us", "pickled result size", sum(map(len, blobs.values())) / len(blobs), "bytes")
    return [(p, r[1]) for p, r in records.items() if r[1] is not None]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--files", type=int, default=10000, help="corpus size (made if missing)")
    p.add_argument("--jobs", "-j", type=int, default=2)
    p.add_argument("--sample", type=int, default=2000, help="files for the per-file costs")
    p.add_argument("--runs", type=int, default=3, help="full scans to take the fastest of")
    p.add_argument("--src", type=Path, help="folder holding the libtool package to measure")
    p.add_argument("--out", type=Path, default=OUT / "breakdown.json")
    args = p.parse_args(argv)
    corpus = HERE / "corpus" / f"n{args.files}"
    subprocess.run(
        [sys.executable, str(HERE / "make_corpus.py"), str(args.files), "--out", str(corpus)],
        check=True,
    )
    env = dict(os.environ)
    if args.src is not None:
        src = str(args.src.resolve())
        sys.path.insert(0, src)
        env["PYTHONPATH"] = os.pathsep.join(x for x in (src, env.get("PYTHONPATH", "")) if x)
    with tempfile.TemporaryDirectory(prefix="mlib-breakdown-") as name:
        tmp = Path(name)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        db = str(tmp / "library.db")
        full_scan_phases(corpus, db, args.jobs, args.runs)
        rescan_phases(corpus, db)
        startup(env, db, tmp)
        rescan_floor(corpus, db, env, tmp)
        from libtool.scan.walk import walk_tree

        paths = sorted(walk_tree(os.fsencode(corpus)).files)
        step = max(1, len(paths) // args.sample)
        worker_costs(paths[::step][: args.sample])
        # the writer's SQLite work alone (its rows, batches, FTS): benchmarks/db_insert.py
    results["corpus"] = str(corpus)
    results["loadavg"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
