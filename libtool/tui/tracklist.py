"""A virtual track list: it holds only track ids and fetches the rows on screen.

The list is a ``ScrollView`` drawn with the Line API, so 100,000 tracks cost a list of
ints plus a small row cache; no widget per row. ``fetch`` (``Service.rows_for``) is called
for the visible window only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from libtool.service.results import TrackRow
from libtool.tui.text import cell


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    sort: tuple[str, ...]
    width: int | None  # None: shares the free space


COLUMNS: tuple[Column, ...] = (
    Column("number", "#", ("disc", "track"), 6),
    Column("title", "Title", ("title",), None),
    Column("artist", "Artist", ("artist",), None),
    Column("album", "Album", ("album",), None),
    Column("year", "Year", ("year",), 5),
    Column("length", "Length", ("length",), 7),
    Column("format", "Format", ("format",), 8),
)
ROW_COLUMNS = ("disc", "track", "title", "artist", "album", "year", "length", "format")
MARK = 2  # the selection mark column


def layout(width: int) -> list[tuple[Column, int]]:
    """Each column with its width for a list ``width`` cells wide."""
    fixed = sum(c.width or 0 for c in COLUMNS) + MARK
    flex = [c for c in COLUMNS if c.width is None]
    free = max(width - fixed, 3 * len(flex))
    share, extra = divmod(free, len(flex))
    out = []
    for c in COLUMNS:
        if c.width is None:
            w = share + (1 if extra > 0 else 0)
            extra -= 1
            out.append((c, w))
        else:
            out.append((c, c.width))
    return out


def row_cells(row: TrackRow) -> dict[str, str]:
    v = row.values
    number = cell("track", v.get("track"))
    if v.get("disc") is not None:
        number = f"{v['disc']}-{number}"
    return {
        "number": number,
        "title": cell("title", v.get("title")),
        "artist": cell("artist", v.get("artist")),
        "album": cell("album", v.get("album")),
        "year": cell("year", v.get("year")),
        "length": cell("length", v.get("length")),
        "format": cell("format", v.get("format")),
    }


class TrackHeader(Widget):
    """Column titles; clicking one sorts the list by it (again: reverses)."""

    DEFAULT_CSS = """
    TrackHeader { height: 1; background: $panel; color: $text; text-style: bold; }
    """

    class SortRequested(Message):
        def __init__(self, column: Column) -> None:
            super().__init__()
            self.column = column

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort_key = "default"
        self.descending = False

    def render_line(self, y: int) -> Strip:
        segments = [Segment(" " * MARK)]
        for column, width in layout(self.size.width):
            title = column.title
            if column.key == self.sort_key:
                title += " ▼" if self.descending else " ▲"
            segments.append(Segment(set_cell_size(title, width - 1) + " "))
        return Strip(segments).crop(0, self.size.width)

    def on_click(self, event: events.Click) -> None:
        x = MARK
        for column, width in layout(self.size.width):
            if x <= event.x < x + width:
                self.post_message(self.SortRequested(column))
                return
            x += width


class TrackList(ScrollView, can_focus=True):
    """Track ids in order, a cursor, a multi-selection; rows drawn on demand."""

    DEFAULT_CSS = """
    TrackList { overflow-x: hidden; background: $surface; }
    TrackList > .tracklist--cursor { background: $accent 40%; }
    TrackList:focus > .tracklist--cursor { background: $accent; color: $text; }
    TrackList > .tracklist--selected { color: $warning; text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"tracklist--cursor", "tracklist--selected"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.pagedown"),
        Binding("home", "jump(0)", "First", show=False, id="list.home"),
        Binding("end", "jump(-1)", "Last", show=False, id="list.end"),
        Binding("shift+up", "extend(-1)", "Select up", show=False, id="list.extend_up"),
        Binding("shift+down", "extend(1)", "Select down", show=False, id="list.extend_down"),
        Binding("space", "toggle_selection", "Select", id="list.toggle"),
        Binding("ctrl+a", "select_all", "Select all", id="list.select_all"),
        Binding("escape", "select_none", "Clear selection", show=False, id="list.select_none"),
        Binding("enter", "activate", "Edit", show=False, id="list.activate"),
    ]

    class Highlighted(Message):
        def __init__(self, track_id: int | None) -> None:
            super().__init__()
            self.track_id = track_id

    class SelectionChanged(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class Activated(Message):
        pass

    def __init__(
        self, fetch: Callable[[Sequence[int]], list[TrackRow]], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._fetch = fetch
        self.ids: list[int] = []
        self.cursor = 0
        self.selected: set[int] = set()
        # ctrl+a selected the whole list: when the rest of it arrives, it joins
        self.all_selected = False
        self._cache: dict[int, dict[str, str]] = {}
        self.fetches = 0  # rows_for calls, for tests and the benchmark

    # --- data --------------------------------------------------------------------------

    def set_ids(self, ids: list[int], *, keep_cursor: bool = False) -> None:
        """Show ``ids``; the cursor stays on the same track when asked and possible."""
        current = self.current_id if keep_cursor else None
        old, before = self.cursor, self.ids
        self.ids = ids
        if not keep_cursor:
            self.selected = set()
            self.all_selected = False
        elif self.all_selected and ids[: len(before)] == before:
            self.selected = set(ids)  # the rest of the list ctrl+a selected has arrived
        elif self.selected:
            self.selected &= set(ids)
        if current is None:
            self.cursor = 0
        elif old < len(ids) and ids[old] == current:
            self.cursor = old  # the common case (the rest of a list arrived): no search
        else:
            try:
                self.cursor = ids.index(current)
            except ValueError:
                self.cursor = 0
        self.cursor = min(self.cursor, max(len(ids) - 1, 0))
        self.virtual_size = Size(self.size.width, len(ids))
        if not keep_cursor:
            self.scroll_to(y=0, animate=False)
        self._follow()
        self.refresh()
        self.post_message(self.Highlighted(self.current_id))
        self.post_message(self.SelectionChanged(len(self.selected)))

    def forget_rows(self) -> None:
        """Drop cached rows (after a write or scan changed them)."""
        self._cache.clear()
        self.refresh()

    @property
    def current_id(self) -> int | None:
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    def chosen_ids(self) -> list[int]:
        """The selection in list order, or the track under the cursor."""
        if self.selected:
            return [tid for tid in self.ids if tid in self.selected]
        current = self.current_id
        return [] if current is None else [current]

    def _ensure(self, start: int) -> None:
        height = max(self.size.height, 1)
        window = self.ids[max(start - 20, 0) : start + height + 60]
        missing = [tid for tid in window if tid not in self._cache]
        if not missing:
            return
        if len(self._cache) > 4000:
            self._cache.clear()
        self.fetches += 1
        for row in self._fetch(missing):
            self._cache[row.id] = row_cells(row)

    # --- drawing -----------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, len(self.ids))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = int(self.scroll_offset.y) + y
        base = self.rich_style
        if index >= len(self.ids):
            return Strip.blank(width, base)
        tid = self.ids[index]
        if tid not in self._cache:
            self._ensure(index)
        cells = self._cache.get(tid)
        style = base
        if tid in self.selected:
            style += self.get_component_rich_style("tracklist--selected", partial=True)
        if index == self.cursor:
            style += self.get_component_rich_style("tracklist--cursor", partial=True)
        if cells is None:
            return Strip([Segment(set_cell_size("  (gone)", width), style)], width)
        segments = [Segment("● " if tid in self.selected else "  ", style)]
        for column, w in layout(width):
            text = cells[column.key]
            if column.key in ("number", "year", "length"):
                text = text.rjust(w - 1)
            segments.append(Segment(set_cell_size(text, w - 1) + " ", style))
        return Strip(segments).crop(0, width).extend_cell_length(width, style)

    def _refresh_index(self, index: int) -> None:
        y = index - int(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            self.refresh_line(y)

    # --- moving and selecting ------------------------------------------------------------

    def _follow(self) -> None:
        top = int(self.scroll_offset.y)
        height = max(self.size.height, 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def move_to(self, index: int) -> None:
        if not self.ids:
            return
        index = max(0, min(index, len(self.ids) - 1))
        if index == self.cursor:
            return
        old, self.cursor = self.cursor, index
        self._refresh_index(old)
        self._follow()
        self._refresh_index(index)
        self.post_message(self.Highlighted(self.current_id))

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(self.size.height - 1, 1))

    def action_jump(self, where: int) -> None:
        self.move_to(len(self.ids) - 1 if where < 0 else where)

    def _toggle(self, index: int, on: bool | None = None) -> None:
        tid = self.ids[index]
        if on is None:
            on = tid not in self.selected
        if on:
            self.selected.add(tid)
        else:
            self.selected.discard(tid)
            self.all_selected = False
        self._refresh_index(index)
        self.post_message(self.SelectionChanged(len(self.selected)))

    def action_toggle_selection(self) -> None:
        if self.ids:
            self._toggle(self.cursor)
            self.move_to(self.cursor + 1)

    def action_extend(self, delta: int) -> None:
        if self.ids:
            self._toggle(self.cursor, True)
            self.move_to(self.cursor + delta)
            self._toggle(self.cursor, True)

    def action_select_all(self) -> None:
        self.selected = set(self.ids)
        self.all_selected = True
        self.refresh()
        self.post_message(self.SelectionChanged(len(self.selected)))

    def action_select_none(self) -> None:
        if not self.selected:
            raise SkipAction  # let Escape reach the app (cancel a running job)
        self.selected.clear()
        self.all_selected = False
        self.refresh()
        self.post_message(self.SelectionChanged(0))

    def action_activate(self) -> None:
        self.post_message(self.Activated())

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < len(self.ids):
            if event.x < MARK:
                self._toggle(index)
            self.move_to(index)
            if event.chain == 2:
                self.post_message(self.Activated())
