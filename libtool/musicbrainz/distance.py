"""A beets-style weighted distance between local tags and a MusicBrainz candidate.

Each comparison adds a named component with a penalty in 0..1 and a weight; the distance is
the weighted mean of the penalties (0 = identical, 1 = nothing alike) and the score shown to
a user is ``100 * (1 - distance)``. ``breakdown()`` says which components cost the most, as
plain dicts that can be stored as JSON.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from rapidfuzz import fuzz

from libtool.musicbrainz.normalise import normalise


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each named component counts; passed in, never read from global config."""

    # album level
    album: float = 3.0
    artist: float = 3.0
    album_id: float = 5.0  # the files already carry this release's MBID
    barcode: float = 4.0
    catalognumber: float = 2.0
    tracks: float = 2.0  # the mean track distance, counted once per matched track
    track_count: float = 2.0
    missing_tracks: float = 0.9
    unmatched_tracks: float = 0.6
    mediums: float = 1.0
    media: float = 1.0  # the format (CD, Vinyl, Digital Media)
    year: float = 1.0
    country: float = 0.5
    label: float = 0.5
    # track level
    track_title: float = 3.0
    track_artist: float = 2.0
    track_length: float = 2.0
    track_index: float = 1.0
    disc_index: float = 0.5
    track_id: float = 5.0  # mb_recordingid / mb_releasetrackid already in the file
    isrc: float = 3.0
    # preferences: tiny, they only break near-ties
    pref_country: float = 0.1
    pref_media: float = 0.1
    pref_type: float = 0.1
    pref_original: float = 0.1
    # search answer only
    service_score: float = 0.5

    def get(self, name: str) -> float:
        try:
            value: float = getattr(self, name)
        except AttributeError:
            raise KeyError(f"no weight for distance component {name!r}") from None
        return value

    def names(self) -> list[str]:
        return [f.name for f in fields(self)]


def check_penalty(penalty: float) -> float:
    """A penalty must be a finite number in 0..1."""
    if not isinstance(penalty, int | float) or math.isnan(penalty) or not 0 <= penalty <= 1:
        raise ValueError(f"penalty must be in 0..1, got {penalty!r}")
    return float(penalty)


def check_weight(weight: float) -> float:
    if not isinstance(weight, int | float) or math.isnan(weight) or weight < 0:
        raise ValueError(f"weight must be >= 0, got {weight!r}")
    return float(weight)


#: up to this share different (typos, a word more or less), a string penalty is that share
SIMILAR = 0.3
#: this far apart, two strings share no more than unrelated names do (about 5 % of pairs of
#: unrelated names come closer): "nothing alike", penalty 1
UNRELATED = 0.6


def string_penalty(a: str, b: str) -> float:
    """0 for equal after normalisation, else the share rapidfuzz finds different
    (order-insensitive); beyond ``SIMILAR`` it grows faster, reaching 1 at ``UNRELATED``,
    because unrelated names still share letters and would otherwise never cost 1."""
    na, nb = normalise(a) or a.casefold().strip(), normalise(b) or b.casefold().strip()
    if na == nb:
        return 0.0
    if not na or not nb:
        return 1.0
    similarity = max(fuzz.ratio(na, nb), 0.95 * fuzz.token_sort_ratio(na, nb))
    differs = 1.0 - similarity / 100.0
    if differs > SIMILAR:
        stretch = (1.0 - SIMILAR) / (UNRELATED - SIMILAR)
        differs = min(1.0, SIMILAR + (differs - SIMILAR) * stretch)
    return check_penalty(round(differs, 6))


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    penalty: float
    weight: float


class Distance:
    """Named penalties and their weights; add components, then read ``distance``/``score``."""

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights or Weights()
        self.components: list[Component] = []

    # --- adding ------------------------------------------------------------------------

    def add(self, name: str, penalty: float, weight: float | None = None) -> None:
        """One penalty (0..1) for ``name``, weighted by ``weight`` or ``Weights.<name>``."""
        w = self.weights.get(name) if weight is None else weight
        self.components.append(Component(name, check_penalty(penalty), check_weight(w)))

    def add_string(
        self, name: str, a: str | None, b: str | None, *, missing: float | None = 1.0
    ) -> None:
        """Compare two strings; when exactly one is empty add ``missing`` (None: skip)."""
        a, b = (a or "").strip(), (b or "").strip()
        if not a and not b:
            return
        if not a or not b:
            if missing is not None:
                self.add(name, missing)
            return
        self.add(name, string_penalty(a, b))

    def add_number(self, name: str, a: float | None, b: float | None, span: float = 1.0) -> None:
        """Penalty grows with |a - b| up to 1 at ``span``; skipped when either is unknown."""
        if a is None or b is None:
            return
        if span <= 0:
            raise ValueError("span must be > 0")
        self.add(name, min(abs(a - b) / span, 1.0))

    def add_ratio(self, name: str, number: float, total: float) -> None:
        """Penalty ``number / total`` capped at 1 (0 when total is 0): e.g. missing tracks."""
        if number < 0 or total < 0:
            raise ValueError("ratio parts must be >= 0")
        self.add(name, min(number / total, 1.0) if total else 0.0)

    def add_bool(self, name: str, a: object, b: object) -> None:
        """Penalty 1 when the two known values differ, 0 when equal; skipped when either
        is None or empty."""
        if a is None or b is None or a == "" or b == "":
            return
        self.add(name, 0.0 if a == b else 1.0)

    def add_expr(self, name: str, expr: bool) -> None:
        """Penalty 1 when ``expr`` is true (a mismatch), else 0 (as in beets)."""
        self.add(name, 1.0 if expr else 0.0)

    def add_priority(self, name: str, value: str | Sequence[str], options: Sequence[str]) -> None:
        """Penalty by the rank of the best of ``value`` in ``options`` (first = 0, absent = 1);
        skipped when there are no options."""
        if not options:
            return
        values = [value] if isinstance(value, str) else list(value)
        wanted = [o.casefold() for o in options]
        ranks = [wanted.index(v.casefold()) for v in values if v.casefold() in wanted]
        self.add(name, min(ranks) / len(options) if ranks else 1.0)

    def update(self, other: Distance) -> None:
        """Take over all of ``other``'s components."""
        self.components.extend(other.components)

    # --- reading -----------------------------------------------------------------------

    @property
    def max_distance(self) -> float:
        return sum(c.weight for c in self.components)

    @property
    def raw_distance(self) -> float:
        return sum(c.weight * c.penalty for c in self.components)

    @property
    def distance(self) -> float:
        """The weighted mean penalty, 0..1 (0 when nothing was compared)."""
        total = self.max_distance
        return self.raw_distance / total if total else 0.0

    @property
    def score(self) -> float:
        """``100 * (1 - distance)``, one decimal."""
        return round(100.0 * (1.0 - self.distance), 1)

    def penalty(self, name: str) -> float | None:
        """The weighted mean penalty of one component name (None if never added)."""
        parts = [c for c in self.components if c.name == name]
        weight = sum(c.weight for c in parts)
        if not parts:
            return None
        if not weight:
            return sum(c.penalty for c in parts) / len(parts)
        return sum(c.weight * c.penalty for c in parts) / weight

    def breakdown(self) -> list[dict[str, Any]]:
        """Per name: mean penalty, total weight and contribution (its share of ``distance``;
        contributions sum to it), largest contribution first; JSON-ready plain dicts."""
        total = self.max_distance
        order: list[str] = []
        for c in self.components:
            if c.name not in order:
                order.append(c.name)
        rows: list[dict[str, Any]] = []
        for name in order:
            parts = [c for c in self.components if c.name == name]
            weight = sum(c.weight for c in parts)
            raw = sum(c.weight * c.penalty for c in parts)
            rows.append(
                {
                    "name": name,
                    "penalty": round(self.penalty(name) or 0.0, 4),
                    "weight": round(weight, 4),
                    "contribution": round(raw / total, 4) if total else 0.0,
                }
            )
        rows.sort(key=lambda r: (-r["contribution"], -r["weight"], r["name"]))
        return rows

    def __repr__(self) -> str:
        return f"Distance({self.distance:.4f}, {len(self.components)} components)"
