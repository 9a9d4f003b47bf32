"""A small Lucene-style search over a :class:`Catalogue`, good enough for tests.

Understands what musicbrainzngs and other clients send: ``field:(a b c)``
groups, ``field:"a phrase"``, ``field:term``, bare terms, ``AND`` / ``OR`` /
``NOT`` / ``&&`` / ``||`` / ``!``, ``+``/``-`` prefixes, parentheses, ranges
``field:[a TO b]`` / ``{a TO b}``, a trailing ``*`` wildcard, ``~`` fuzziness
markers (ignored) and backslash escapes. Default operator is OR, as on the
real service.

Relevance is simple and deterministic: each clause scores the share of its
terms found in the document's field (case- and accent-insensitive), plus a
little for how much of the field those terms cover, so "Sea of Cowards" beats
"Sea of Cowards (Deluxe Edition)"; a query scores the mean of its clauses.
Like the real service, the best hit is scaled to 100 and the rest relative to
it. Ties keep catalogue order.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from .catalogue import Catalogue, Recording, Release

__all__ = ["QuerySyntaxError", "SearchIndex", "parse_query", "tokens"]


class QuerySyntaxError(ValueError):
    """The query cannot be parsed (the server answers 400)."""


# --------------------------------------------------------------------------- text


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")


def fold(text: str) -> str:
    """Casefold and strip accents; typographic apostrophes become ASCII."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(text: str) -> list[str]:
    """Words of ``text`` after :func:`fold`; CJK characters are one token each
    (as Lucene's standard analyser does); apostrophes inside words are dropped."""
    return _WORD.findall(fold(text).replace("'", ""))


# --------------------------------------------------------------------------- query AST


Occur = Literal["should", "must", "must_not"]


@dataclass
class Term:
    field: str | None
    text: str
    kind: Literal["term", "phrase", "prefix", "range"] = "term"
    low: str = ""
    high: str = ""
    inclusive: bool = True


@dataclass
class Group:
    field: str | None
    clauses: list[tuple[Occur, Term | Group]] = dataclasses.field(default_factory=list)


_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def error(self, msg: str) -> QuerySyntaxError:
        return QuerySyntaxError(f"{msg} at position {self.i} in query {self.s!r}")

    def skip_ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def peek_op(self) -> str | None:
        self.skip_ws()
        for op in ("AND", "OR", "NOT"):
            end = self.i + len(op)
            if self.s.startswith(op, self.i) and (end >= len(self.s) or self.s[end] in " \t\n()"):
                return op
        for op in ("&&", "||"):
            if self.s.startswith(op, self.i):
                return op
        return None

    def parse(self) -> Group:
        group = self.parse_group(None, closing=None)
        if self.i < len(self.s):
            raise self.error("unexpected ')'")
        return group

    def parse_group(self, fld: str | None, closing: str | None) -> Group:
        group = Group(fld)
        pending: Occur | None = None
        last_index: int | None = None
        while True:
            self.skip_ws()
            if self.i >= len(self.s):
                if closing:
                    raise self.error("missing ')'")
                break
            if closing and self.s[self.i] == closing:
                self.i += 1
                break
            op = self.peek_op()
            if op:
                self.i += len(op)
                if op in ("AND", "&&"):
                    if last_index is None:
                        raise self.error("AND without a left operand")
                    occ, left = group.clauses[last_index]
                    if occ == "should":
                        group.clauses[last_index] = ("must", left)
                    pending = "must"
                elif op == "NOT":
                    pending = "must_not"
                else:
                    pending = "should" if pending != "must_not" else pending
                continue
            occur: Occur = pending or "should"
            pending = None
            c = self.s[self.i]
            if c in "+-!":
                occur = "must" if c == "+" else "must_not"
                self.i += 1
            node = self.parse_clause(fld)
            if node is not None:
                group.clauses.append((occur, node))
                last_index = len(group.clauses) - 1
        if pending is not None and pending != "should":
            raise self.error(f"dangling operator ({pending})")
        return group

    def parse_clause(self, fld: str | None) -> Term | Group | None:
        self.skip_ws()
        if self.i >= len(self.s):
            raise self.error("expected a term")
        c = self.s[self.i]
        if c == "(":
            self.i += 1
            return self.parse_group(fld, ")")
        if c == '"':
            return Term(fld, self.read_phrase(), "phrase")
        if c in "[{":
            return self.read_range(fld)
        word, escaped_end = self.read_word()
        if self.i < len(self.s) and self.s[self.i] == ":" and not escaped_end:
            self.i += 1
            if not word:
                raise self.error("empty field name")
            self.skip_ws()
            if self.i >= len(self.s):
                raise self.error("missing value after field")
            return self.parse_clause(word.lower())
        return self.make_term(fld, word)

    def make_term(self, fld: str | None, word: str) -> Term | None:
        word = re.sub(r"(?<!\\)~[0-9.]*$", "", word) if "~" in word else word
        if word.endswith("*") and not word.endswith("\\*"):
            return Term(fld, _unescape(word[:-1]), "prefix")
        text = _unescape(word)
        return Term(fld, text) if text else None

    def read_word(self) -> tuple[str, bool]:
        start = self.i
        escaped_end = False
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\" and self.i + 1 < len(self.s):
                self.i += 2
                escaped_end = True
                continue
            if c.isspace() or c in '()":' or (c in "[]{}" and self.i > start):
                break
            escaped_end = False
            self.i += 1
        word = self.s[start : self.i]
        if self.i < len(self.s) and self.s[self.i] == ":":
            escaped_end = False
        if not word:
            raise self.error(f"unexpected {self.s[self.i]!r}")
        return word, escaped_end

    def read_phrase(self) -> str:
        self.i += 1
        out = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\" and self.i + 1 < len(self.s):
                out.append(self.s[self.i + 1])
                self.i += 2
                continue
            if c == '"':
                self.i += 1
                if self.i < len(self.s) and self.s[self.i] == "~":  # proximity: ignored
                    self.i += 1
                    while self.i < len(self.s) and self.s[self.i].isdigit():
                        self.i += 1
                return "".join(out)
            out.append(c)
            self.i += 1
        raise self.error("unterminated phrase")

    def read_range(self, fld: str | None) -> Term:
        inclusive = self.s[self.i] == "["
        close = "]" if inclusive else "}"
        end = self.s.find(close, self.i)
        if end < 0:
            raise self.error("unterminated range")
        body = self.s[self.i + 1 : end].split()
        self.i = end + 1
        if len(body) != 3 or body[1] != "TO":
            raise self.error("range must look like [a TO b]")
        return Term(fld, "", "range", _unescape(body[0]), _unescape(body[2]), inclusive)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_query(text: str) -> Group:
    """Parse a Lucene query into a tree of :class:`Group` and :class:`Term`."""
    if not text.strip():
        raise QuerySyntaxError("empty query")
    return _Parser(text).parse()


# --------------------------------------------------------------------------- documents


FieldKind = Literal["text", "keyword", "int", "date"]

RELEASE_FIELDS: dict[str, FieldKind] = {
    "release": "text", "releaseaccent": "text", "artist": "text", "artistname": "text",
    "creditname": "text", "label": "text", "format": "text", "comment": "text",
    "status": "text", "primarytype": "text", "secondarytype": "text", "type": "text",
    "lang": "keyword", "script": "keyword", "arid": "keyword", "reid": "keyword",
    "rgid": "keyword", "laid": "keyword", "country": "keyword", "barcode": "keyword",
    "catno": "keyword", "date": "date", "tracks": "int", "tracksmedium": "int", "mediums": "int",
}  # fmt: skip
RECORDING_FIELDS: dict[str, FieldKind] = {
    "recording": "text", "recordingaccent": "text", "artist": "text", "artistname": "text",
    "creditname": "text", "release": "text", "format": "text", "status": "text",
    "primarytype": "text", "secondarytype": "text", "type": "text", "comment": "text",
    "arid": "keyword", "rid": "keyword", "reid": "keyword", "rgid": "keyword", "tid": "keyword",
    "isrc": "keyword", "country": "keyword", "number": "keyword", "date": "date",
    "dur": "int", "qdur": "int", "tnum": "int", "position": "int", "tracks": "int",
    "tracksrelease": "int",
}  # fmt: skip
DEFAULT_FIELDS = {"release": ("release", "artist"), "recording": ("recording", "artist")}


@dataclass
class Doc:
    """One searchable entity: for each field, its values (text fields as token lists)."""

    text: dict[str, list[list[str]]] = dataclasses.field(default_factory=dict)
    keyword: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    ints: dict[str, set[int]] = dataclasses.field(default_factory=dict)

    def add(self, kind: FieldKind, name: str, value: str | int | None) -> None:
        if value is None or value == "":
            return
        if kind == "text":
            toks = tokens(str(value))
            if toks:
                self.text.setdefault(name, []).append(toks)
        elif kind == "int":
            self.ints.setdefault(name, set()).add(int(value))
        else:
            self.keyword.setdefault(name, set()).add(_keyword(str(value)))


def _keyword(value: str) -> str:
    return fold(value).strip()


def _credit_fields(doc: Doc, credit: Iterable) -> None:
    credit = list(credit)
    doc.add("text", "artist", "".join(nc.name + nc.joinphrase for nc in credit))
    for nc in credit:
        doc.add("text", "artist", nc.real_name)
        doc.add("text", "artist", nc.sort_name)
        doc.add("text", "artistname", nc.real_name)
        doc.add("text", "creditname", nc.name)
        doc.add("keyword", "arid", nc.artist_id)


def _release_context(doc: Doc, rel: Release) -> None:
    """Fields shared by a release and the recordings on it."""
    doc.add("keyword", "reid", rel.id)
    doc.add("keyword", "rgid", rel.release_group.id)
    doc.add("text", "status", rel.status)
    doc.add("text", "primarytype", rel.release_group.primary_type)
    doc.add("text", "type", rel.release_group.primary_type)
    for st in rel.release_group.secondary_types:
        doc.add("text", "secondarytype", st)
        doc.add("text", "type", st)
    doc.add("keyword", "country", rel.country)
    doc.add("date", "date", rel.date)


def release_doc(rel: Release) -> Doc:
    doc = Doc()
    doc.add("text", "release", rel.title)
    doc.add("text", "releaseaccent", rel.title)
    doc.add("text", "comment", rel.disambiguation)
    _credit_fields(doc, rel.artist_credit)
    _release_context(doc, rel)
    doc.add("keyword", "barcode", rel.barcode)
    doc.add("keyword", "lang", rel.language)
    doc.add("keyword", "script", rel.script)
    for li in rel.label_info:
        doc.add("text", "label", li.name)
        doc.add("keyword", "laid", li.label_id)
        doc.add("keyword", "catno", li.catalog_number)
        doc.add("keyword", "catno", re.sub(r"[\s-]", "", li.catalog_number))
    doc.add("int", "tracks", rel.track_count)
    doc.add("int", "mediums", len(rel.media))
    for m in rel.media:
        doc.add("text", "format", m.format)
        doc.add("int", "tracksmedium", len(m.tracks))
    return doc


def recording_doc(rec: Recording, releases: list[Release]) -> Doc:
    doc = Doc()
    doc.add("text", "recording", rec.title)
    doc.add("text", "recordingaccent", rec.title)
    doc.add("text", "comment", rec.disambiguation)
    doc.add("keyword", "rid", rec.id)
    _credit_fields(doc, rec.artist_credit)
    for isrc in rec.isrcs:
        doc.add("keyword", "isrc", isrc)
    if rec.length is not None:
        doc.add("int", "dur", rec.length)
        doc.add("int", "qdur", rec.length // 2000)
    for rel in releases:
        doc.add("text", "release", rel.title)
        _release_context(doc, rel)
        doc.add("int", "tracksrelease", rel.track_count)
        for m in rel.media:
            for t in m.tracks:
                if t.recording.id != rec.id:
                    continue
                doc.add("text", "recording", t.title)  # the credited track title
                doc.add("keyword", "tid", t.id)
                doc.add("keyword", "number", t.number)
                doc.add("int", "tnum", t.position)
                doc.add("int", "position", m.position)
                doc.add("int", "tracks", len(m.tracks))
                doc.add("text", "format", m.format)
    return doc


# --------------------------------------------------------------------------- scoring


class _Scorer:
    def __init__(self, kinds: dict[str, FieldKind], defaults: tuple[str, ...]) -> None:
        self.kinds = kinds
        self.defaults = defaults

    def fields(self, fld: str | None) -> tuple[str, ...]:
        return (fld,) if fld else self.defaults

    def term(self, t: Term, doc: Doc) -> float:
        return max((self.term_in(t, f, doc) for f in self.fields(t.field)), default=0.0)

    def term_in(self, t: Term, fld: str, doc: Doc) -> float:
        kind = self.kinds.get(fld)
        if kind is None:
            return 0.0  # unknown field: matches nothing, as on the real service
        if t.kind == "range":
            return 1.0 if _in_range(t, kind, doc, fld) else 0.0
        if kind == "text":
            return _text_score(t, doc.text.get(fld, []))
        if kind == "int":
            try:
                want = int(t.text)
            except ValueError:
                return 0.0
            have = doc.ints.get(fld, set())
            if fld == "qdur":
                return 1.0 if any(abs(v - want) <= 1 for v in have) else 0.0
            return 1.0 if want in have else 0.0
        values = doc.keyword.get(fld, set())
        want_kw = _keyword(t.text)
        if kind == "date" or t.kind == "prefix":
            return 1.0 if any(v.startswith(want_kw) for v in values) else 0.0
        return 1.0 if want_kw in values else 0.0

    def group(self, g: Group, doc: Doc, inherited: str | None = None) -> float:
        fld = g.field or inherited
        scores: list[float] = []
        for occur, node in g.clauses:
            node_field = node.field or fld
            if isinstance(node, Group):
                s = self.group(node, doc, node_field)
            else:
                s = self.term(Term(node_field, node.text, node.kind, node.low, node.high,
                                   node.inclusive), doc)  # fmt: skip
            if occur == "must_not":
                if s > 0:
                    return 0.0
                continue
            if occur == "must" and s <= 0:
                return 0.0
            scores.append(s)
        if not scores:
            return 1.0 if g.clauses else 0.0  # only prohibitions, all passed
        mean = sum(scores) / len(scores)
        if mean <= 0:
            return 0.0
        return 0.8 * mean + 0.2 * self.coverage(g, doc, fld)

    def coverage(self, g: Group, doc: Doc, fld: str | None) -> float:
        """How much of the best-matching field value this group's plain terms account for."""
        words: set[str] = set()
        for occur, node in g.clauses:
            if occur != "must_not" and isinstance(node, Term) and node.kind in ("term", "phrase"):
                words.update(tokens(node.text))
        if not words:
            return 1.0
        best = 0.0
        for f in self.fields(fld):
            if self.kinds.get(f) != "text":
                continue
            for value in doc.text.get(f, []):
                best = max(best, sum(1 for w in value if w in words) / len(value))
        return best if any(self.kinds.get(f) == "text" for f in self.fields(fld)) else 1.0


def _text_score(t: Term, values: list[list[str]]) -> float:
    want = tokens(t.text)
    if not want:
        return 0.0
    if t.kind == "prefix":
        return 1.0 if any(tok.startswith(want[-1]) for v in values for tok in v) else 0.0
    if len(want) == 1:
        return 1.0 if any(want[0] in v for v in values) else 0.0
    n = len(want)  # a phrase, or one escaped term such as pseudo\-release: contiguous words
    return 1.0 if any(v[i : i + n] == want for v in values for i in range(len(v) - n + 1)) else 0.0


def _in_range(t: Term, kind: FieldKind, doc: Doc, fld: str) -> bool:
    values: Iterable[int | str]
    if kind == "int":
        try:
            low = int(t.low) if t.low != "*" else None
            high = int(t.high) if t.high != "*" else None
        except ValueError:
            return False
        values = doc.ints.get(fld, set())
        return any(_between(v, low, high, t.inclusive) for v in values)
    lo_s = None if t.low == "*" else _keyword(t.low)
    hi_s = None if t.high == "*" else _keyword(t.high)
    return any(_between(v, lo_s, hi_s, t.inclusive) for v in doc.keyword.get(fld, set()))


def _between(v: int | str, low: int | str | None, high: int | str | None, inclusive: bool) -> bool:
    if low is not None and (v < low if inclusive else v <= low):  # type: ignore[operator]
        return False
    return not (high is not None and (v > high if inclusive else v >= high))  # type: ignore[operator]


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class Hit:
    score: int
    id: str


class SearchIndex:
    """Documents for every release and recording of a catalogue, built once."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.release_docs = [(r.id, release_doc(r)) for r in catalogue.releases.values()]
        self.recording_docs = [
            (rec.id, recording_doc(rec, catalogue.releases_for_recording(rec.id)))
            for rec in catalogue.recordings.values()
        ]

    def search(self, entity: str, query: str) -> list[Hit]:
        """All hits for ``query``, best first, scores 1..100 (the best is 100)."""
        if entity == "release":
            docs, scorer = self.release_docs, _Scorer(RELEASE_FIELDS, DEFAULT_FIELDS["release"])
        elif entity == "recording":
            docs = self.recording_docs
            scorer = _Scorer(RECORDING_FIELDS, DEFAULT_FIELDS["recording"])
        else:
            raise ValueError(f"cannot search {entity}")
        tree = parse_query(query)
        return _rank(docs, lambda d: scorer.group(tree, d))


def _rank(docs: list[tuple[str, Doc]], score: Callable[[Doc], float]) -> list[Hit]:
    raw = [(s, i, ident) for i, (ident, d) in enumerate(docs) if (s := score(d)) > 0]
    if not raw:
        return []
    top = max(s for s, _, _ in raw)
    raw.sort(key=lambda x: (-x[0], x[1]))
    return [Hit(max(1, round(100 * s / top)), ident) for s, _, ident in raw]
