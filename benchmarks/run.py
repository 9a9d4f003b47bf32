"""Scan benchmarks for mlib: every target is a ratio against a baseline timed in the same run.

    python benchmarks/run.py              # 2,500 / 5,000 / 10,000 files, best of 5
    python benchmarks/run.py --quick      # 250 / 500 / 1,000 files: a smoke run of the harness
    python benchmarks/run.py --smoke      # 25 / 50 files, once each: what CI runs
    python benchmarks/run.py --collector  # 10,000 / 100,000 files, best of 3 (opt-in: minutes)

Targets (limits in LIMITS below; see benchmarks/README.md):
  (a) full scan (whole ``mlib scan`` process, fresh DB) / reading the same files
      with mutagen.File in a Pool of the same size, at every size
      of at least 10,000 files (else at the largest)                   <= 1.5
  (b) per-file full-scan cost at the largest size / at the smallest     <= 1.3
  (c) no-change rescan (``mlib scan``) / ``beet update`` on the same
      files (fallback: a process that walks and stats every file)       <= 1/3
  (d) peak RSS of the full scan (max over mlib and its workers) at the
      largest size / at the smallest                                    <= 1.25
With 10,000 and 100,000 files among the sizes (``--collector``), also:
  (e) full scan of 100,000 files / full scan of 10,000 files            <= 10.5
  (f) peak RSS of the 100,000-file full scan, MiB                        <= 150
  (g) no-change rescan of 100,000 files, seconds (this machine only)    <= 1.0

Prints a table, writes benchmarks/out/results.json and exits 0 when every
target is met, 1 when one is missed, 2 when a measurement could not be made.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
#: Up to this many files, the beets library is made by ``beet import``; above, by its API.
BEETS_IMPORT_MOST = 20_000
CORPUS = HERE / "corpus"
LAUNCH = HERE / "launch.py"  # times a command and takes its own peak RSS
AUDIO_EXTENSIONS = (b".mp3", b".flac", b".ogg", b".m4a", b".opus")

LIMITS = {"a": 1.5, "b": 1.3, "c": 1 / 3, "d": 1.25, "e": 10.5, "f": 150.0, "g": 1.0}
FULL_SIZES = (2500, 5000, 10000)
QUICK_SIZES = (250, 500, 1000)
SMOKE_SIZES = (25, 50)
COLLECTOR_SIZES = (10000, 100000)
TIMEOUT = 900  # seconds for any one measured process


class HarnessError(Exception):
    """A measurement could not be made (a command failed or read the wrong number of files)."""


@dataclass
class Sample:
    seconds: float
    maxrss_kb: int  # max RSS of the process and every descendant it waited for
    cpu_s: float = 0.0  # user + system CPU of the process and its reaped descendants
    output: str = field(repr=False, default="")
    user_s: float = 0.0
    sys_s: float = 0.0


@dataclass
class Series:
    label: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(s.seconds for s in self.samples)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float:
        return min(s.cpu_s for s in self.samples)

    @property
    def rss_kb(self) -> int:
        return int(statistics.median(s.maxrss_kb for s in self.samples))

    @property
    def fastest(self) -> Sample:
        return min(self.samples, key=lambda s: s.seconds)

    def summary(self) -> dict[str, Any]:
        return {
            "best_s": round(self.best, 4),
            "median_s": round(self.median, 4),
            "samples_s": [round(s.seconds, 4) for s in self.samples],
            "cpu_best_s": round(self.cpu, 4),
            "cpu_samples_s": [round(s.cpu_s, 4) for s in self.samples],
            "user_samples_s": [round(s.user_s, 4) for s in self.samples],
            "sys_samples_s": [round(s.sys_s, 4) for s in self.samples],
            "fastest_user_sys_s": [round(self.fastest.user_s, 4), round(self.fastest.sys_s, 4)],
            "peak_rss_kb_median": self.rss_kb,
            "peak_rss_kb_samples": [s.maxrss_kb for s in self.samples],
        }


class Runner:
    """Runs whole processes, times them, and keeps their output in a log folder."""

    def __init__(self, env: dict[str, str], cwd: Path, logs: Path, verbose: bool) -> None:
        self.env = env
        self.cwd = cwd  # not the repository: ``python -m libtool`` would import ./libtool
        self.logs = logs
        self.verbose = verbose
        self.count = 0
        logs.mkdir(parents=True, exist_ok=True)

    def run(self, label: str, cmd: list[str], env: dict[str, str] | None = None) -> Sample:
        """Run ``cmd`` through ``launch.py``, which times it and takes its resource usage
        (a child's peak RSS would otherwise include this process's own)."""
        self.count += 1
        log = self.logs / f"{self.count:03d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', label)}.log"
        usage_file = log.with_suffix(".usage.json")
        with open(log, "w+b") as out:
            proc = subprocess.Popen(
                [sys.executable, str(LAUNCH), str(usage_file), *cmd],
                env=env or self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            timer = threading.Timer(TIMEOUT, _kill_group, (proc.pid,))
            timer.start()
            try:
                proc.wait()
            finally:
                timer.cancel()
            out.seek(0)
            output = out.read().decode("utf-8", "replace")
        if proc.returncode != 0 or not usage_file.exists():
            tail = "\n".join(output.splitlines()[-15:])
            raise HarnessError(
                f"{label} exited {proc.returncode}: {' '.join(cmd)}\n{tail}\n(log: {log})"
            )
        usage = json.loads(usage_file.read_text())
        if self.verbose:
            mib = usage["maxrss_kb"] / 1024
            print(f"    {label}: {usage['seconds']:.3f}s, {mib:.1f} MiB", flush=True)
        return Sample(
            usage["seconds"],
            int(usage["maxrss_kb"]),
            usage["user_s"] + usage["sys_s"],
            output,
            usage["user_s"],
            usage["sys_s"],
        )


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def expect(sample: Sample, pattern: str, what: str) -> None:
    if not re.search(pattern, sample.output, re.MULTILINE):
        tail = "\n".join(sample.output.splitlines()[-10:])
        raise HarnessError(f"{what}: expected output matching {pattern!r}, got:\n{tail}")


def corpus_files(root: Path) -> list[bytes]:
    """The files a scanner should find: audio extensions, hidden entries skipped."""
    found = []
    for folder, dirs, files in os.walk(os.fsencode(root)):
        dirs[:] = sorted(d for d in dirs if not d.startswith(b"."))
        for name in sorted(files):
            if not name.startswith(b".") and os.path.splitext(name)[1].lower() in AUDIO_EXTENSIONS:
                found.append(os.path.join(folder, name))
    return found


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


# --------------------------------------------------------------------------- beets


@dataclass
class Beets:
    exe: str
    config: Path
    env: dict[str, str]
    version: str
    import_seconds: float | None
    built_by: str = "beet import -A"  # or beets' API, for a library too big to import


def find_or_install_beets(venv: Path, install: bool) -> tuple[str | None, str]:
    """The beet executable in ``venv`` (installing beets from PyPI there if asked)."""
    exe = venv / "bin" / "beet"
    if exe.exists():
        return str(exe), ""
    if not install:
        return None, f"no beets in {venv} (installing was turned off)"
    print(f"  installing beets into {venv} (a separate venv, not the project's) ...", flush=True)
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300
        )
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "beets"],
            check=True,
            capture_output=True,
            timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"cannot install beets: {exc} {detail.decode(errors='replace')[-300:]}"
    return (str(exe), "") if exe.exists() else (None, "beets installed but no bin/beet")


def beets_version(exe: str) -> str:
    """``beets version X`` from the package metadata (running beet would touch a library)."""
    python = Path(exe).parent / "python"
    done = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('beets'))"],
        capture_output=True,
        text=True,
    )
    return f"beets {done.stdout.strip() or 'unknown'}"


def setup_beets(exe: str, corpus: Path, size: int, base_env: dict[str, str], fresh: bool) -> Beets:
    """A beets library of ``corpus`` (imported once as-is, no copy, no plugins, no network).

    The library is kept in benchmarks/out/beets/nSIZE and reused while the
    corpus and the beets version are unchanged (the import itself is slow). Above
    BEETS_IMPORT_MOST files it is built through beets' API instead (``beets_library.py``).
    """
    home = OUT / "beets" / f"n{size}"
    env = dict(base_env, BEETSDIR=str(home))
    version = beets_version(exe)
    config = home / "config.yaml"
    library = home / "library.db"
    if size <= BEETS_IMPORT_MOST:
        how = "beet import -A"
        command = [exe, "-c", str(config), "import", "-A", "-q", "-C", "-W", str(corpus)]
    else:  # beet import slows down as its library grows: hours for 100,000 files
        how = "beets API (benchmarks/beets_library.py)"
        python = str(Path(exe).parent / "python")
        command = [python, str(HERE / "beets_library.py"), str(config), str(corpus)]
    marker = corpus / ".corpus.json"
    stamp = {
        "corpus": str(corpus),
        "marker": marker.read_text(),
        "marker_mtime_ns": marker.stat().st_mtime_ns,
        "beets": version,
        "built_by": how,
    }
    stamp_file = home / "stamp.json"
    if not fresh and stamp_file.exists() and library.exists():
        try:
            if json.loads(stamp_file.read_text()) == stamp:
                return Beets(exe, config, env, version, None, how)
        except ValueError:
            pass
    if home.exists():
        shutil.rmtree(home)
    (home / "music").mkdir(parents=True)  # `beet update` asks questions if it is missing
    config.write_text(
        f"directory: {home / 'music'}\n"
        f"library: {library}\n"
        "plugins: []\n"
        "import:\n  copy: no\n  move: no\n  write: no\n  autotag: no\n  quiet: yes\n"
        "  resume: no\n  incremental: no\n"
    )
    print(f"  adding {size} files to beets once, by {how} (untimed) ...", flush=True)
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, cwd=home, stdin=subprocess.DEVNULL, capture_output=True, timeout=3600
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise HarnessError(f"{how} failed: {done.stderr.decode(errors='replace')[-500:]}")
    with sqlite3.connect(library) as conn:
        items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    if items != size:
        raise HarnessError(f"{how} gave {items} items, expected {size}")
    stamp_file.write_text(json.dumps(stamp))
    return Beets(exe, config, env, version, seconds, how)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--quick", action="store_true", help=f"smoke run: sizes {QUICK_SIZES}, 2 repeats"
    )
    p.add_argument(
        "--smoke", action="store_true", help=f"CI smoke run: sizes {SMOKE_SIZES}, once, no beets"
    )
    p.add_argument(
        "--collector",
        action="store_true",
        help=f"collector scale: sizes {COLLECTOR_SIZES}, best of 3 (minutes, and ~0.8 GB of "
        "corpus; use --corpus-root to keep it outside the repository)",
    )
    p.add_argument(
        "--sizes", help="comma-separated corpus sizes (smallest and largest are compared)"
    )
    p.add_argument(
        "--corpus-root",
        type=Path,
        default=Path(os.environ.get("MLIB_BENCH_CORPUS", CORPUS)),
        help="folder holding the corpora (nSIZE/), made there if missing and reused "
        "(default $MLIB_BENCH_CORPUS or %(default)s)",
    )
    p.add_argument("--repeat", type=int, help="repeats of each full scan (default 5, quick 2)")
    p.add_argument("--rescan-repeat", type=int, help="repeats of each rescan (default 5)")
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=2,
        help="worker processes for both mlib (-j) and the baseline Pool (default 2)",
    )
    p.add_argument(
        "--src",
        type=Path,
        help="benchmark the libtool package in this folder (DIR/libtool, with its "
        "migrations at DIR/libtool/migrations) instead of the installed mlib",
    )
    p.add_argument(
        "--beets-venv",
        type=Path,
        default=Path("/tmp/beets-venv"),
        help="venv holding beets; created with pip if missing (default %(default)s)",
    )
    p.add_argument("--no-install", action="store_true", help="never pip-install beets")
    p.add_argument(
        "--no-beets",
        action="store_true",
        help="compare the rescan to the stat-every-file baseline instead of beets",
    )
    p.add_argument("--fresh-beets", action="store_true", help="re-import the beets library")
    p.add_argument("--report-only", action="store_true", help="exit 0 even if a target is missed")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (databases)")
    p.add_argument("--out", type=Path, default=OUT / "results.json", help="results file")
    p.add_argument("-v", "--verbose", action="store_true", help="print every measurement")
    return p.parse_args(argv)


def mlib_command(src: Path | None) -> list[str]:
    if src is not None:
        return [sys.executable, "-m", "libtool"]
    script = Path(sys.executable).parent / "mlib"  # not a pyenv/asdf shim: no wrapper start-up
    if script.exists():
        return [str(script)]
    found = shutil.which("mlib")
    return [found] if found else [sys.executable, "-m", "libtool"]


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty_paths": git("status", "--porcelain", "--", "libtool", "migrations").splitlines(),
    }


def versions(env: dict[str, str], cwd: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json\n"
        "out = {}\n"
        "for d in ('mutagen', 'SQLAlchemy', 'alembic', 'click'):\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: out[d] = None\n"
        "import libtool; out['libtool_file'] = libtool.__file__\n"
        "print(json.dumps(out))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True
    )
    try:
        return json.loads(done.stdout)
    except ValueError:
        return {"error": done.stderr[-300:]}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.smoke:
        args.no_beets = True
    preset = (
        SMOKE_SIZES
        if args.smoke
        else COLLECTOR_SIZES
        if args.collector
        else QUICK_SIZES
        if args.quick
        else FULL_SIZES
    )
    sizes = tuple(sorted({int(s) for s in args.sizes.split(",")})) if args.sizes else preset
    if len(sizes) < 2:
        print(
            "run.py: give at least two sizes (the smallest and largest are compared)",
            file=sys.stderr,
        )
        return 2
    if args.src is not None and not (args.src / "libtool" / "__init__.py").is_file():
        print(f"run.py: --src {args.src} holds no libtool/__init__.py", file=sys.stderr)
        return 2
    repeat = args.repeat or (1 if args.smoke else 2 if args.quick else 3 if args.collector else 5)
    rescan_repeat = args.rescan_repeat or (1 if args.smoke else 3 if args.quick else 5)
    small, large = sizes[0], sizes[-1]

    tmp = Path(tempfile.mkdtemp(prefix="mlib-bench-"))
    config = tmp / "config.toml"
    config.write_text("")  # an empty mlib config: no roots, no ignores from the user's own
    env = dict(os.environ)
    env.pop("MLIB_DB", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # byte-code is cached, as on a user's machine ...
    env.update(
        MLIB_CONFIG=str(config),
        XDG_CONFIG_HOME=str(tmp / "xdg-config"),
        XDG_DATA_HOME=str(tmp / "xdg-data"),
        XDG_CACHE_HOME=str(tmp / "xdg-cache"),
        PYTHONPYCACHEPREFIX=str(tmp / "pycache"),  # ... but only in the temporary folder
    )
    if args.src is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(args.src.resolve()), env.get("PYTHONPATH", "")) if p
        )
    runner = Runner(env, tmp, tmp / "logs", args.verbose)
    mlib = mlib_command(args.src)
    baseline = [sys.executable, str(HERE / "baseline_read.py")]
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "mode": "smoke"
        if args.smoke
        else "collector"
        if args.collector
        else "quick"
        if args.quick
        else "full",
        "sizes": list(sizes),
        "repeat": repeat,
        "rescan_repeat": rescan_repeat,
        "jobs": args.jobs,
        "limits": LIMITS,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_start": os.getloadavg(),
        },
        "mlib_command": mlib,
        "src": str(args.src) if args.src else None,
        "git": git_state(),
        "versions": versions(env, tmp),
    }
    status = 0
    try:
        measured = str(results["versions"].get("libtool_file", ""))
        if args.src is not None and not measured.startswith(str(args.src.resolve())):
            raise HarnessError(f"--src {args.src} given, but libtool imports from {measured}")
        results.update(
            measure(args, runner, mlib, baseline, env, tmp, sizes, repeat, rescan_repeat)
        )
        results["machine"]["loadavg_end"] = os.getloadavg()
        results["marginal_ms_per_file"] = marginal_costs(results)
        results["paired_scan_over_read"] = paired_ratios(results)
        verdicts = judge(results, small, large)
        results["targets"] = verdicts
        print_table(results, verdicts, small, large)
        if not all(v["pass"] for v in verdicts.values()):
            status = 0 if args.report_only else 1
    except HarnessError as exc:
        print(f"run.py: measurement failed: {exc}", file=sys.stderr)
        results["error"] = str(exc)
        status = 2
    finally:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, default=str) + "\n")
        print(f"results: {args.out}")
        if args.keep or status == 2:
            print(f"temporary files kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


def measure(
    args: argparse.Namespace,
    runner: Runner,
    mlib: list[str],
    baseline: list[str],
    env: dict[str, str],
    tmp: Path,
    sizes: tuple[int, ...],
    repeat: int,
    rescan_repeat: int,
) -> dict[str, Any]:
    jobs = str(args.jobs)
    corpora: dict[int, Path] = {}
    lists: dict[int, Path] = {}
    print(f"corpora: {', '.join(map(str, sizes))} files", flush=True)
    for size in sizes:
        corpora[size] = args.corpus_root / f"n{size}"
        subprocess.run(
            [sys.executable, str(HERE / "make_corpus.py"), str(size), "--out", str(corpora[size])],
            check=True,
        )
        files = corpus_files(corpora[size])
        if len(files) != size:
            raise HarnessError(f"{corpora[size]} holds {len(files)} audio files, not {size}")
        lists[size] = tmp / f"list-n{size}.txt"
        lists[size].write_bytes(b"\n".join(files))

    print("warming up (page cache, byte-code) ...", flush=True)
    for size in sizes:
        runner.run(f"warmup-read-n{size}", [*baseline, "read", str(lists[size]), "--jobs", jobs])
    warm_db = tmp / "warmup.db"
    runner.run(
        "warmup-scan", [*mlib, "--db", str(warm_db), "scan", "-j", jobs, str(corpora[sizes[0]])]
    )
    remove_db(warm_db)

    full: dict[int, Series] = {s: Series(f"mlib scan n{s}") for s in sizes}
    read: dict[int, Series] = {s: Series(f"mutagen read n{s}") for s in sizes}
    records: dict[int, Series] = {s: Series(f"read_track n{s}") for s in sizes}
    dbs = {s: tmp / f"lib-n{s}.db" for s in sizes}
    print(f"full scans (fresh database) vs reading with mutagen, best of {repeat} ...", flush=True)
    for rep in range(repeat):
        for size in sizes:  # interleaved, so a noisy minute hurts both sides alike
            sample = runner.run(
                f"read-n{size}-{rep}", [*baseline, "read", str(lists[size]), "--jobs", jobs]
            )
            expect(sample, rf"^read {size}/{size} files$", "baseline read")
            read[size].samples.append(sample)
            sample = runner.run(
                f"records-n{size}-{rep}",
                [*baseline, "records", str(lists[size]), "--jobs", jobs],
            )
            expect(sample, rf"^read {size}/{size} files$", "baseline records")
            records[size].samples.append(sample)
            remove_db(dbs[size])
            sample = runner.run(
                f"scan-n{size}-{rep}",
                [*mlib, "--db", str(dbs[size]), "scan", "-j", jobs, str(corpora[size])],
            )
            expect(
                sample,
                rf"^{size} added, 0 updated, 0 missing, 0 unchanged, 0 errors",
                "mlib full scan",
            )
            full[size].samples.append(sample)

    large = sizes[-1]
    rescan = Series(f"mlib rescan n{large}")
    stat = Series(f"walk+stat n{large}")
    beet = Series(f"beet update n{large}")
    beets_info: dict[str, Any] = {"used": False}
    beets: Beets | None = None
    if not args.no_beets:
        exe, why = find_or_install_beets(args.beets_venv, not args.no_install)
        if exe is None:
            beets_info["reason"] = why
            print(f"  beets unavailable ({why}): comparing the rescan to walk+stat", flush=True)
        else:
            beets = setup_beets(exe, corpora[large], large, env, args.fresh_beets)
            beets_info.update(
                used=True,
                version=beets.version,
                import_seconds=beets.import_seconds,
                built_by=beets.built_by,
                config=str(beets.config),
            )
    else:
        beets_info["reason"] = "--no-beets"

    print(f"no-change rescans of {large} files, best of {rescan_repeat} ...", flush=True)
    scan_cmd = [*mlib, "--db", str(dbs[large]), "scan", "-j", jobs]
    runner.run("warmup-rescan", scan_cmd)
    if beets is not None:
        beet_cmd = [beets.exe, "-c", str(beets.config), "update"]
        runner.run("warmup-beet-update", beet_cmd, env=beets.env)
    for rep in range(rescan_repeat):
        sample = runner.run(f"rescan-{rep}", scan_cmd)
        expect(
            sample, rf"^0 added, 0 updated, 0 missing, {large} unchanged, 0 errors", "mlib rescan"
        )
        rescan.samples.append(sample)
        stat.samples.append(runner.run(f"stat-{rep}", [*baseline, "stat", str(corpora[large])]))
        if beets is not None:
            beet.samples.append(runner.run(f"beet-update-{rep}", beet_cmd, env=beets.env))

    return {
        "full_scan": {str(s): full[s].summary() for s in sizes},
        "mutagen_read": {str(s): read[s].summary() for s in sizes},
        "read_track": {str(s): records[s].summary() for s in sizes},
        "rescan": rescan.summary(),
        "walk_stat": stat.summary(),
        "beet_update": beet.summary() if beet.samples else None,
        "beets": beets_info,
    }


def marginal_costs(results: dict[str, Any]) -> dict[str, float]:
    """Extra full-scan time per extra file between consecutive sizes (fixed costs cancel)."""
    best = {int(k): v["best_s"] for k, v in results["full_scan"].items()}
    return {
        f"{a}->{b}": round((best[b] - best[a]) / (b - a) * 1e3, 4)
        for a, b in itertools.pairwise(sorted(best))
    }


def paired_ratios(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each full scan over the mutagen read of its own repeat, seconds apart (shown, not
    judged): on a host whose speed drifts, a pair shares its moment; two bests may not."""
    paired: dict[str, dict[str, Any]] = {}
    for size, scans in results["full_scan"].items():
        reads = results["mutagen_read"][size]["samples_s"]
        ratios = [round(s / r, 3) for s, r in zip(scans["samples_s"], reads, strict=True)]
        paired[size] = {"ratios": ratios, "median": round(statistics.median(ratios), 3)}
    return paired


def judge(results: dict[str, Any], small: int, large: int) -> dict[str, dict[str, Any]]:
    full, read = results["full_scan"], results["mutagen_read"]
    scan_l = full[str(large)]["best_s"]
    per_small = full[str(small)]["best_s"] / small
    per_large = scan_l / large
    rescan = results["rescan"]["best_s"]
    if results["beet_update"] is not None:
        ref, ref_name = results["beet_update"]["best_s"], "beet update"
    else:
        ref, ref_name = results["walk_stat"]["best_s"], "walk+stat (no beets)"
    rss_s = full[str(small)]["peak_rss_kb_median"]
    rss_l = full[str(large)]["peak_rss_kb_median"]
    verdicts: dict[str, dict[str, Any]] = {}
    floor_sizes = [s for s in results["sizes"] if s >= 10000] or [large]
    for size in floor_sizes:  # (a) at each size of 10,000 files or more
        scan_s, read_s = full[str(size)]["best_s"], read[str(size)]["best_s"]
        verdicts["a" if size == large else f"a{size}"] = {
            "limit_key": "a",
            "name": f"full scan / mutagen read, {size} files",
            "value": scan_s / read_s,
            "detail": f"{scan_s:.2f}s / {read_s:.2f}s",
        }
    verdicts["b"] = {
        "name": f"per-file scan cost, {large} vs {small} files",
        "value": per_large / per_small,
        "detail": f"{per_large * 1e3:.3f} / {per_small * 1e3:.3f} ms per file",
    }
    verdicts["c"] = {
        "name": f"no-change rescan / {ref_name}, {large} files",
        "value": rescan / ref,
        "detail": f"{rescan:.2f}s / {ref:.2f}s",
    }
    verdicts["d"] = {
        "name": f"peak RSS of full scan, {large} vs {small} files",
        "value": rss_l / rss_s,
        "detail": f"{rss_l / 1024:.1f} / {rss_s / 1024:.1f} MiB",
    }
    if {10000, 100000} <= set(results["sizes"]):
        ten, hundred = full["10000"]["best_s"], full["100000"]["best_s"]
        verdicts["e"] = {
            "name": "full scan of 100000 files / of 10000 files",
            "value": hundred / ten,
            "detail": f"{hundred:.2f}s / {ten:.2f}s",
        }
        rss = full["100000"]["peak_rss_kb_median"] / 1024
        verdicts["f"] = {
            "name": "peak RSS of the 100000-file full scan, MiB",
            "value": rss,
            "detail": f"{rss:.1f} MiB",
        }
    if large == 100000:
        verdicts["g"] = {
            "name": "no-change rescan of 100000 files, s (absolute)",
            "value": rescan,
            "detail": f"{rescan:.2f}s",
        }
    for key, verdict in verdicts.items():
        verdict["limit"] = LIMITS[verdict.pop("limit_key", key)]
        verdict["value"] = round(verdict["value"], 3)
        verdict["pass"] = verdict["value"] <= verdict["limit"]
    return verdicts


def print_table(
    results: dict[str, Any], verdicts: dict[str, dict[str, Any]], small: int, large: int
) -> None:
    print()
    print(
        f"{'files':>7} {'mlib scan':>10} {'mutagen read':>13} {'ratio':>6} "
        f"{'ms/file':>8} {'scan RSS':>9} {'read RSS':>9}   {'CPU s: scan':>11} "
        f"{'(user':>6} {'sys)':>5} {'read':>6} {'ratio':>6}"
    )
    for size in results["sizes"]:
        f, r = results["full_scan"][str(size)], results["mutagen_read"][str(size)]
        rt = results["read_track"][str(size)]
        user, sys_ = f["fastest_user_sys_s"]
        print(
            f"{size:>7} {f['best_s']:>9.2f}s {r['best_s']:>12.2f}s "
            f"{f['best_s'] / r['best_s']:>6.2f} {f['best_s'] / size * 1e3:>8.3f} "
            f"{f['peak_rss_kb_median'] / 1024:>7.1f}Mi {r['peak_rss_kb_median'] / 1024:>7.1f}Mi"
            f"   {f['cpu_best_s']:>11.2f} {user:>6.2f} {sys_:>5.2f} {r['cpu_best_s']:>6.2f} "
            f"{f['cpu_best_s'] / r['cpu_best_s']:>6.2f}"
        )
    print("libtool's own tag reader alone (read_track in the same Pool, nothing stored):")
    for size in results["sizes"]:
        f, rt = results["full_scan"][str(size)], results["read_track"][str(size)]
        r = results["mutagen_read"][str(size)]
        print(
            f"{size:>7} {rt['best_s']:>9.2f}s = {rt['best_s'] / r['best_s']:.2f}x mutagen read; "
            f"scan / read_track {f['best_s'] / rt['best_s']:.2f}; CPU s {rt['cpu_best_s']:.2f}"
        )
    for size, pair in results.get("paired_scan_over_read", {}).items():
        shown = ", ".join(f"{r:.2f}" for r in pair["ratios"])
        median = pair["median"]
        print(f"{size:>7} each scan / its repeat's mutagen read: {shown}; median {median:.2f}")
    line = f"rescan of {large}: mlib {results['rescan']['best_s']:.2f}s"
    if results["beet_update"]:
        line += f", beet update {results['beet_update']['best_s']:.2f}s"
    line += f", walk+stat {results['walk_stat']['best_s']:.2f}s"
    print(line)
    marginal = ", ".join(f"{k}: {v:.3f}" for k, v in results["marginal_ms_per_file"].items())
    print(f"marginal full-scan cost, ms per extra file (start-up cancels out): {marginal}")
    print()
    print(f"{'target':<52} {'detail':<26} {'value':>6} {'limit':>6}  result")
    for key, v in verdicts.items():
        print(
            f"({key}) {v['name']:<48} {v['detail']:<26} {v['value']:>6.2f} "
            f"{v['limit']:>6.2f}  {'PASS' if v['pass'] else 'FAIL'}"
        )
    print()


if __name__ == "__main__":
    sys.exit(main())
