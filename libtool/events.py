"""What long operations tell their front end, and how a front end stops them.

Every long operation (scan, write, undo, move, CSV import, enrichment) takes an
``EventSink`` and a ``CancelToken``. It posts typed events (``Progress`` as it
goes, ``FileOutcome`` for each file it changed or failed on, ``Note`` for
things worth saying) and checks the token at safe points, where stopping
leaves everything done so far committed. The CLI renders events as a rich
progress bar and per-file lines; the TUI posts them as messages. ``throttled``
keeps a 100,000-file scan from posting 100,000 progress updates.

Kept free of SQLAlchemy and mutagen: the no-change fast path imports it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotation: this module stays light
    from libtool.service.results import ProposalDetail


@dataclass(frozen=True, slots=True)
class Progress:
    """``done`` of ``total`` in ``phase`` (``walk``, ``read``, ``write``, ``move``...);
    ``total`` is None while unknown (a walk counts files as it finds them)."""

    phase: str
    done: int
    total: int | None = None


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """One file's result. ``kind`` is ``ok`` or a short reason (``corrupt``, ``changed``...);
    ``detail`` is what was done (fields written, the new path) or why it failed."""

    track_id: int | None
    path: str
    ok: bool
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class Planned:
    """A dry run's answer for one file: where it would go, what it would become."""

    track_id: int | None
    path: str
    detail: str


@dataclass(frozen=True, slots=True)
class Note:
    """Something the user should hear about that is not one file's outcome."""

    message: str


@dataclass(frozen=True, slots=True)
class Matched:
    """Enrichment's answer for one album or lone track. ``outcome`` is ``applied``,
    ``proposed`` (awaits review), ``unchanged`` (matched, nothing to change), ``no_match``
    or ``failed``; ``detail`` is the proposal with its candidates (None when failed)."""

    label: str
    outcome: str
    message: str = ""
    detail: ProposalDetail | None = None


Event = Progress | FileOutcome | Planned | Note | Matched
EventSink = Callable[[Event], None]


def ignore(event: Event) -> None:
    """A sink that drops every event."""


class Cancelled(Exception):
    """Raised at a safe point once the token is set; callers turn it into a clean stop."""


class CancelToken:
    """Set from any thread (a TUI button, the CLI's Ctrl-C handler); checked by the core."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` when cancellation was asked for."""
        if self._event.is_set():
            raise Cancelled

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True (early) when cancelled meanwhile."""
        return self._event.wait(seconds)


NEVER = CancelToken()  # a token nobody sets, for callers that cannot cancel


def throttled(
    sink: EventSink, interval: float = 0.1, clock: Callable[[], float] = time.monotonic
) -> EventSink:
    """Pass ``Progress`` at most once per ``interval`` seconds per phase (always the first
    and the last of a phase); every other event passes at once, in order."""
    last: dict[str, float] = {}

    def post(event: Event) -> None:
        if isinstance(event, Progress):
            now = clock()
            final = event.total is not None and event.done >= event.total
            seen = last.get(event.phase)
            if not final and seen is not None and now - seen < interval:
                return
            last[event.phase] = now
        sink(event)

    return post
