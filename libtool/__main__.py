"""``python -m libtool`` and the ``mlib`` script: run the mlib command.

The command's modules are imported inside ``run`` so that a Ctrl-C while they load
ends with the same quiet exit status 130 as one during any command.
"""

from __future__ import annotations

import sys


def run() -> None:
    try:
        from libtool.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
