"""What every storage rule offers: read values, write values, claim raw keys.

A rule knows one canonical field's home inside one container format. The same
rule object serves reading (scan) and writing (``mlib write``), so the two can
never disagree about where a field lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from libtool.tags.fields import parse_int, split_pair


class Rule(Protocol):
    def read(self, tags: Any) -> list[str]:
        """The field's raw values in ``tags`` (empty when absent)."""

    def write(self, tags: Any, values: list[str]) -> None:
        """Store ``values`` (an empty list deletes the field) in the canonical key."""

    def claims(self, key: str) -> bool:
        """Whether the raw key ``key`` belongs to this field (so it is not an 'extra')."""


@runtime_checkable
class KeyedRule(Protocol):
    """A rule that says which raw keys its ``read`` looks at.

    ``read_keys`` are spelled as the container stores them (a Vorbis comment name, an ID3
    frame id or ``TXXX:description``, an MP4 atom, an APEv2 item, an ASF attribute);
    ``read_tags`` compares them with a file's keys through the container's ``normal_key``
    (each format module has one, matching how its lookups compare keys) and evaluates
    the rule only for a file holding one of them. A rule that does not say is always
    evaluated. They must cover every key ``read`` can take a value from and every key
    ``claims`` accepts: build them from the same fields ``read`` uses, never as a
    second list.
    """

    @property
    def read_keys(self) -> tuple[str, ...]: ...


def safe_str(value: object) -> str:
    """Text that SQLite and JSON accept: lone surrogates become U+FFFD."""
    text = str(value)
    if text.isascii():  # the usual case, answered without encoding a copy
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def clean(values: list[str]) -> list[str]:
    """Values as safe strings, empty ones dropped."""
    return [v for v in map(safe_str, values) if v != ""]


def binary_summary(data: bytes, what: str = "binary") -> str:
    """How binary data appears among text values: its kind and size, never its bytes."""
    return f"<{what}, {len(data)} bytes>"


def join_pair(number: str, total: str) -> str:
    if number and total:
        return f"{number}/{total}"
    if total:
        return f"0/{total}"
    return number


def _same_number(a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    return a == b or (parse_int(a) is not None and parse_int(a) == parse_int(b))


@dataclass(frozen=True)
class PairRule:
    """One half (``index`` 0: the number, 1: the total) of an 'n/N' key, with read aliases.

    ``key`` is where both halves are written, as 'n/N'. ``numbers`` are other keys other
    taggers put the number in (alone or as 'n/N'), ``totals`` other keys they put the
    total in. A read takes the key first, then the aliases. A write goes to ``key`` only,
    keeping the other half wherever it was read from; an alias that just repeated the
    value being replaced goes, so no stale copy contradicts the new value. Subclasses say
    how a container gets and puts one key.
    """

    key: str
    index: int
    numbers: tuple[str, ...] = ()
    totals: tuple[str, ...] = ()

    @property
    def read_keys(self) -> tuple[str, ...]:
        if self.index:
            return (self.key, *self.totals, *self.numbers)
        return (self.key, *self.numbers)

    def _get(self, tags: Any, key: str) -> list[str]:
        raise NotImplementedError

    def _put(self, tags: Any, key: str, values: list[str]) -> None:
        raise NotImplementedError

    def _number(self, tags: Any) -> str:
        for key in (self.key, *self.numbers):
            values = self._get(tags, key)
            if values and (part := split_pair(values[0])[0]):
                return part
        return ""

    def _total(self, tags: Any) -> str:
        values = self._get(tags, self.key)
        if values and (part := split_pair(values[0])[1]):
            return part
        for key in self.totals:
            values = self._get(tags, key)
            if values and values[0].strip():
                return values[0].strip()
        for key in self.numbers:
            values = self._get(tags, key)
            if values and (part := split_pair(values[0])[1]):
                return part
        return ""

    def read(self, tags: Any) -> list[str]:
        part = self._total(tags) if self.index else self._number(tags)
        return [part] if part else []

    def write(self, tags: Any, values: list[str]) -> None:
        old = self.read(tags)
        parts = [self._number(tags), self._total(tags)]
        parts[self.index] = values[0] if values else ""
        text = join_pair(parts[0], parts[1])
        self._put(tags, self.key, [text] if text else [])
        if not old:
            return  # no alias held a value, or it would have been read
        for key in self.numbers:
            current = self._get(tags, key)
            if not current:
                continue
            number, total = split_pair(current[0])
            if self.index == 0 and _same_number(number, old[0]):
                self._put(tags, key, [])  # its total, if any, was just written to key
            elif self.index == 1 and total and _same_number(total, old[0]):
                self._put(tags, key, [number] if number else [])
        if self.index == 1:
            for key in self.totals:
                current = self._get(tags, key)
                if current and _same_number(current[0], old[0]):
                    self._put(tags, key, [])

    def claims(self, key: str) -> bool:
        keys = (self.key, *(self.totals if self.index else self.numbers))
        return key.lower() in {k.lower() for k in keys}
