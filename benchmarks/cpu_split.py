"""Run one ``mlib`` command in this process and print the CPU of the main process and of
the reader processes it reaped, and their peak RSS (for RESULTS.md's CPU split).

    PYTHONPATH=SRC python benchmarks/cpu_split.py --db /tmp/x.db scan -j 2 CORPUS
"""

from __future__ import annotations

import atexit
import resource
import sys
import time

started = time.perf_counter()


def report() -> None:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"cpu_split: wall {time.perf_counter() - started:.2f} s; main user {me.ru_utime:.2f} "
        f"sys {me.ru_stime:.2f} s, peak {me.ru_maxrss / 1024:.1f} MiB; readers user "
        f"{kids.ru_utime:.2f} sys {kids.ru_stime:.2f} s, peak {kids.ru_maxrss / 1024:.1f} MiB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    atexit.register(report)
    sys.argv = ["mlib", *sys.argv[1:]]
    from libtool.__main__ import run

    run()
