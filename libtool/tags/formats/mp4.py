"""Storage rules for MP4/M4A/M4B/ALAC atoms, including iTunes freeform atoms."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from mutagen.mp4 import AtomDataType, MP4FreeForm, MP4Tags

from libtool.tags.fields import parse_bool, parse_int
from libtool.tags.formats.base import binary_summary, clean, safe_str

FREEFORM = "----:com.apple.iTunes:"
#: Freeform data types that hold UTF-8 text (IMPLICIT: older taggers write text so).
_TEXT_TYPES = {
    AtomDataType.IMPLICIT,
    AtomDataType.UTF8,
    AtomDataType.HTML,
    AtomDataType.XML,
    AtomDataType.ISRC,
    AtomDataType.MI3P,
    AtomDataType.UPC,
    AtomDataType.URL,
}


def freeform_text(value: bytes) -> str:
    """A freeform atom's value as text, by its data type; binary data is summarised."""
    kind = getattr(value, "dataformat", AtomDataType.UTF8)
    data = bytes(value)
    if kind == AtomDataType.UTF16:
        return safe_str(data.decode("utf-16-be", "replace"))
    if kind == AtomDataType.UUID and len(data) == 16:
        return str(uuid.UUID(bytes=data))
    if kind == AtomDataType.INTEGER and 0 < len(data) <= 8:
        return str(int.from_bytes(data, "big", signed=True))
    if kind in _TEXT_TYPES:
        try:
            return safe_str(data.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    return binary_summary(data)


def normal_key(key: str) -> str:
    """An atom's key as lookups compare it. Freeform atoms match regardless of case; the
    others match exactly, so lower-casing them too only ever finds more."""
    return key.lower()


class Mp4ReadView:
    """MP4 atoms for reading, their keys indexed once by lower case.

    A freeform rule matches its atom regardless of case, which meant lowering every key
    of the file once per rule (about 20 times per file). Rules read from this view (only
    ``get``, ``[]`` and the freeform lookup), write to the tags.
    """

    def __init__(self, tags: MP4Tags) -> None:
        self._tags = tags
        self._lowered: dict[str, list[str]] = {}
        for key in tags:
            self._lowered.setdefault(normal_key(key), []).append(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self._tags.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self._tags[key]

    def keys_lowered(self, lowered: str) -> list[str]:
        """The keys whose lower case is ``lowered``, in the tag's order."""
        return self._lowered.get(lowered, [])


@dataclass(frozen=True)
class Atom:
    atom: str

    def read(self, tags: MP4Tags) -> list[str]:
        return clean(tags.get(self.atom, []))

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.atom,)

    def write(self, tags: MP4Tags, values: list[str]) -> None:
        tags.pop(self.atom, None)
        if values:
            tags[self.atom] = list(values)

    def claims(self, key: str) -> bool:
        return key == self.atom


@dataclass(frozen=True)
class Genre(Atom):
    """©gen text, or the legacy numeric gnre atom (ID3v1 genre index + 1)."""

    def read(self, tags: MP4Tags) -> list[str]:
        values = super().read(tags)
        if values:
            return values
        from mutagen.id3 import TCON

        codes = tags.get("gnre", [])
        return clean([TCON.GENRES[c - 1] for c in codes if 0 < c <= len(TCON.GENRES)])

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.atom, "gnre")

    def write(self, tags: MP4Tags, values: list[str]) -> None:
        tags.pop("gnre", None)
        super().write(tags, values)

    def claims(self, key: str) -> bool:
        return key in (self.atom, "gnre")


@dataclass(frozen=True)
class Pair:
    """One half of the (n, N) tuple atoms trkn and disk; ``totals`` are freeform atoms
    other taggers keep the total in (``----:com.apple.iTunes:TRACKTOTAL``...), read when
    the atom has none. A write goes to the atom; a freeform total that just repeated the
    total being replaced goes, so no stale copy contradicts it."""

    atom: str
    index: int
    totals: tuple[str, ...] = ()

    def _alias_total(self, tags: MP4Tags) -> str:
        for name in self.totals:
            values = Freeform(name).read(tags)
            if values and values[0].strip():
                return values[0].strip()
        return ""

    def read(self, tags: MP4Tags) -> list[str]:
        pairs = tags.get(self.atom)
        value = pairs[0][self.index] if pairs else 0
        if value:
            return [str(value)]
        if self.index == 1 and (alias := self._alias_total(tags)):
            return [alias]
        return []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.atom, *(FREEFORM + name for name in self.totals))

    def write(self, tags: MP4Tags, values: list[str]) -> None:
        old = self.read(tags)
        pairs = tags.get(self.atom)
        pair = list(pairs[0]) if pairs else [0, 0]
        if self.index == 0 and not pair[1]:  # a total read from an alias moves to the atom
            pair[1] = parse_int(self._alias_total(tags)) or 0
        pair[self.index] = (parse_int(values[0]) or 0) if values else 0
        tags.pop(self.atom, None)
        if pair != [0, 0]:
            tags[self.atom] = [tuple(pair)]
        for name in self.totals:
            alias = Freeform(name).read(tags)
            moved = self.index == 0 and alias and parse_int(alias[0]) == pair[1]
            replaced = self.index == 1 and alias and old and alias[:1] == old
            if moved or replaced:
                Freeform(name).write(tags, [])

    def claims(self, key: str) -> bool:
        return key == self.atom or any(Freeform(n).claims(key) for n in self.totals)


@dataclass(frozen=True)
class Integer(Atom):
    """tmpo (BPM), a 16-bit integer atom."""

    def read(self, tags: MP4Tags) -> list[str]:
        return [str(v) for v in tags.get(self.atom, [])]

    def write(self, tags: MP4Tags, values: list[str]) -> None:
        tags.pop(self.atom, None)
        numbers = [n for n in (parse_int(v) for v in values) if n is not None]
        if numbers:
            tags[self.atom] = numbers[:1]


@dataclass(frozen=True)
class Flag(Atom):
    """cpil, a boolean atom."""

    def read(self, tags: MP4Tags) -> list[str]:
        value = tags.get(self.atom)
        if value is None:
            return []
        return ["1" if value else "0"]

    def write(self, tags: MP4Tags, values: list[str]) -> None:
        tags.pop(self.atom, None)
        if values:
            tags[self.atom] = bool(parse_bool(values[0]))


@dataclass(frozen=True)
class Freeform:
    """----:com.apple.iTunes:NAME, matched regardless of case (as Picard does)."""

    name: str

    def _keys(self, tags: MP4Tags | Mp4ReadView) -> list[str]:
        want = normal_key(FREEFORM + self.name)
        if isinstance(tags, Mp4ReadView):
            return tags.keys_lowered(want)
        return [k for k in tags if normal_key(k) == want]

    def read(self, tags: MP4Tags | Mp4ReadView) -> list[str]:
        for k in self._keys(tags):
            return self._values(tags, k)
        return []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (FREEFORM + self.name,)

    def _values(self, tags: MP4Tags | Mp4ReadView, key: str) -> list[str]:
        return clean([freeform_text(v) for v in tags[key]])

    def write(self, tags: MP4Tags, values: list[str]) -> None:
        old = self.read(tags)  # atoms repeating the value being replaced go; others stay
        for k in self._keys(tags):
            if k == FREEFORM + self.name or self._values(tags, k) == old:
                del tags[k]
        if values:
            tags[FREEFORM + self.name] = [MP4FreeForm(v.encode("utf-8")) for v in values]

    def claims(self, key: str) -> bool:
        return key.lower() == (FREEFORM + self.name).lower()
