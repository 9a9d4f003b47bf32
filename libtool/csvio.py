"""CSV export (and, later, import) with stable, documented columns.

Columns: ``id`` (the library's stable track id), ``path`` (see
``pathutil.path_to_cell``), every canonical field, then ``length``,
``bitrate`` and ``format``. Several values of one field are joined with
``"; "``. UTF-8, RFC 4180 quoting (``\\r\\n`` row ends). ``excel=True`` adds a
BOM and prefixes a ``'`` to text cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from libtool.db.models import Track
from libtool.db.query import compile_query
from libtool.errors import UsageError
from libtool.fields import FIELD_NAMES
from libtool.pathutil import path_to_cell

DEFAULT_COLUMNS: tuple[str, ...] = ("id", "path", *FIELD_NAMES, "length", "bitrate", "format")
EXTRA_COLUMNS: tuple[str, ...] = (
    "year", "originalyear", "codec", "tag_format", "sample_rate", "channels",
    "bits_per_sample", "has_picture", "size", "missing",
)
ALL_COLUMNS = DEFAULT_COLUMNS + EXTRA_COLUMNS
ORDER = ("albumartist", "album", "disc", "track", "path_text")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_columns(spec: str | None) -> tuple[str, ...]:
    if not spec:
        return DEFAULT_COLUMNS
    columns = tuple(c.strip() for c in spec.split(",") if c.strip())
    unknown = [c for c in columns if c not in ALL_COLUMNS]
    if unknown:
        raise UsageError(
            f"unknown column(s) {', '.join(unknown)}; known: {', '.join(ALL_COLUMNS)}"
        )
    return columns


def cell(value: Any) -> str:
    """A database value as CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, bytes):
        return path_to_cell(value)
    if isinstance(value, float):
        return repr(round(value, 6))
    return str(value)


def guard_formula(text: str) -> str:
    """Neutralise a cell a spreadsheet would evaluate (plain numbers stay numbers)."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def rows(session: Session, query: str | list[str], columns: Iterable[str]) -> Iterator[list[str]]:
    columns = tuple(columns)
    attrs = [Track.path if c == "path" else getattr(Track, c) for c in columns]
    stmt = (
        select(*attrs)
        .where(compile_query(query))
        .order_by(*(getattr(Track, c) for c in ORDER))
        .execution_options(yield_per=1000)
    )
    for row in session.execute(stmt):
        yield [cell(v) for v in row]


def export_csv(
    session: Session,
    out: IO[str],
    query: str | list[str] = "",
    columns: Iterable[str] = DEFAULT_COLUMNS,
    *,
    excel: bool = False,
) -> int:
    """Write a header and one row per matching track; returns the number of rows."""
    columns = tuple(columns)
    if excel:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows(session, query, columns):
        writer.writerow([guard_formula(c) for c in row] if excel else row)
        count += 1
    return count
