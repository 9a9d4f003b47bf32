"""Baselines for run.py, each timed as a whole process like ``mlib`` is.

python benchmarks/baseline_read.py read LIST [--jobs 2]
    mutagen.File(path) on every path in LIST (one path per line, raw bytes)
    in a multiprocessing Pool, touching .tags and .info: the least any
    tag-reading scanner has to do.
python benchmarks/baseline_read.py records LIST [--jobs 2]
    libtool's own tag reader (libtool.tags.read.read_track, the libtool on
    PYTHONPATH) on every path, in the same Pool: what mlib's readers cannot
    avoid with the tag reader as it is, before anything is stored.
python benchmarks/baseline_read.py stat ROOT
    walk ROOT and os.stat every file: the least any no-change rescan has
    to do (the fallback for target (c) when beets is not available).
"""

from __future__ import annotations

import os
import sys
from multiprocessing import Pool


def _read(path: bytes) -> bool:
    import mutagen

    try:
        audio = mutagen.File(path)
    except Exception:
        return False
    if audio is None:
        return False
    _ = audio.tags, audio.info
    return True


def _record(path: bytes) -> bool:
    from libtool.tags.read import read_track

    try:
        read_track(path)
    except Exception:
        return False
    return True


def read(list_file: str, jobs: int, records: bool = False) -> int:
    import mutagen  # noqa: F401 - imported before forking, as a real scanner would

    if records:
        import libtool.tags.read  # noqa: F401
    with open(list_file, "rb") as fh:
        paths = [line for line in fh.read().split(b"\n") if line]
    with Pool(jobs) as pool:
        ok = sum(pool.map(_record if records else _read, paths))
    print(f"read {ok}/{len(paths)} files")
    return 0 if ok == len(paths) else 1


def stat_all(root: str) -> int:
    count = 0
    for folder, dirs, files in os.walk(os.fsencode(root)):
        dirs[:] = [d for d in dirs if not d.startswith(b".")]
        for name in files:
            if not name.startswith(b"."):
                os.stat(os.path.join(folder, name))
                count += 1
    print(f"stat {count} files")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] in ("read", "records"):
        jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else 2
        return read(argv[1], jobs, records=argv[0] == "records")
    if len(argv) == 2 and argv[0] == "stat":
        return stat_all(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
