"""What every storage rule offers: read values, write values, claim raw keys.

A rule knows one canonical field's home inside one container format. The same
rule object serves reading (scan) and writing (``mlib write``), so the two can
never disagree about where a field lives.
"""

from __future__ import annotations

from typing import Any, Protocol


class Rule(Protocol):
    def read(self, tags: Any) -> list[str]:
        """The field's raw values in ``tags`` (empty when absent)."""

    def write(self, tags: Any, values: list[str]) -> None:
        """Store ``values`` (an empty list deletes the field) in the canonical key."""

    def claims(self, key: str) -> bool:
        """Whether the raw key ``key`` belongs to this field (so it is not an 'extra')."""


def safe_str(value: object) -> str:
    """Text that SQLite and JSON accept: lone surrogates become U+FFFD."""
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def clean(values: list[str]) -> list[str]:
    """Values as safe strings, empty ones dropped."""
    return [v for v in (safe_str(x) for x in values) if v != ""]


def binary_summary(data: bytes, what: str = "binary") -> str:
    """How binary data appears among text values: its kind and size, never its bytes."""
    return f"<{what}, {len(data)} bytes>"


def join_pair(number: str, total: str) -> str:
    if number and total:
        return f"{number}/{total}"
    if total:
        return f"0/{total}"
    return number
