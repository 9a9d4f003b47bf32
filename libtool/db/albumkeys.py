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
    return _folder_key(os.path.dirname(path), album)


@lru_cache(maxsize=4096)  # an album's tracks are read one after another: both repeat
def _folder_key(parent: bytes, album: str) -> str:
    """The key of ``album`` for the files in the folder ``parent``."""
    folded = (fold(album) or "").encode("utf-8", "surrogatepass")
    return "dir:" + hashlib.sha1(_album_folder_of(parent) + b"\0" + folded).hexdigest()


def album_folder(path: bytes) -> bytes:
    """The folder that holds an album: a 'CD1'/'Disc 2' subfolder counts as its parent."""
    return _album_folder_of(os.path.dirname(path))


def _album_folder_of(parent: bytes) -> bytes:
    if _DISC_FOLDER.match(os.path.basename(parent)):
        return os.path.dirname(parent)
    return parent
