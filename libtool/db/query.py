"""The query language, compiled to SQL (used by ls, export, modify, write, move and the TUI).

    love               bare words: title, artist, album or album artist contains it
    artist:beatles     substring of one field (case-insensitive)
    artist:=Beatles    exact value
    year:1990..1999    numeric range (either end may be left open: year:..1979)
    ^genre:jazz        negation
    title::^the\\b      regular expression (Python syntax)
    missing:true       vanished files (hidden unless asked for)

All terms must match, and all matching ignores case (regular expressions too). Quote a
term with spaces: ``"album:abbey road"`` or ``album:"abbey road"``. ``field:=`` (or
``field::^$``) finds tracks where the field is empty; a bare ``field:``, ``^``, ``^^x``,
``:x`` or an unclosed quote is a usage error.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    String,
    and_,
    bindparam,
    cast,
    func,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute

from libtool.db.fold import fold
from libtool.db.fts import FTS_COLUMNS
from libtool.db.models import Track
from libtool.errors import UsageError
from libtool.tags.fields import FIELD_BY_NAME, Kind, parse_bool

BARE_WORD_FIELDS = ("title", "artist", "album", "albumartist")
NUMERIC = {
    "year",
    "originalyear",
    "length",
    "bitrate",
    "sample_rate",
    "channels",
    "bits_per_sample",
    "size",
    "id",
    "mtime_ns",
} | {name for name, f in FIELD_BY_NAME.items() if f.kind in (Kind.INT, Kind.FLOAT)}
BOOLEAN = {"has_picture", "missing", "compilation"}
ALIASES = {"path": "path_text"}
QUERYABLE = sorted({*FIELD_BY_NAME, *NUMERIC, *BOOLEAN, "path", "format", "codec", "tag_format"})

_TERM = re.compile(r"^(?P<field>[a-z_]+):(?P<op>:|=)?(?P<value>.*)$", re.DOTALL)
_RANGE = re.compile(r"^(?P<lo>.*?)\.\.(?P<hi>.*)$")


@dataclass(frozen=True)
class Term:
    field: str | None  # None: a bare word
    op: str  # "sub", "exact", "regex"
    value: str
    negate: bool


def parse(query: str | list[str] | tuple[str, ...]) -> list[Term]:
    """Terms from a query string (split like a shell) or from words already split.

    Quotes may also sit inside a word, as beets users type them: ``album:"the album"``
    is ``"album:the album"``. Malformed terms are UsageErrors, never silent matches.
    """
    if isinstance(query, str):
        return [_term(word) for word in _split(query)]
    return [_term(_unquote(word)) for word in query]


#: A field term whose value is quoted: album:"the album", ^title:='Help!'
_QUOTED_VALUE = re.compile(r"^(?P<head>\^?[a-z_]+:[:=]?)(?P<value>[\"'].*)$", re.DOTALL)


def _unquote(word: str) -> str:
    """A word as the shell passed it, with quotes around a field's value removed
    (apostrophes in bare words, like ``it's``, are kept as they are)."""
    m = _QUOTED_VALUE.match(word)
    if not m:
        return word
    value = m.group("value")
    if len(value) < 2 or value[-1] != value[0]:
        raise UsageError(f"bad query: no closing quotation in {word!r}")
    return m.group("head") + value[1:-1]


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as exc:  # "No closing quotation"
        raise UsageError(f"bad query: {str(exc).lower()} in {text!r}") from exc


def _term(word: str) -> Term:
    shown = word
    negate = word.startswith("^")
    if negate:
        word = word[1:]
        if word == "":
            raise UsageError("bad query: '^' must be followed by a term to negate, as in ^jazz")
        if word.startswith("^"):
            raise UsageError(f"bad query: {shown!r} negates twice; use one '^'")
    if word.startswith(":"):
        raise UsageError(f"bad query: {shown!r} has no field name before ':'")
    m = _TERM.match(word)
    if m and (m.group("field") in QUERYABLE or m.group("field") in ALIASES):
        op = {"": "sub", None: "sub", "=": "exact", ":": "regex"}[m.group("op")]
        if m.group("value") == "" and op != "exact":
            field = m.group("field")
            raise UsageError(
                f"bad query: {shown!r} has no value; to find tracks where {field} is "
                f"empty use {field}:= (or {field}::^$)"
            )
        return Term(m.group("field"), op, m.group("value"), negate)
    if m and not word.startswith("http"):
        raise UsageError(
            f"unknown field {m.group('field')!r} in query; known: {', '.join(QUERYABLE)}"
        )
    return Term(None, "sub", word, negate)


def _column(name: str) -> InstrumentedAttribute:
    return getattr(Track, ALIASES.get(name, name))


def _like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _substring(column: InstrumentedAttribute, value: str) -> ColumnElement[bool]:
    """``fold(column)`` contains ``fold(value)``. SQLite's own LIKE (in C) ignores ASCII
    case, which is all ``fold`` changes in ASCII text, and a value it matches also matches
    folded (``fold`` works character by character). So only values it does not match and
    that hold non-ASCII text (fewer characters than bytes) pay for ``mlib_fold`` in Python,
    about 2 us a call: a 2-letter word over four columns of 100,000 tracks took 0.9 s."""
    pattern = _like_pattern(fold(value) or "")
    non_ascii = func.length(column) != func.length(cast(column, LargeBinary))
    return or_(
        column.like(pattern, escape="\\"),
        and_(non_ascii, func.mlib_fold(column).like(pattern, escape="\\")),
    )


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise UsageError(f"not a number in query: {value!r}") from exc


def _bool(value: str) -> bool:
    flag = parse_bool(value) if value.strip() else None
    if flag is None:
        raise UsageError(f"not true/false in query: {value!r}")
    return flag


def _compile_term(term: Term, sqlite: bool) -> ColumnElement[bool]:
    if term.field is None:
        return _bare_word(term.value, sqlite)
    name = term.field
    column = _column(name)
    if term.op == "regex":
        try:
            re.compile(term.value)
        except re.error as exc:
            raise UsageError(f"bad regular expression {term.value!r}: {exc}") from exc
        pattern = "(?i)" + term.value  # all matching ignores case; (?i) may lead inline flags
        text_value = cast(column, String) if name in NUMERIC or name in BOOLEAN else column
        return func.coalesce(text_value, "").regexp_match(pattern)  # ::^$ finds empty fields
    if name in BOOLEAN:
        wanted = _bool(term.value)
        return column.is_(True) if wanted else or_(column.is_(False), column.is_(None))
    if name in NUMERIC:
        m = _RANGE.match(term.value)
        if m:
            clauses = []
            if m.group("lo"):
                clauses.append(column >= _number(m.group("lo")))
            if m.group("hi"):
                clauses.append(column <= _number(m.group("hi")))
            return and_(column.is_not(None), *clauses) if clauses else column.is_not(None)
        if term.value == "":
            return column.is_(None)
        return column == _number(term.value)
    if term.op == "exact":
        if term.value == "":
            return or_(column.is_(None), column == "")
        return column == term.value
    if term.value == "":
        return or_(column.is_(None), column == "")
    return _substring(column, term.value)


def _uses_fts(term: Term, sqlite: bool) -> bool:
    return sqlite and term.field is None and len(term.value) >= 3


def _fts_match(words: list[str]) -> ColumnElement[bool]:
    """Tracks where each word is a substring of a bare-word field, as one FTS5 query:
    FTS5 intersects the words itself, skipping through a common word's long list, where
    one ``IN (...)`` per word made SQLite build every list in full (50 ms against 0.4 ms
    for "Song 0123" at 100,000 tracks)."""
    columns = " ".join(c for c in BARE_WORD_FIELDS if c in FTS_COLUMNS)
    match = " AND ".join(f"{{{columns}}} : " + '"' + w.replace('"', '""') + '"' for w in words)
    fts = (
        select(text("rowid"))
        .select_from(text("tracks_fts"))
        .where(text("tracks_fts MATCH :m").bindparams(bindparam("m", match, unique=True)))
    )
    return Track.id.in_(fts)


def _bare_word(word: str, sqlite: bool) -> ColumnElement[bool]:
    """Substring of any bare-word field; the FTS5 trigram index serves words of 3+ characters."""
    if sqlite and len(word) >= 3:
        return _fts_match([word])
    return or_(*(_substring(_column(c), word) for c in BARE_WORD_FIELDS))


def compile_query(query: str | list[str] | tuple[str, ...], sqlite: bool = True) -> ColumnElement:
    """A WHERE clause for ``query``; tracks marked missing are left out unless asked for."""
    terms = parse(query)
    clauses = []
    together = [t for t in terms if _uses_fts(t, sqlite) and not t.negate]
    if together:
        clauses.append(_fts_match([t.value for t in together]))
    for term in terms:
        if term in together:
            continue
        clause = _compile_term(term, sqlite)
        # NOT on NULL is NULL: a negated term must keep tracks that lack the field
        clauses.append(or_(not_(clause), clause.is_(None)) if term.negate else clause)
    if not any(t.field == "missing" for t in terms):
        clauses.append(Track.missing.is_(False))
    if not clauses:
        return true()
    return and_(*clauses) if len(clauses) > 1 else clauses[0]
