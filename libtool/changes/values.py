"""The one plain value every kind of change shares, kept free of SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one track going from ``old`` to ``new`` (values as the file holds them)."""

    track_id: int
    path_text: str
    field: str
    old: list[str]
    new: list[str]
