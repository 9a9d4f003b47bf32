"""Reviewing MusicBrainz matches: the queue of proposals, their candidates with score
and breakdown, and current -> proposed values per track; accept or skip.

Lookups run in a thread worker through the service (``libtool.service.enrichment``),
so the app stays usable while MusicBrainz answers at one request a second, and an
offline or rate-limited service only shows a message. Every text from the server is
shown through ``plain`` (never as markup).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from libtool.errors import LibtoolError
from libtool.tui.text import plain, values_text

if TYPE_CHECKING:
    from libtool.service.core import Service
    from libtool.service.results import CandidateView, ProposalDetail, ProposalRow


def line(value: object) -> Text:
    """Untrusted text on one line (DataTable sizes columns from it)."""
    return Text(plain(value).plain, no_wrap=True, overflow="ellipsis")


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%"


def breakdown_text(c: CandidateView) -> Text:
    """What cost the score, largest first (components that cost nothing are left out)."""
    text = Text()
    where = "from the search answer" if not c.looked_up else "in full"
    text.append(f"Score {c.score:.1f}% ({where}); what it lost:\n", style="bold")
    costly = [b for b in c.breakdown if b.contribution > 0]
    for b in costly:
        text.append(f"  {b.name:<16} -{100 * b.contribution:5.1f}   ")
        text.append(f"(penalty {b.penalty:.2f} x weight {b.weight:g})\n", style="dim")
    if not costly:
        text.append("  nothing: every compared value agrees\n")
    for m in c.missing:
        text.append(f"  missing track: {plain(m)}\n", style="yellow")
    for u in c.unmatched:
        text.append(f"  no track for: {plain(u)}\n", style="yellow")
    return text


class ReviewScreen(Screen[None]):
    """The review queue (pending proposals) and the highlighted proposal's candidates."""

    DEFAULT_CSS = """
    #review-main { height: 1fr; }
    #review-queue { width: 1fr; min-width: 48; height: 1fr; }
    #review-side { width: 2fr; height: 1fr; }
    #review-candidates { height: 8; }
    #review-breakdown-box { height: 10; border-top: solid $panel; }
    #review-diff { height: 1fr; border-top: solid $panel; }
    #review-message { height: auto; max-height: 3; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,M", "close", "Back", id="review.close"),
        Binding("a", "accept", "Accept", id="review.accept"),
        Binding("k", "skip", "Skip", id="review.skip"),
        Binding("l", "lookup", "Look up again", id="review.lookup"),
    ]

    def __init__(
        self,
        service: Service,
        lookup_ids: Sequence[int] = (),
        lookup_label: str = "",
    ) -> None:
        super().__init__()
        self.service = service
        self.lookup_ids = list(lookup_ids)
        self.lookup_label = lookup_label
        self.queue: list[ProposalRow] = []
        self.current: ProposalDetail | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Label("MusicBrainz review", classes="screen-title")
        with Horizontal(id="review-main"):
            yield DataTable(id="review-queue", cursor_type="row")
            with Vertical(id="review-side"):
                yield DataTable(id="review-candidates", cursor_type="row")
                with VerticalScroll(id="review-breakdown-box"):
                    yield Static("", id="review-breakdown")
                yield DataTable(id="review-diff", cursor_type="row")
        yield Static("", id="review-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#review-queue", DataTable).add_columns("Album", "Status", "Score", "Gap")
        self.query_one("#review-candidates", DataTable).add_columns(
            "#", "Candidate", "Date", "Country", "Tracks", "Score"
        )
        self.query_one("#review-diff", DataTable).add_columns(
            "File", "Field", "Current", "Proposed"
        )
        self.reload()
        self.query_one("#review-queue", DataTable).focus()
        if self.lookup_ids:
            self.look_up(self.lookup_ids, self.lookup_label or "the album")

    # --- the queue ---------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.query_one("#review-message", Static).update(Content(text))

    def reload(self, focus_id: int | None = None) -> None:
        from libtool.service.enrichment import list_proposals

        keep = focus_id if focus_id is not None else (self.current.row.id if self.current else None)
        self.queue = list_proposals(self.service, ["pending"])
        if keep is not None and keep not in {r.id for r in self.queue}:
            from libtool.service.enrichment import get_proposal

            with contextlib.suppress(LibtoolError):
                self.queue.insert(0, get_proposal(self.service, keep).row)
        table = self.query_one("#review-queue", DataTable)
        table.clear()
        for r in self.queue:
            gap = "" if r.gap is None else f"{r.gap:.1f}"
            table.add_row(line(r.label), r.status, _score(r.score), gap)
        if not self.queue:
            self.current = None
            self.show_candidates()
            self.say(
                "No albums await review. Press m on an album in the library to look it up, "
                "or run 'mlib enrich'."
            )
            return
        index = next((i for i, r in enumerate(self.queue) if r.id == keep), 0)
        table.move_cursor(row=index)
        self.open_proposal(self.queue[index].id)

    @on(DataTable.RowHighlighted, "#review-queue")
    def queue_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.queue):
            chosen = self.queue[event.cursor_row].id
            if self.current is None or self.current.row.id != chosen:
                self.open_proposal(chosen)

    def open_proposal(self, proposal_id: int) -> None:
        from libtool.service.enrichment import get_proposal

        try:
            self.current = get_proposal(self.service, proposal_id)
        except LibtoolError as exc:
            self.current = None
            self.say(str(exc))
        self.show_candidates()

    # --- one proposal ------------------------------------------------------------------

    def show_candidates(self) -> None:
        table = self.query_one("#review-candidates", DataTable)
        table.clear()
        if self.current is None:
            self.show_candidate(None)
            return
        for c in self.current.candidates:
            mark = "*" if self.current.chosen == c.index else ""
            table.add_row(
                f"{mark}{c.index + 1}",
                line(f"{c.title} - {c.artist}"),
                plain(c.date),
                plain(c.country),
                "recording" if c.kind == "recording" else str(c.track_count),
                _score(c.score) + ("" if c.looked_up else " ~"),
            )
        row = self.current.row
        gap = "" if row.gap is None else f", gap {row.gap:.1f} to the runner-up"
        self.say(
            f"{row.label}: {row.recommendation} match{gap}. "
            "a accepts the highlighted candidate, k skips the album, l looks it up again."
        )
        if self.current.candidates:
            table.move_cursor(row=0)
            self.show_candidate(self.current.candidates[0])
        else:
            self.show_candidate(None)

    @on(DataTable.RowHighlighted, "#review-candidates")
    def candidate_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.current is not None and 0 <= event.cursor_row < len(self.current.candidates):
            self.show_candidate(self.current.candidates[event.cursor_row])

    def show_candidate(self, c: CandidateView | None) -> None:
        info = self.query_one("#review-breakdown", Static)
        diff = self.query_one("#review-diff", DataTable)
        diff.clear()
        if c is None:
            message = self.current.row.message if self.current else ""
            info.update(Text("No candidates." + (f" {message}" if message else "")))
            return
        info.update(breakdown_text(c))
        if not c.looked_up:
            diff.add_row(Text("Scored from the search answer: accepting looks it up first."))
            return
        if not c.diffs:
            diff.add_row(Text("Nothing to change: the files already say all of this."))
        last = None
        for d in c.diffs:
            name = d.path_text.rsplit("/", 1)[-1]
            diff.add_row(
                line(name) if d.track_id != last else Text(""),
                d.field,
                Text(values_text(d.old), style="red"),
                Text(values_text(d.new), style="bold green"),
            )
            last = d.track_id

    def chosen_candidate(self) -> CandidateView | None:
        if self.current is None or not self.current.candidates:
            return None
        row = self.query_one("#review-candidates", DataTable).cursor_row
        if 0 <= row < len(self.current.candidates):
            return self.current.candidates[row]
        return None

    # --- actions -----------------------------------------------------------------------

    def action_accept(self) -> None:
        c = self.chosen_candidate()
        if self.current is None or c is None or self.busy:
            return
        self.accept(self.current.row.id, c.index + 1)

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def accept(self, proposal_id: int, number: int) -> None:
        from libtool.service.enrichment import accept

        self.app.call_from_thread(self._busy, "Accepting…")
        try:
            count, _ = accept(self.service, proposal_id, number)
        except LibtoolError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._accepted, count)

    def _busy(self, text: str) -> None:
        self.busy = True
        self.say(text)

    def _failed(self, text: str) -> None:
        self.busy = False
        self.say(text)
        self.app.notify(text, severity="error", markup=False)

    def _accepted(self, count: int) -> None:
        self.busy = False
        self.app.notify(
            f"{count} changes pending; press w to write them to the files.", markup=False
        )
        self.current = None
        self.reload()
        changed = getattr(self.app, "on_pending_changed", None)
        if callable(changed):
            changed()

    def action_skip(self) -> None:
        from libtool.service.enrichment import skip

        if self.current is None or self.busy:
            return
        skip(self.service, [self.current.row.id])
        self.app.notify(f"Skipped {self.current.row.label}.", markup=False)
        self.current = None
        self.reload()

    def action_lookup(self) -> None:
        from libtool.service.enrichment import proposal_track_ids

        if self.current is None or self.busy:
            return
        ids = proposal_track_ids(self.service, self.current.row.id)
        self.look_up(ids, self.current.row.label, refresh=True)

    def look_up(self, ids: Sequence[int], label: str, refresh: bool = False) -> None:
        self.say(f"Looking up {label} on MusicBrainz…")
        self.busy = True
        self.run_lookup(list(ids), refresh)

    @work(thread=True, exclusive=True, group="review", exit_on_error=False)
    def run_lookup(self, ids: list[int], refresh: bool) -> None:
        from libtool.service.enrichment import EnrichOptions, enrich

        try:
            result = enrich(self.service, (), EnrichOptions(refresh=refresh), ids=ids)
        except LibtoolError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        if result.stopped:
            self.app.call_from_thread(self._failed, f"{result.stopped}. The library is unchanged.")
            return
        found = result.proposal_ids[0] if result.proposal_ids else None
        self.app.call_from_thread(self._looked_up, found, result.failed)

    def _looked_up(self, proposal_id: int | None, failed: int) -> None:
        self.busy = False
        if failed:
            self.app.notify("MusicBrainz gave a broken answer; try again.", severity="error")
        self.reload(focus_id=proposal_id)

    def action_close(self) -> None:
        self.dismiss(None)
