"""Run one command and write its wall time, exit status and resource usage as JSON.

    python benchmarks/launch.py OUT.json COMMAND [ARG ...]

Why ``run.py`` measures through this small process: on Linux a child's ``ru_maxrss`` is
never below its parent's peak RSS at the moment the child was started (the kernel keeps
the larger of the two across fork and exec). Measured straight from ``run.py``, which holds
about 50 MiB (path lists, results), every command that peaked below that read as the
harness's own 50 MiB: even ``/bin/true``. This launcher imports only what it needs (about
10 MiB, below any Python process it runs), forks the command and times it from the fork
to the end, so its own start-up is not counted either.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out, command = argv[0], argv[1:]
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the command: exec it, or report why not as a shell would (127)
        try:
            os.execvp(command[0], command)
        except OSError as exc:
            os.write(2, f"launch: {command[0]}: {exc.strerror}\n".encode())
        os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "seconds": seconds,
                "exit_code": code,
                "maxrss_kb": usage.ru_maxrss,
                "user_s": usage.ru_utime,
                "sys_s": usage.ru_stime,
            },
            fh,
        )
    return code if code >= 0 else 128 - code  # killed by a signal: 128 + its number


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
