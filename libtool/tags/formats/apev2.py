"""Storage rules for APEv2 items (Monkey's Audio, WavPack, Musepack, TAK, OptimFROG).

Item keys are case-insensitive; several values are separated by NUL bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from mutagen.apev2 import APETextValue, APEv2

from libtool.tags.formats.base import PairRule, clean


def normal_key(key: str) -> str:
    """An item key as lookups compare it (mutagen's APEv2 is case-insensitive)."""
    return key.lower()


def _get(tags: APEv2, key: str) -> list[str]:
    value = tags.get(key)
    if not isinstance(value, APETextValue):
        return []
    return clean(list(value))


@dataclass(frozen=True)
class Item:
    """One item; ``aliases`` are other keys taggers use for it, read after ``key``.

    A write goes to ``key``; an alias goes only if it just repeated the value being
    replaced (one holding something else is the user's data and stays).
    """

    key: str
    aliases: tuple[str, ...] = ()

    def read(self, tags: APEv2) -> list[str]:
        for key in (self.key, *self.aliases):
            values = _get(tags, key)
            if values:
                return values
        return []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.key, *self.aliases)

    def write(self, tags: APEv2, values: list[str]) -> None:
        old = self.read(tags)
        for alias in self.aliases:
            if old and _get(tags, alias) == old:
                del tags[alias]
        if self.key in tags:
            del tags[self.key]
        if values:
            tags[self.key] = list(values)

    def claims(self, key: str) -> bool:
        return key.lower() in {k.lower() for k in (self.key, *self.aliases)}


@dataclass(frozen=True)
class Pair(PairRule):
    """Track/Disc 'n/N'; other taggers' TRACKNUMBER, TRACKTOTAL, DISCTOTAL... are read too."""

    def _get(self, tags: APEv2, key: str) -> list[str]:
        return _get(tags, key)

    def _put(self, tags: APEv2, key: str, values: list[str]) -> None:
        Item(key).write(tags, values)
