"""Storage rules for ASF (WMA) attributes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from mutagen.asf import ASFGUIDAttribute, ASFTags

from libtool.tags.fields import split_pair
from libtool.tags.formats.base import binary_summary, clean, join_pair, safe_str


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
    want = key.lower()
    return [k for k in tags.keys() if k.lower() == want]  # noqa: SIM118 (ASFTags is list-like)


@dataclass(frozen=True)
class Attr:
    key: str

    def read(self, tags: ASFTags) -> list[str]:
        for k in _find(tags, self.key):
            return _texts(tags, k)
        return []

    def write(self, tags: ASFTags, values: list[str]) -> None:
        old = self.read(tags)  # attributes repeating the value being replaced go; others stay
        for k in _find(tags, self.key):
            if k == self.key or _texts(tags, k) == old:
                del tags[k]
        if values:
            tags[self.key] = list(values)

    def claims(self, key: str) -> bool:
        return key.lower() == self.key.lower()


@dataclass(frozen=True)
class Pair:
    """WM/TrackNumber and WM/PartOfSet: a number, or 'n/N'."""

    key: str
    index: int

    def read(self, tags: ASFTags) -> list[str]:
        for k in _find(tags, self.key):
            values = _texts(tags, k)
            if values:
                part = split_pair(values[0])[self.index]
                return [part] if part else []
        return []

    def write(self, tags: ASFTags, values: list[str]) -> None:
        current = Attr(self.key).read(tags)
        parts = list(split_pair(current[0])) if current else ["", ""]
        parts[self.index] = values[0] if values else ""
        Attr(self.key).write(tags, [t] if (t := join_pair(parts[0], parts[1])) else [])

    def claims(self, key: str) -> bool:
        return key.lower() == self.key.lower()
