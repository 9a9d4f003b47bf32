"""CSV export and import, with stable, documented columns.

Columns: ``id`` (the library's stable track id), ``path`` (see
``pathutil.path_to_cell``), every canonical field (but those added later, which
``--fields`` asks for: ``columns.LATER_FIELDS``), then ``length``, ``bitrate`` and
``format``. Several values of one field are joined with
``"; "``. UTF-8, RFC 4180 quoting (``\\r\\n`` row ends). ``excel=True`` adds a
BOM and prefixes a ``'`` to text cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from libtool.changes.pending import FieldChange, diff_changes, parse_value
from libtool.columns import ALL_COLUMNS, DEFAULT_COLUMNS
from libtool.db.models import Track
from libtool.db.query import compile_query
from libtool.errors import UsageError
from libtool.pathutil import cell_to_path, path_to_cell
from libtool.tags.fields import FIELD_BY_NAME, FIELD_NAMES, MULTI_SEP

ORDER = ("albumartist", "album", "disc", "track", "path_text")

_GUARDED = re.compile(r"^'*[=+\-@\t\r]")  # what a spreadsheet would run, behind any quotes
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_columns(spec: str | None) -> tuple[str, ...]:
    if not spec:
        return DEFAULT_COLUMNS
    columns = tuple(c.strip() for c in spec.split(",") if c.strip())
    unknown = [c for c in columns if c not in ALL_COLUMNS]
    if unknown:
        raise UsageError(f"unknown column(s) {', '.join(unknown)}; known: {', '.join(ALL_COLUMNS)}")
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
    if _GUARDED.match(text) and not _PLAIN_NUMBER.match(text):
        return "'" + text  # also "'=x", which would otherwise read back as our own guard
    return text


def field_cell(raw_tags: dict[str, list[str]] | None, name: str) -> str:
    """A canonical field as the file holds it: its raw values, joined.

    Raw, not the typed column, so '03', 'A1', '-6.50 dB', a second title or a
    value that is not a number survive an export and an unedited import unchanged.
    """
    return MULTI_SEP.join((raw_tags or {}).get(name, []))


def rows(session: Session, query: str | list[str], columns: Iterable[str]) -> Iterator[list[str]]:
    columns = tuple(columns)
    attrs = [Track.path if c == "path" else getattr(Track, c) for c in columns]
    stmt = (
        select(Track.tags, *attrs)
        .where(compile_query(query))
        .order_by(*(getattr(Track, c) for c in ORDER))
        .execution_options(yield_per=1000)
    )
    for raw_tags, *values in session.execute(stmt):
        yield [
            field_cell(raw_tags, name) if name in FIELD_BY_NAME else cell(value)
            for name, value in zip(columns, values, strict=True)
        ]


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


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportPlan:
    diffs: list[FieldChange] = dc_field(default_factory=list)
    errors: list[RowError] = dc_field(default_factory=list)
    rows: int = 0
    bad_rows: int = 0


def unguard(text: str) -> str:
    """Undo ``guard_formula``: exactly one leading ' before quotes and a formula character."""
    return text[1:] if text.startswith("'") and _GUARDED.match(text[1:]) else text


def plan_import(session: Session, stream: IO[str], *, excel: bool = False) -> ImportPlan:
    """Read an exported (and edited) CSV and work out which cells really changed.

    Rows are matched by ``id`` when the column is present, else by ``path``. A cell
    equal to what export writes now is not an edit; others are parsed and compared.
    ``excel``: the file came from ``--excel`` (it had a BOM), so a leading ' before a
    formula character is our guard, not data.
    Every problem is reported with its line number; nothing is staged here.
    """
    reader = csv.reader(stream)
    plan = ImportPlan()
    try:
        header = next(reader)
    except StopIteration as exc:
        raise UsageError("the CSV file is empty") from exc
    except csv.Error as exc:
        raise UsageError(f"line 1: {exc}") from exc
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    header = [h.strip() for h in header]
    unknown = [h for h in header if h not in ALL_COLUMNS]
    if unknown:
        raise UsageError(
            f"line 1: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(ALL_COLUMNS)}"
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise UsageError(f"line 1: duplicate column(s) {', '.join(dupes)}")
    if "id" not in header and "path" not in header:
        raise UsageError("line 1: the CSV needs an id or a path column to match tracks")
    editable = [h for h in header if h in FIELD_NAMES]
    seen: dict[int, int] = {}
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            plan.errors.append(RowError(start, f"malformed CSV: {exc}"))
            plan.bad_rows += 1
            break
        line = start
        if not any(cell.strip() for cell in row):
            continue
        plan.rows += 1
        problems: list[str] = []
        diffs: list[FieldChange] = []
        if len(row) != len(header):
            problems.append(f"expected {len(header)} cells, found {len(row)}")
        else:
            values = {h: unguard(c) if excel else c for h, c in zip(header, row, strict=True)}
            track = _match_track(session, values, problems)
            if track is not None:
                if track.id in seen:
                    problems.append(
                        f"duplicate row for this track (first on line {seen[track.id]})"
                    )
                seen.setdefault(track.id, line)
            if track is not None and not problems:
                wanted: dict[str, list[str]] = {}
                for name in editable:
                    if values[name] == field_cell(track.tags, name):
                        continue  # the cell is as exported: not an edit
                    try:
                        wanted[name] = parse_value(name, values[name])
                    except UsageError as exc:
                        problems.append(f"column {name}: {exc}")
                if not problems:
                    diffs = diff_changes(session, [track], wanted)
        if problems:
            plan.bad_rows += 1
            plan.errors.extend(RowError(line, p) for p in problems)
        else:
            plan.diffs.extend(diffs)
    return plan


def _match_track(session: Session, values: dict[str, str], problems: list[str]) -> Track | None:
    track = None
    if "id" in values:
        text = values["id"].strip()
        if not (text.isascii() and text.isdigit() and len(text) < 19):
            problems.append(f"malformed id {text!r}")
            return None
        track = session.get(Track, int(text))
        if track is None:
            problems.append(f"unknown track id {text}")
            return None
    if "path" in values:
        path = cell_to_path(values["path"])
        if track is None:
            track = session.scalars(select(Track).where(Track.path == path)).first()
            if track is None:
                problems.append(f"unknown path {values['path']!r}")
        elif track.path != path:
            problems.append(f"id {track.id} belongs to {track.path_text!r}, not this path")
            return None
    return track
