"""File paths as the library keeps them: raw bytes, shown as text.

POSIX file names are bytes and need not be UTF-8. The database stores the
bytes; people see ``display_path``, where bytes that are not UTF-8 appear as
``\\xNN`` escapes (lossy for display only; the bytes are the truth).
"""

from __future__ import annotations

import os
from urllib.parse import quote, unquote_to_bytes


def display_path(path: bytes) -> str:
    return path.decode("utf-8", "backslashreplace")


def is_under(path: bytes, root: bytes) -> bool:
    """Whether ``path`` is ``root`` or lies inside it (by path components, not prefix)."""
    if path == root:
        return True
    prefix = root if root.endswith(os.sep.encode()) else root + os.sep.encode()
    return path.startswith(prefix)


FILE_URI = "file://"


def path_to_cell(path: bytes) -> str:
    """A path as one text cell, reversibly.

    Valid UTF-8 paths are written as they are. Others are written as a
    ``file://`` URI with every byte outside unreserved ASCII percent-encoded;
    a stored path is absolute, so it can never itself start with ``file://``.
    """
    try:
        return path.decode("utf-8")
    except UnicodeDecodeError:
        return FILE_URI + quote(path, safe="/")


def cell_to_path(cell: str) -> bytes:
    """The inverse of ``path_to_cell``."""
    if cell.startswith(FILE_URI):
        return unquote_to_bytes(cell[len(FILE_URI) :])
    return cell.encode("utf-8", "surrogateescape")
