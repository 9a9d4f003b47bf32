"""Where a full scan's CPU goes: py-spy on the main process and on every worker.

    python benchmarks/profile_scan.py CORPUS [--src DIR] [--jobs 2] [--rate 250] [--native]

Runs one ``mlib scan`` of CORPUS on a fresh database under ``py-spy record
--subprocesses`` (``pip install py-spy``), then prints, for the main process and for
the workers together, the sampled CPU seconds by phase (the first phase whose function
is on the stack, in the order of PHASES) and the functions with the most samples of
their own. The raw samples are kept (``--keep FILE``) for a flame graph. Idle samples
(a process blocked in a read or a wait) are not counted, so the seconds approximate CPU.
With the database kept (``--db``), it also prints SQLite's statistics of that file
(pages per table and index, from ``dbstat``).
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

#: (phase, pattern on a frame): a sample is counted under the first phase found anywhere on
#: its stack, so an import made inside a flush still counts as start-up.
PHASES: tuple[tuple[str, str], ...] = (
    ("pool thread: send tasks", r"^Pool\._handle_tasks "),
    ("pool thread: receive results", r"^Pool\._handle_results "),
    ("pool thread: watch workers", r"^Pool\._handle_workers "),
    ("start-up: imports", r"^_find_and_load |^<module> \((?!libtool/__main__)"),
    ("start-up: open/migrate db", r"^open_library |^migrate |^_sqlite_pragmas "),
    ("worker: pickle result", r"^_ForkingPickler\.dumps|^dumps \(multiprocessing"),
    ("worker: build row", r"^scan_row |^track_row |^encode_row "),
    ("worker: read_track", r"^read_track |^_read_one "),
    ("worker: idle loop", r"^worker \(multiprocessing/pool"),
    ("walk", r"^walk_tree "),
    ("album grouping", r"^rebuild_albums |^regroup_albums |^group_albums "),
    ("fts index", r"^index_new_tracks |^build_fts |^rebuild_fts "),
    ("writer: flush", r"^_Writer\.flush|^_flush |^Writer\.flush"),
    ("writer: rows (track_values)", r"^track_values |^_Writer\.record "),
    ("results: unpickle/IPC", r"^IMapIterator\.next|^read_many |^_recv|^recv "),
    ("classify/known", r"^classify |^_scan_target "),
    ("commit/finish", r"^scan |^Session\.commit"),
)

#: Leaf functions that wait rather than compute.
IDLE = re.compile(
    r"^(_PollLikeSelector\.select|Popen\.poll|wait|Condition\.wait|SemLock\.__enter__) "
)


def parse(raw: Path) -> dict[str, Counter[str]]:
    """Samples per (role, phase) and per (role, leaf function), from py-spy's raw format."""
    phases: dict[str, Counter[str]] = defaultdict(Counter)
    leaves: dict[str, Counter[str]] = defaultdict(Counter)
    compiled = [(name, re.compile(p)) for name, p in PHASES]
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        procs = [f for f in frames if f.startswith("process ")]
        role = "main" if len(procs) <= 1 else "workers"
        frames = [f for f in frames if not f.startswith("process ")]
        if frames and IDLE.search(frames[-1]):
            continue  # a thread waiting (py-spy sees some waits as active)
        phase = "other"
        for name, pattern in compiled:
            if any(pattern.search(f) for f in frames):
                phase = name
                break
        phases[role][phase] += count
        leaves[role][re.sub(r":\d+\)$", ")", frames[-1]) if frames else "?"] += count
    return {
        **{f"{r} phases": c for r, c in phases.items()},
        **{f"{r} leaves": c for r, c in leaves.items()},
    }


def db_stats(db: Path) -> list[tuple[str, int, int]]:
    """(table or index, pages, bytes) from SQLite's dbstat, largest first."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT name, count(*), sum(pgsize) FROM dbstat GROUP BY name ORDER BY 3 DESC"
        ).fetchall()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--src", type=Path, help="libtool source folder to profile (PYTHONPATH)")
    p.add_argument("--jobs", "-j", type=int, default=2)
    p.add_argument("--rate", type=int, default=250, help="samples per second (default 250)")
    p.add_argument("--native", action="store_true", help="also sample C frames (SQLite)")
    p.add_argument("--keep", type=Path, help="keep py-spy's raw samples in this file")
    p.add_argument("--db", type=Path, help="database to scan into (removed first; kept)")
    p.add_argument("--top", type=int, default=15)
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="mlib-prof-"))
    raw = args.keep or tmp / "samples.txt"
    db = args.db or tmp / "lib.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    env = dict(os.environ, MLIB_CONFIG=str(tmp / "none.toml"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    (tmp / "none.toml").write_text("")
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "mlib-prof-pycache")
    first = next(p for p in sorted(args.corpus.iterdir()) if p.is_dir())
    warm = [sys.executable, "-m", "libtool", "--db", str(tmp / "warm.db"), "scan", str(first)]
    subprocess.run(warm, env=env, cwd=tmp, capture_output=True, check=True)  # byte-code cache
    cmd = ["py-spy", "record", "--subprocesses", "--nonblocking", "-r", str(args.rate)]
    cmd += ["--format", "raw"]
    cmd += ["--native"] if args.native else []
    cmd += ["-o", str(raw), "--", sys.executable, "-m", "libtool", "--db", str(db)]
    cmd += ["scan", "-j", str(args.jobs), str(args.corpus)]
    done = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True)
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:])
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return 1
    result = parse(raw)
    for key in sorted(result):
        counter = result[key]
        total = sum(counter.values())
        print(f"\n{key}: {total / args.rate:.2f} s sampled")
        for name, n in counter.most_common(args.top if "leaves" in key else None):
            print(f"  {n / args.rate:7.2f} s  {100 * n / total:5.1f}%  {name}")
    print("\nSQLite pages by table and index (dbstat):")
    for name, pages, size in db_stats(db)[: args.top]:
        print(f"  {size / 2**20:7.1f} MiB  {pages:7d} pages  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
