"""Storage rules for ASF (WMA) attributes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from mutagen.asf import ASFGUIDAttribute, ASFTags

from libtool.tags.formats.base import PairRule, binary_summary, clean, safe_str


def normal_key(key: str) -> str:
    """An attribute name as lookups compare it (case-insensitively)."""
    return key.lower()


def attr_text(attr: Any) -> str:
    """An attribute of any ASF type (unicode, bool, DWORD, QWORD, WORD, GUID, bytes) as text."""
    value = getattr(attr, "value", attr)
    if isinstance(attr, ASFGUIDAttribute) and isinstance(value, bytes) and len(value) == 16:
        return str(uuid.UUID(bytes_le=value))
    if isinstance(value, bytes):
        return binary_summary(value)
    return safe_str(value)


def _texts(tags: ASFTags, key: str) -> list[str]:
    return clean([attr_text(v) for v in tags[key]])


def _find(tags: ASFTags, key: str) -> list[str]:
    want = normal_key(key)
    return [k for k in tags.keys() if normal_key(k) == want]  # noqa: SIM118 (ASFTags is list-like)


@dataclass(frozen=True)
class Attr:
    """One attribute; ``aliases`` are other names taggers use for it, read after ``key``."""

    key: str
    aliases: tuple[str, ...] = ()

    def read(self, tags: ASFTags) -> list[str]:
        for name in (self.key, *self.aliases):
            for k in _find(tags, name):
                return _texts(tags, k)
        return []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.key, *self.aliases)

    def write(self, tags: ASFTags, values: list[str]) -> None:
        old = self.read(tags)  # attributes repeating the value being replaced go; others stay
        for k in _find(tags, self.key):
            if k == self.key or _texts(tags, k) == old:
                del tags[k]
        for alias in self.aliases:
            for k in _find(tags, alias):
                if old and _texts(tags, k) == old:
                    del tags[k]
        if values:
            tags[self.key] = list(values)

    def claims(self, key: str) -> bool:
        return key.lower() in {k.lower() for k in (self.key, *self.aliases)}


@dataclass(frozen=True)
class Pair(PairRule):
    """WM/TrackNumber and WM/PartOfSet: a number, or 'n/N'; TotalTracks... are read too."""

    def _get(self, tags: ASFTags, key: str) -> list[str]:
        return Attr(key).read(tags)

    def _put(self, tags: ASFTags, key: str, values: list[str]) -> None:
        Attr(key).write(tags, values)
