"""The scan writer's SQLite work alone: N rows as the readers make them, inserted in
batches of 500 into a fresh library, with the FTS index kept per batch, as ``_Writer``.

    python benchmarks/db_insert.py 100000 [--variant nofts|noidx|ftsend|deferred|cache] [--src DIR]
        [--drop-index NAME]  # what one index costs (e.g. ix_tracks_default_sort)

Rows come from the 10,000-file corpus (read once, cached in benchmarks/out/), repeated
with distinct paths beyond 10,000. Prints CPU and wall for the inserts, and how the cost
of the first 10,000 rows compares with the last.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rows", type=int)
    p.add_argument(
        "--variant",
        default="base",
        help=("base, nofts, noidx, ftsend, deferred (no indexes or FTS until the end) or cache"),
    )
    p.add_argument("--src", type=Path, help="libtool source folder")
    p.add_argument("--batch", type=int, default=500, help="rows per transaction (as BATCH)")
    p.add_argument("--drop-index", action="append", default=[], help="drop this index first")
    p.add_argument("--corpus", type=Path, default=HERE / "corpus" / "n10000")
    args = p.parse_args()
    if args.src:
        sys.path.insert(0, str(args.src.resolve()))
    from libtool.db.connection import sqlite_time, utcnow
    from libtool.db.fts import _COLUMNS
    from libtool.db.rows import INSERT_TRACKS
    from libtool.db.session import open_library
    from libtool.scan.pipeline import read_one
    from libtool.scan.walk import walk_tree

    cache = HERE / "out" / f"rows-{args.corpus.name}.pkl"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        files = sorted(walk_tree(os.fsencode(args.corpus)).files)
        cache.write_bytes(pickle.dumps([r for _, r, _ in map(read_one, files)]))
    rows = pickle.loads(cache.read_bytes())
    db = Path(tempfile.mkdtemp(prefix="mlib-dbins-")) / "lib.db"
    open_library(str(db)).close()
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "wal_autocheckpoint=10000"):
        conn.execute(f"PRAGMA {pragma}")
    if args.variant == "cache":
        conn.execute("PRAGMA cache_size=-65536")
    dropped: list[str] = []
    if args.variant in ("noidx", "deferred"):
        names = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tracks' "
            "AND sql IS NOT NULL"
        ).fetchall()
        for name, sql in names:
            conn.execute(f"DROP INDEX {name}")
            dropped.append(sql)
    for name in args.drop_index:
        conn.execute(f"DROP INDEX {name}")
    conn.execute("INSERT INTO roots (path, path_text, added_at) VALUES (x'2f', '/', '2020')")
    now = sqlite_time(utcnow())
    per_batch = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for start in range(0, args.rows, args.batch):
        t = time.process_time()
        batch = []
        for i in range(start, min(start + args.batch, args.rows)):
            row, k = rows[i % len(rows)], i // len(rows)
            if k:
                row = (row[0] + b".%d" % k, row[1] + f".{k}", *row[2:])
            batch.append((None, 1, now, now, *row))  # no album id, root 1
        conn.execute("BEGIN")
        after = conn.execute("SELECT max(id) FROM tracks").fetchone()[0] or 0
        conn.executemany(INSERT_TRACKS, batch)
        if args.variant not in ("nofts", "ftsend", "deferred"):
            conn.execute(
                f"INSERT INTO tracks_fts(rowid, {_COLUMNS}) "
                f"SELECT id, {_COLUMNS} FROM tracks WHERE id > ?",
                (after,),
            )
        conn.execute("COMMIT")
        per_batch.append(time.process_time() - t)
    end0 = time.process_time()
    if args.variant in ("ftsend", "deferred"):
        conn.execute("INSERT INTO tracks_fts(tracks_fts) VALUES ('rebuild')")
    if args.variant == "deferred":  # indexes built once, from sorted data
        for sql in dropped:
            conn.execute(sql)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    end = time.process_time() - end0
    per_10k = max(1, 10_000 // args.batch)
    first, last = sum(per_batch[:per_10k]), sum(per_batch[-per_10k:])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name = args.variant + "".join(f" -{index}" for index in args.drop_index)
    name += f" batch {args.batch}" if args.batch != 500 else ""
    print(
        f"{name}: {args.rows} rows, CPU {cpu:.2f} s, wall {wall:.2f} s; first 10,000 "
        f"rows {first:.2f} s, last 10,000 {last:.2f} s, after the last batch {end:.2f} s; "
        f"peak RSS {rss:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
