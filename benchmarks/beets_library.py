"""Build a beets library of a corpus through beets' own API, as ``beet import -A`` would.

    BEETSDIR=HOME /path/to/beets-venv/bin/python benchmarks/beets_library.py CONFIG CORPUS

Why not ``beet import``: its cost per file grows with the library, so 100,000 files would
take hours here (measured: 67 files/s on average over the first 8,000 items, 29 files/s
from 15,200 to 17,100). This reads every file with beets' ``Item.from_path`` (its
mediafile reader) and adds each folder as one album with ``Library.add_album``, which is
what an as-is import of this corpus stores (one album per folder, no autotagging, no
copying). ``beet update`` then works on it exactly as on an imported library.

Run with the beets venv's Python (beets is not a dependency of this project).
"""

from __future__ import annotations

import os
import sys
import time


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    from beets import config
    from beets.library import Item, Library

    config.set_file(argv[0])
    corpus = os.fsencode(argv[1])
    lib = Library(config["library"].as_filename(), config["directory"].as_filename())
    added = 0
    started = time.perf_counter()
    for folder, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith(b"."))
        names = sorted(f for f in files if not f.startswith(b"."))
        items = [Item.from_path(os.path.join(folder, name)) for name in names]
        if not items:
            continue
        now = time.time()
        for item in items:
            item.added = now
        lib.add_album(items)
        added += len(items)
    lib._close()
    print(f"added {added} items in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
