"""Storage rules for APEv2 items (Monkey's Audio, WavPack, Musepack, TAK, OptimFROG).

Item keys are case-insensitive; several values are separated by NUL bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from mutagen.apev2 import APETextValue, APEv2

from libtool.tags.fields import split_pair
from libtool.tags.formats.base import clean, join_pair


def _get(tags: APEv2, key: str) -> list[str]:
    value = tags.get(key)
    if not isinstance(value, APETextValue):
        return []
    return clean(list(value))


@dataclass(frozen=True)
class Item:
    key: str

    def read(self, tags: APEv2) -> list[str]:
        return _get(tags, self.key)

    def write(self, tags: APEv2, values: list[str]) -> None:
        if self.key in tags:
            del tags[self.key]
        if values:
            tags[self.key] = list(values)

    def claims(self, key: str) -> bool:
        return key.lower() == self.key.lower()


@dataclass(frozen=True)
class Pair:
    key: str
    index: int

    def read(self, tags: APEv2) -> list[str]:
        values = _get(tags, self.key)
        if not values:
            return []
        part = split_pair(values[0])[self.index]
        return [part] if part else []

    def write(self, tags: APEv2, values: list[str]) -> None:
        current = _get(tags, self.key)
        parts = list(split_pair(current[0])) if current else ["", ""]
        parts[self.index] = values[0] if values else ""
        Item(self.key).write(tags, [t] if (t := join_pair(parts[0], parts[1])) else [])

    def claims(self, key: str) -> bool:
        return key.lower() == self.key.lower()
