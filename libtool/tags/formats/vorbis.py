"""Storage rules for Vorbis comments (FLAC, Ogg Vorbis, Opus, Speex, Ogg FLAC).

Keys are case-insensitive; values are naturally multi-valued (repeated keys).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mutagen._vorbis import VCommentDict

from libtool.tags.fields import split_pair
from libtool.tags.formats.base import clean


def normal_key(key: str) -> str:
    """A comment name as lookups compare it (case-insensitively)."""
    return key.upper()


class ReadView:
    """Comments indexed once by upper-case key, for reading.

    Each ``VCommentDict[key]`` scans every comment; reading 30 fields that way
    cost more than parsing the file. Rules read from this view, write to the tags.
    """

    def __init__(self, tags: VCommentDict) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in list.__iter__(tags):
            self._values.setdefault(normal_key(key), []).append(value)

    def __getitem__(self, key: str) -> list[str]:
        return self._values[normal_key(key)]

    def __contains__(self, key: str) -> bool:
        return normal_key(key) in self._values

    def keys(self) -> list[str]:
        return [key.lower() for key in self._values]

    def values_of(self, key: str) -> list[str]:
        """The values of ``key``, none when absent (most keys asked for are)."""
        return self._values.get(normal_key(key), [])


def _get(tags: VCommentDict | ReadView, key: str) -> list[str]:
    if isinstance(tags, ReadView):  # no KeyError raised for each of ~50 absent keys
        values = tags.values_of(key)
        return clean(values) if values else []
    try:
        return clean(tags[key])
    except KeyError:
        return []


def _delete(tags: VCommentDict, key: str) -> None:
    if key in tags:
        del tags[key]


def _replace(
    tags: VCommentDict, key: str, aliases: tuple[str, ...], old: list[str], new: list[str]
) -> None:
    """Write ``key``; an alias goes only if it just repeated the value being replaced.

    An alias holding something else (a long DESCRIPTION beside a short COMMENT) is
    the user's data too, and stays.
    """
    _delete(tags, key)
    for alias in aliases:
        if _get(tags, alias) == old:
            _delete(tags, alias)
    if new:
        tags[key] = list(new)


@dataclass(frozen=True)
class Key:
    key: str
    aliases: tuple[str, ...] = ()

    def read(self, tags: VCommentDict) -> list[str]:
        for k in (self.key, *self.aliases):
            values = _get(tags, k)
            if values:
                return values
        return []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.key, *self.aliases)

    def write(self, tags: VCommentDict, values: list[str]) -> None:
        _replace(tags, self.key, self.aliases, self.read(tags), values)

    def claims(self, key: str) -> bool:
        return key.upper() in (self.key, *self.aliases)


@dataclass(frozen=True)
class Number:
    """TRACKNUMBER/DISCNUMBER, which some taggers fill with 'n/N'.

    ``total_keys`` are the total's keys (written key first): a total found only
    inside 'n/N' moves there when the number is rewritten, instead of being lost.
    """

    key: str
    total_keys: tuple[str, ...] = ()

    def read(self, tags: VCommentDict) -> list[str]:
        values = _get(tags, self.key)
        if not values:
            return []
        number = split_pair(values[0])[0]
        return [number] if number else []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.key,)

    def write(self, tags: VCommentDict, values: list[str]) -> None:
        current = _get(tags, self.key)
        total = split_pair(current[0])[1] if current else ""
        _delete(tags, self.key)
        if values:
            tags[self.key] = [values[0]]
        if total and self.total_keys and not any(_get(tags, k) for k in self.total_keys):
            tags[self.total_keys[0]] = [total]

    def claims(self, key: str) -> bool:
        return key.upper() == self.key


@dataclass(frozen=True)
class Total:
    """TRACKTOTAL/DISCTOTAL, with aliases and the 'n/N' form of the number key as fallbacks."""

    key: str
    number_key: str
    aliases: tuple[str, ...] = field(default=())

    def read(self, tags: VCommentDict) -> list[str]:
        for k in (self.key, *self.aliases):
            values = _get(tags, k)
            if values:
                return values[:1]
        numbers = _get(tags, self.number_key)
        if numbers:
            total = split_pair(numbers[0])[1]
            return [total] if total else []
        return []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.key, *self.aliases, self.number_key)

    def write(self, tags: VCommentDict, values: list[str]) -> None:
        _replace(tags, self.key, self.aliases, self.read(tags), values[:1])
        numbers = _get(tags, self.number_key)
        if numbers and "/" in numbers[0]:  # keep the total in one place only
            tags[self.number_key] = [split_pair(numbers[0])[0]]

    def claims(self, key: str) -> bool:
        return key.upper() in (self.key, *self.aliases)
