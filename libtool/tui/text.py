"""Untrusted text for widgets: every tag and path goes through ``safe_text`` and then into
``Text``/``Content`` objects, never into markup."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.content import Content

from libtool.display import format_value, safe_text
from libtool.tags.fields import MULTI_SEP


def plain(value: object) -> Text:
    """A Rich ``Text`` (for Tree labels, DataTable cells) showing ``value`` literally."""
    return Text(safe_text(value), no_wrap=False)


def content(value: object) -> Content:
    """A Textual ``Content`` (for Label, Static, OptionList, Button) showing ``value`` literally."""
    return Content(safe_text(value))


def values_text(values: Sequence[str] | None, limit: int = 200) -> str:
    """Several tag values as one safe line, cut when very long (lyrics)."""
    if not values:
        return "(empty)"
    joined = MULTI_SEP.join(values)
    if len(joined) > limit:
        joined = f"{joined[:limit]}… ({len(joined)} characters)"
    return safe_text(joined)


def cell(name: str, value: object) -> str:
    """A listing value as shown in the track list (m:ss lengths, padded numbers), made safe."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = MULTI_SEP.join(str(v) for v in value)
    return safe_text(format_value(name, value))
