"""Case- and accent-insensitive text, for the query language and album keys.

Apart from ``libtool.db.session`` so that the scan's reader processes, which build album
keys, need not import SQLAlchemy.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def fold(value: Any) -> str | None:
    """Case- and accent-insensitive form of text, for the query language (SQL: mlib_fold)."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(value).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
