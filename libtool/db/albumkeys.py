"""Which album a track groups into (its key), without SQLAlchemy.

The scan's reader processes compute each new row's key; the regrouping in
``libtool.db.albums`` works from the stored keys.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache

from libtool.db.fold import fold

_DISC_FOLDER = re.compile(rb"^(cd|disc|disk|dvd|side)[\s_-]*\d+\b", re.IGNORECASE)


def album_key(path: bytes, album: str | None, mb_albumid: str | None) -> str | None:
    """The album a track groups into: its MusicBrainz album id, else album name + folder."""
    if not album:
        return None
    if mb_albumid:
        return f"mb:{mb_albumid}"
    return "dir:" + hashlib.sha1(album_folder(path) + b"\0" + _folded(album)).hexdigest()


@lru_cache(maxsize=4096)  # an album's tracks are read one after another: the name repeats
def _folded(album: str) -> bytes:
    return (fold(album) or "").encode("utf-8", "surrogatepass")


def album_folder(path: bytes) -> bytes:
    """The folder that holds an album: a 'CD1'/'Disc 2' subfolder counts as its parent."""
    folder = os.path.dirname(path)
    if _DISC_FOLDER.match(os.path.basename(folder)):
        folder = os.path.dirname(folder)
    return folder
