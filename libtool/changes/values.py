"""The one plain value every kind of change shares, kept free of SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one track going from ``old`` to ``new`` (values as the file holds them).

    ``staged_against`` is set on a pending change whose file changed since it was staged
    (another program edited it): the values it was staged against. Such a change is a
    conflict and is not written unless forced.
    """

    track_id: int
    path_text: str
    field: str
    old: list[str]
    new: list[str]
    staged_against: list[str] | None = None

    @property
    def conflict(self) -> bool:
        return self.staged_against is not None
