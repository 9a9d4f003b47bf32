"""The mlib TUI: browse, search, fix tags, write with undo, rescan, problems, export.

Thin like the CLI: every question goes to ``Service``; long work runs in thread
workers that post messages (they never touch widgets); tag text is shown through
``libtool.tui.text`` (``safe_text`` then ``Text``/``Content``, never markup).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, Label, ProgressBar, Static, Tree

from libtool.display import format_value, safe_text
from libtool.errors import LibtoolError
from libtool.events import (
    Cancelled,
    CancelToken,
    Event,
    FileOutcome,
    Note,
    Progress,
    throttled,
)
from libtool.service.core import DEFAULT_SORT, Service
from libtool.service.results import TrackDetail
from libtool.tags.fields import FIELDS
from libtool.tui import settings as tui_settings
from libtool.tui.commands import LibraryCommands
from libtool.tui.screens import (
    ConfirmScreen,
    EditScreen,
    ExportScreen,
    HelpScreen,
    HistoryScreen,
    PendingScreen,
    ProblemsScreen,
    ResultsScreen,
    diff_text,
    run_changes_text,
)
from libtool.tui.text import content, plain, values_text
from libtool.tui.tracklist import COLUMNS, ROW_COLUMNS, TrackHeader, TrackList

CSS = """
#browse { height: 1fr; }
#nav { width: 28; border-right: solid $panel; }
#middle { width: 1fr; }
#search { border: tall $panel; }
#query-error { color: $error; height: auto; display: none; }
#query-error.shown { display: block; }
#detail-pane { height: 13; border-top: solid $panel; padding: 0 1; }
#tracks { height: 1fr; }
#status { height: 1; background: $panel; padding: 0 1; }
#job { height: 3; display: none; padding: 0 1; }
#job.running { display: block; }
#job Label { width: auto; padding: 1 1 0 0; }
#job ProgressBar { width: 1fr; padding-top: 1; }
#welcome { display: none; padding: 1 2; height: 1fr; }
#welcome.shown { display: block; }
#welcome Input { width: 80; }
.dialog { width: 90%; max-width: 110; height: auto; max-height: 90%;
  border: thick $primary; background: $surface; padding: 0 1; }
ModalScreen { align: center middle; }
.dialog-title { text-style: bold; padding: 0 0 1 0; width: 1fr; }
.dialog-body { height: auto; max-height: 24; }
.buttons { height: auto; align-horizontal: right; padding-top: 1; }
.buttons Button { margin-left: 2; }
#edit-dialog { height: 90%; }
#edit-fields { height: 1fr; }
.field-row { height: 1; }
.field-label { width: 26; }
.field-input { width: 1fr; height: 1; border: none; padding: 0 1; }
.field-error { width: 30; color: $error; padding-left: 1; }
.field-clear { width: 7; min-width: 7; height: 1; margin-left: 1; }
.screen-title { text-style: bold; padding: 0 1; height: 1; }
#history-table { height: 1fr; }
#history-changes { height: 1fr; border-top: solid $panel; }
#results { height: auto; max-height: 20; }
"""


#: How many ids a new search shows first, before the rest of its matches arrive.
FIRST_ROWS = 150


@dataclass(frozen=True, slots=True)
class Source:
    """What the track list shows: a query, an album, or an album artist's albums."""

    kind: str  # "query", "album", "artist"
    query: str = ""
    album_id: int | None = None
    name: str | None = None

    def describe(self) -> str:
        if self.kind == "album":
            return "album " + safe_text(self.name)
        if self.kind == "artist":
            return "album artist " + (safe_text(self.name) if self.name else "(none)")
        return f"query {safe_text(self.query)}" if self.query.strip() else "all tracks"


class ListLoaded(Message):
    """The ids of ``source``; ``complete`` False: only the first screenfuls, the rest follow."""

    def __init__(
        self,
        ids: list[int],
        source: Source,
        keep_cursor: bool,
        complete: bool = True,
        token: CancelToken | None = None,
    ) -> None:
        super().__init__()
        self.token = token  # the load it came from: only the newest load is shown
        self.ids = ids
        self.source = source
        self.keep_cursor = keep_cursor
        self.complete = complete


class QueryFailed(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class JobEvent(Message):
    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class JobDone(Message):
    def __init__(self, kind: str, result: Any, error: str | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.result = result
        self.error = error


class LibraryChanged(Message):
    """Another process changed the library (a scan, a write): reload."""


class LibraryApp(App[None]):
    """The library browser. Build it with ``make_app``."""

    TITLE = "mlib"
    CSS = CSS
    COMMANDS: ClassVar[set[Any]] = App.COMMANDS | {LibraryCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding("slash", "focus_search", "Search", id="search"),
        Binding("e", "edit", "Edit", id="edit"),
        Binding("p", "pending", "Pending", id="pending"),
        Binding("w", "write", "Write", id="write"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("h", "history", "History", id="history"),
        Binding("r", "rescan", "Rescan", id="rescan"),
        Binding("x", "problems", "Problems", id="problems"),
        Binding("ctrl+e", "export", "Export", id="export"),
        Binding("m", "musicbrainz", "MusicBrainz", id="musicbrainz"),
        Binding("M", "review", "Review", show=False, id="review"),
        Binding("s", "cycle_sort", "Sort", show=False, id="sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="sort_reverse"),
        Binding("question_mark,f1", "help", "Help", id="help"),
        Binding("escape", "escape", "Cancel", show=False, id="cancel"),
    ]
    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("/", "search (results follow as you type)"),
        ("enter / esc", "in the search box: go to the list"),
        ("up/down, pgup/pgdn", "move in the list; home/end: first/last"),
        ("space", "select or unselect the track (shift+up/down extend)"),
        ("ctrl+a / esc", "select all / clear the selection"),
        ("e or enter", "edit the selected tracks (or the one under the cursor)"),
        ("s / S", "sort by the next column / reverse (or click a column title)"),
        ("p", "pending changes (d field, t track, A all: discard)"),
        ("w", "write pending changes to the files (asks first)"),
        ("u", "undo the last run (asks first)"),
        ("h", "history: every run, undo any of them"),
        ("r", "rescan the library (esc cancels)"),
        ("x", "problems: missing files, empty fields, album gaps"),
        ("ctrl+e", "export the selection or the list as CSV"),
        ("m", "look up the album (or the selected tracks) on MusicBrainz and review it"),
        ("M", "review MusicBrainz matches waiting in the queue (a accept, k skip)"),
        ("ctrl+p", "command palette: actions, jump to artist or album, themes"),
        ("? / f1", "this help"),
        ("ctrl+q", "quit"),
    ]

    def __init__(
        self,
        service: Service,
        *,
        poll_interval: float | None = 5.0,
        search_delay: float = 0.0,
        detail_delay: float = 0.08,
        export_default: str = "mlib-export.csv",
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.service = service
        self.poll_interval = poll_interval
        self.search_delay = search_delay
        self.detail_delay = detail_delay
        self.export_default = export_default
        self.source = Source("query")
        self.sort_index = 0  # 0: the default sort, n: COLUMNS[n - 1]
        self.descending = False
        self.cancel_token: CancelToken | None = None
        self.job_failures: list[str] = []
        self._search_timer: Any = None
        self._detail_timer: Any = None
        self._list_cancel: CancelToken | None = None
        self.list_complete = True
        self._signature: tuple[Any, ...] | None = None
        self._loaded_albums: set[int] = set()

    # --- layout --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        with Vertical(id="welcome"):
            yield Static(
                Content(
                    "Your library is empty.\n\n"
                    "Add a folder of music: type its path below and press Enter to scan it\n"
                    "(or run  mlib scan FOLDER  in a shell). Files are only read, never changed."
                )
            )
            yield Input(placeholder="/path/to/your/music", id="scan-path")
            yield Button(Content("Scan this folder"), id="scan-go", variant="primary")
        with Horizontal(id="browse"):
            yield Tree(Text("Library"), id="nav")
            with Vertical(id="middle"):
                yield Input(
                    placeholder="/ search: words, artist:name, year:1990..1999, ^genre:jazz",
                    id="search",
                )
                yield Label("", id="query-error")
                yield TrackHeader(id="track-header")
                yield TrackList(self._fetch_rows, id="tracks")
                with VerticalScroll(id="detail-pane"):
                    yield Static("", id="detail")
        with Horizontal(id="job"):
            yield Label("", id="job-label")
            yield ProgressBar(id="job-bar", show_eta=False)
            yield Button(Content("Cancel (esc)"), id="job-cancel", variant="error")
        yield Static("", id="status")
        yield Footer()

    def _fetch_rows(self, ids: Sequence[int]) -> list[Any]:
        return self.service.rows_for(ids, columns=ROW_COLUMNS)

    @property
    def tracks(self) -> TrackList:
        return self.query_one("#tracks", TrackList)

    def on_mount(self) -> None:
        theme = tui_settings.load().get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.tune_inputs(self.screen)
        self.query_one("#nav", Tree).show_root = True
        self.refresh_all()
        self.tracks.focus()
        if self.poll_interval:
            self.set_interval(self.poll_interval, self.check_external)

    def tune_inputs(self, root: Any) -> None:
        """Apply the cursor-blink choice (tests and snapshots turn it off)."""
        for widget in root.query(Input):
            widget.cursor_blink = self.cursor_blink

    def _remember_theme(self, theme: Any) -> None:
        tui_settings.save(theme=theme.name)

    # --- loading -------------------------------------------------------------------

    def refresh_all(self, keep_cursor: bool = False) -> None:
        """Reload the tree, the list, the counts (after a scan, a write, another process)."""
        empty = self.service.count_tracks() == 0 and self.service.count_tracks("missing:true") == 0
        self.query_one("#welcome").set_class(empty and not self.service.roots(), "shown")
        self.query_one("#browse").display = not self.query_one("#welcome").has_class("shown")
        self.load_tree()
        self.tracks.forget_rows()
        self.load_list(keep_cursor=keep_cursor)
        self.update_pending()
        self._signature = self._library_signature()

    def load_tree(self) -> None:
        tree = self.query_one("#nav", Tree)
        tree.clear()
        self._loaded_albums.clear()
        tree.root.data = ("all",)
        for artist in self.service.album_artists():
            label = plain(artist.name) if artist.name else Text("(no album artist)", "italic")
            label.append(f" ({artist.albums})", style="dim")
            tree.root.add(label, data=("artist", artist.name), allow_expand=True)
        tree.root.expand()

    @on(Tree.NodeExpanded)
    def expand_artist(self, event: Tree.NodeExpanded[Any]) -> None:
        node = event.node
        if not node.data or node.data[0] != "artist" or node.children:
            return
        name = node.data[1]
        if name is None:
            albums = [a for a in self.service.albums(["albumartist::^$"]) if a.albumartist is None]
        else:
            albums = self.service.albums(albumartist=name)
        for album in albums:
            label = plain(album.album)
            if album.year:
                label.append(f" ({album.year})", style="dim")
            node.add_leaf(label, data=("album", album.id, album.album))

    @on(Tree.NodeSelected)
    def tree_selected(self, event: Tree.NodeSelected[Any]) -> None:
        data = event.node.data
        if not data:
            return
        if data[0] == "artist":
            self.show_artist(data[1])
        elif data[0] == "album":
            self.show_album(data[1], data[2])
        else:
            self.query_one("#search", Input).value = ""
            self.set_source(Source("query"))

    def show_artist(self, name: str | None) -> None:
        self.set_source(Source("artist", name=name))

    def show_album(self, album_id: int, name: str) -> None:
        self.set_source(Source("album", album_id=album_id, name=name))

    def set_source(self, source: Source) -> None:
        self.source = source
        self.load_list()

    @property
    def sort(self) -> tuple[str, ...]:
        if self.sort_index == 0:
            return DEFAULT_SORT
        return (*COLUMNS[self.sort_index - 1].sort, "path")

    def _ids_for(self, source: Source, cancel: CancelToken, limit: int | None = None) -> list[int]:
        from libtool.service.library_views import sort_ids

        if source.kind == "query":
            return self.service.track_ids(
                source.query, sort=self.sort, descending=self.descending, limit=limit, cancel=cancel
            )
        if source.kind == "album" and source.album_id is not None:
            ids = self.service.album_track_ids(source.album_id)
        else:
            if source.name is None:
                unnamed = self.service.albums(["albumartist::^$"])
                albums = [a for a in unnamed if a.albumartist is None]
            else:
                albums = self.service.albums(albumartist=source.name)
            ids = [i for a in albums for i in self.service.album_track_ids(a.id)]
        if self.sort_index == 0 and not self.descending and source.kind == "album":
            return ids
        return sort_ids(self.service, ids, self.sort, self.descending)

    def load_list(self, keep_cursor: bool = False) -> None:
        """Load the list of the current source in a worker, stopping the load it replaces
        (its query ends within milliseconds), so a keystroke never waits for a stale one."""
        if self._list_cancel is not None:
            self._list_cancel.cancel()
        self._list_cancel = CancelToken()
        self._load_list(self.source, keep_cursor, self._list_cancel)

    @work(thread=True, group="list", exit_on_error=False)
    def _load_list(self, source: Source, keep_cursor: bool, cancel: CancelToken) -> None:
        try:
            if source.kind == "query" and not keep_cursor:
                # the first screenfuls first: walking the sort index stops after them, while
                # every match of a query that matches half the library takes 100+ ms
                first = self._ids_for(source, cancel, FIRST_ROWS)
                complete = len(first) < FIRST_ROWS
                self.post_message(ListLoaded(first, source, keep_cursor, complete, cancel))
                if complete:
                    return
                keep_cursor = True
            ids = self._ids_for(source, cancel)
        except Cancelled:
            return
        except LibtoolError as exc:
            self.post_message(QueryFailed(str(exc)))
            return
        self.post_message(ListLoaded(ids, source, keep_cursor, True, cancel))

    def on_list_loaded(self, message: ListLoaded) -> None:
        if message.source != self.source or message.token is not self._list_cancel:
            return  # a newer search is on its way
        self.query_one("#query-error", Label).remove_class("shown")
        self.list_complete = message.complete
        self.tracks.set_ids(message.ids, keep_cursor=message.keep_cursor)
        header = self.query_one(TrackHeader)
        header.sort_key = "default" if self.sort_index == 0 else COLUMNS[self.sort_index - 1].key
        header.descending = self.descending
        header.refresh()
        self.update_status()

    def on_query_failed(self, message: QueryFailed) -> None:
        error = self.query_one("#query-error", Label)
        error.update(content(message.message))
        error.add_class("shown")

    # --- search --------------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        """Search at once (a newer keystroke stops the older search), or after
        ``search_delay`` without typing when one is set."""
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        source = Source("query", query=event.value)
        if self.search_delay <= 0:
            self.set_source(source)
        else:
            self._search_timer = self.set_timer(self.search_delay, lambda: self.set_source(source))

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.tracks.focus()

    def set_query(self, terms: Sequence[str]) -> None:
        """Show the tracks of a query given as terms (from the problems view)."""
        text = shlex.join(terms)
        search = self.query_one("#search", Input)
        with search.prevent(Input.Changed):
            search.value = text
        self.set_source(Source("query", query=text))

    # --- list, detail, status --------------------------------------------------------

    @on(TrackList.Highlighted)
    def highlighted(self, message: TrackList.Highlighted) -> None:
        """Show the track under the cursor once it rests for ``detail_delay``: holding a key
        down or paging through the list looks up only the track it stops on."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        track_id = message.track_id
        if self.detail_delay <= 0 or track_id is None:
            self.show_detail(track_id)
        else:
            self._detail_timer = self.set_timer(
                self.detail_delay, lambda: self.show_detail(track_id)
            )

    def show_detail(self, track_id: int | None) -> None:
        self._detail_timer = None
        detail = self.query_one("#detail", Static)
        if track_id is None:
            detail.update(Content("No track."))
            return
        try:
            track = self.service.track(track_id)
        except LibtoolError:
            detail.update(Content("This track is gone; the list will refresh."))
            return
        detail.update(detail_text(track))

    @on(TrackList.SelectionChanged)
    def selection_changed(self) -> None:
        self.update_status()

    @on(TrackList.Activated)
    def activated(self) -> None:
        self.action_edit()

    @on(TrackHeader.SortRequested)
    def sort_requested(self, message: TrackHeader.SortRequested) -> None:
        index = COLUMNS.index(message.column) + 1
        if index == self.sort_index:
            self.descending = not self.descending
        else:
            self.sort_index, self.descending = index, False
        self.load_list(keep_cursor=True)

    def action_cycle_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % (len(COLUMNS) + 1)
        self.descending = False
        self.load_list(keep_cursor=True)

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.load_list(keep_cursor=True)

    def update_pending(self) -> None:
        changes, tracks = self.service.pending_count()
        self.pending = (changes, tracks)
        self.sub_title = f"{changes} pending changes on {tracks} tracks" if changes else ""
        self.update_status()

    def update_status(self) -> None:
        tracks = self.tracks
        shown = f"{len(tracks.ids):,}" + ("" if self.list_complete else "+")
        parts = [f"{shown} tracks", self.source.describe()]
        if tracks.selected:
            parts.append(f"{len(tracks.selected):,} selected")
        changes, on = getattr(self, "pending", (0, 0))
        parts.append(
            f"{changes} pending changes on {on} tracks" if changes else "no pending changes"
        )
        self.query_one("#status", Static).update(Content(" · ".join(parts)))

    def on_pending_changed(self) -> None:
        self.tracks.forget_rows()
        self.update_pending()
        self.show_detail(self.tracks.current_id)

    # --- editing ---------------------------------------------------------------------

    def action_edit(self) -> None:
        ids = self.tracks.chosen_ids()
        if not ids:
            self.notify("No track to edit.", severity="warning", markup=False)
            return

        def done(staged: int | None) -> None:
            if staged:
                self.notify(
                    f"{staged} changes pending; press w to write them to the files.",
                    markup=False,
                )
                self.on_pending_changed()
            elif staged == 0:
                self.notify("Nothing changed.", markup=False)

        self.push_screen(EditScreen(self.service, ids), done)

    def action_pending(self) -> None:
        self.push_screen(PendingScreen(self.service), lambda _: self.on_pending_changed())

    def action_history(self) -> None:
        self.push_screen(HistoryScreen(self.service))

    def action_problems(self) -> None:
        def chosen(query: list[str] | None) -> None:
            if query:
                self.set_query(query)
                self.tracks.focus()

        self.push_screen(ProblemsScreen(self.service), chosen)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.HELP_KEYS))

    def action_select_all(self) -> None:
        self.tracks.action_select_all()

    # --- MusicBrainz -----------------------------------------------------------------

    def action_musicbrainz(self) -> None:
        """Look up the album under the cursor (or the selected tracks) and review it."""
        from libtool.tui.review import ReviewScreen

        ids = list(self.tracks.selected)
        label = f"{len(ids)} selected tracks"
        if not ids:
            current = self.tracks.current_id
            if current is None:
                self.notify("No track to look up.", severity="warning", markup=False)
                return
            detail = self.service.track(current)
            album = detail.fields.get("album") or []
            label = album[0] if album else "the track"
            ids = (
                self.service.album_track_ids(detail.album_id)
                if detail.album_id is not None
                else [current]
            )
        self.push_screen(
            ReviewScreen(self.service, lookup_ids=ids, lookup_label=label),
            lambda _: self.on_pending_changed(),
        )

    def action_review(self) -> None:
        from libtool.tui.review import ReviewScreen

        self.push_screen(ReviewScreen(self.service), lambda _: self.on_pending_changed())

    # --- export ----------------------------------------------------------------------

    def action_export(self) -> None:
        tracks = self.tracks
        ids = list(tracks.selected)
        what = f"the {len(ids)} selected tracks" if ids else f"the {len(tracks.ids)} listed tracks"

        def chosen(path: str | None) -> None:
            if path:
                self.export(path, ids)

        self.push_screen(ExportScreen(what, self.export_default), chosen)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export(self, path: str, ids: list[int]) -> None:
        from libtool.service.library_views import export_ids

        source = self.source
        try:
            if ids:
                count = export_ids(self.service, path, ids)
            elif source.kind == "query":
                count = self.service.export_csv_file(path, shlex.split(source.query))
            else:
                count = export_ids(self.service, path, self.tracks.ids)
        except (LibtoolError, ValueError) as exc:
            self.post_message(JobDone("export", None, str(exc)))
            return
        self.post_message(JobDone("export", (count, path)))

    # --- jobs: write, undo, scan -------------------------------------------------------

    @property
    def job_running(self) -> bool:
        return self.cancel_token is not None

    def action_write(self) -> None:
        if self.job_running:
            self.notify("Wait for the running job to finish.", severity="warning", markup=False)
            return
        diffs = self.service.status()
        if not diffs:
            self.notify("No pending changes to write.", markup=False)
            return
        files = len({d.track_id for d in diffs})

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_job("write", lambda ev, c: self.service.write(events=ev, cancel=c))

        self.push_screen(
            ConfirmScreen(
                f"Write {len(diffs)} changes to {files} files?", diff_text(diffs), yes="Write"
            ),
            answered,
        )

    def action_undo(self, run_id: int | None = None) -> None:
        if self.job_running:
            self.notify("Wait for the running job to finish.", severity="warning", markup=False)
            return
        if run_id is None:
            runs = [r for r in self.service.history() if r.undone_by_run_id is None]
            if not runs:
                self.notify("Nothing to undo.", markup=False)
                return
            run_id = runs[0].id
        changes = self.service.run_changes(run_id)
        chosen = run_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_job("undo", lambda ev, c: self.service.undo(chosen, events=ev, cancel=c))

        self.push_screen(
            ConfirmScreen(
                f"Undo run {run_id} ({len(changes)} changes)?",
                run_changes_text(changes),
                yes="Undo",
            ),
            answered,
        )

    def action_rescan(self) -> None:
        if self.job_running:
            self.notify("A job is already running.", severity="warning", markup=False)
            return
        self.start_job("scan", lambda ev, c: self.service.scan(events=ev, cancel=c))

    def scan_folder(self, path: str) -> None:
        if path and not self.job_running:
            self.start_job("scan", lambda ev, c: self.service.scan([path], events=ev, cancel=c))

    @on(Input.Submitted, "#scan-path")
    def scan_submitted(self, event: Input.Submitted) -> None:
        self.scan_folder(event.value.strip())

    @on(Button.Pressed, "#scan-go")
    def scan_pressed(self) -> None:
        self.scan_folder(self.query_one("#scan-path", Input).value.strip())

    def start_job(self, kind: str, call: Callable[[Any, CancelToken], Any]) -> None:
        self.cancel_token = CancelToken()
        self.job_failures = []
        labels = {"scan": "Scanning", "write": "Writing", "undo": "Undoing"}
        self.query_one("#job-label", Label).update(Content(labels.get(kind, kind)))
        self.query_one("#job-bar", ProgressBar).update(total=None, progress=0)
        self.query_one("#job").add_class("running")
        self.run_job(kind, call, self.cancel_token)

    @work(thread=True, exclusive=True, group="job", exit_on_error=False)
    def run_job(
        self, kind: str, call: Callable[[Any, CancelToken], Any], token: CancelToken
    ) -> None:
        def post(event: Event) -> None:
            self.post_message(JobEvent(event))

        sink = throttled(post)
        try:
            result = call(sink, token)
        except LibtoolError as exc:
            self.post_message(JobDone(kind, None, str(exc)))
            return
        self.post_message(JobDone(kind, result))

    def on_job_event(self, message: JobEvent) -> None:
        event = message.event
        if isinstance(event, Progress):
            bar = self.query_one("#job-bar", ProgressBar)
            if event.phase == "walk":
                label = f"Looking for files ({event.done} found)"
            else:
                label = {"read": "Reading tags", "write": "Writing", "undo": "Undoing"}.get(
                    event.phase, event.phase.capitalize()
                )
                bar.update(total=event.total, progress=event.done)
            self.query_one("#job-label", Label).update(Content(label))
        elif isinstance(event, FileOutcome) and not event.ok:
            detail = event.detail if event.path in event.detail else f"{event.path}: {event.detail}"
            self.job_failures.append(safe_text(detail))
            if len(self.job_failures) <= 5:
                self.notify(safe_text(detail), severity="error", markup=False)
        elif isinstance(event, Note):
            self.notify(safe_text(event.message), markup=False)

    def on_job_done(self, message: JobDone) -> None:
        if message.kind == "export":
            if message.error:
                self.notify(safe_text(message.error), severity="error", markup=False)
            else:
                count, path = message.result
                self.notify(f"Exported {count} tracks to {safe_text(path)}.", markup=False)
            return
        self.cancel_token = None
        self.query_one("#job").remove_class("running")
        if message.error:
            self.notify(safe_text(message.error), severity="error", markup=False)
        elif message.kind == "scan":
            summary = message.result
            for note in summary.notes:
                self.notify(safe_text(note), markup=False)
            self.notify(safe_text(summary.line()), title="Scan", markup=False)
        else:
            result = message.result
            verb = "written" if message.kind == "write" else "restored"
            if result.run_id is None:
                self.notify("Nothing to do.", markup=False)
            else:
                text = f"Run {result.run_id}: {result.ok} files {verb}, {result.failed} failed"
                if result.interrupted:
                    text += " (cancelled: what was done is recorded)"
                self.notify(
                    text, severity="error" if result.failed else "information", markup=False
                )
            failures = list(self.job_failures) + [
                safe_text(e) for e in result.errors if safe_text(e) not in self.job_failures
            ]
            if failures:
                self.push_screen(ResultsScreen(f"{len(failures)} files failed", failures))
        self.refresh_all(keep_cursor=True)

    def action_cancel_job(self) -> None:
        if self.cancel_token is not None:
            self.cancel_token.cancel()
            self.query_one("#job-label", Label).update(Content("Cancelling…"))

    @on(Button.Pressed, "#job-cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel_job()

    def action_escape(self) -> None:
        if self.job_running:
            self.action_cancel_job()
        elif self.focused is not None and self.focused.id == "search":
            self.tracks.focus()

    # --- another process changed the library --------------------------------------------

    def _library_signature(self) -> tuple[Any, ...]:
        runs = self.service.history(limit=1)
        scanned = [r.last_scan_at for r in self.service.roots() if r.last_scan_at]
        return (
            self.service.count_tracks(),
            self.service.count_tracks("missing:true"),
            self.service.pending_count(),
            runs[0].id if runs else None,
            max(scanned) if scanned else None,
        )

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def check_external(self) -> None:
        if self.job_running:
            return
        signature = self._library_signature()
        if self._signature is not None and signature != self._signature:
            self.post_message(LibraryChanged())

    def on_library_changed(self) -> None:
        if not self.job_running:
            self.refresh_all(keep_cursor=True)

    def on_app_focus(self, event: events.AppFocus) -> None:
        self.check_external()


def detail_text(track: TrackDetail) -> Text:
    """Every canonical field, file facts, other tags, scan errors, pending old → new."""
    out = Text()
    out.append(safe_text(track.path) + "\n", style="bold")
    if track.missing:
        out.append("This file is missing (it vanished since it was scanned).\n", style="red")
    out.append("\nTags\n", style="bold underline")
    for f in FIELDS:
        values = track.fields.get(f.name)
        if values:
            out.append(f"{f.title}: ", style="dim")
            out.append(values_text(values, 300) + "\n")
    out.append("\nFile\n", style="bold underline")
    for name, value in track.file.items():
        if value is not None:
            out.append(f"{name}: ", style="dim")
            out.append(safe_text(format_value(name, value)) + "\n")
    if track.extras:
        out.append("\nOther tags\n", style="bold underline")
        for key, value in sorted(track.extras.items()):
            shown = values_text(value, 200) if isinstance(value, list) else safe_text(value)
            out.append(safe_text(key) + ": ", style="dim")
            out.append(shown + "\n")
    if track.errors:
        out.append("\nScan errors\n", style="bold underline red")
        for err in track.errors:
            out.append(f"{safe_text(err.kind)}: {safe_text(err.message)}\n", style="red")
    if track.pending:
        out.append("\nPending changes\n", style="bold underline")
        for change in track.pending:
            out.append(f"{change.field}: ")
            out.append(values_text(change.old), style="red")
            out.append(" → ")
            out.append(values_text(change.new) + "\n", style="green")
    return out


def make_app(
    service: Service,
    *,
    poll_interval: float | None = 5.0,
    search_delay: float = 0.0,
    detail_delay: float = 0.08,
    export_default: str = "mlib-export.csv",
    cursor_blink: bool = True,
) -> LibraryApp:
    """The TUI on ``service``'s library (``mlib`` and ``mlib tui`` open it)."""
    return LibraryApp(
        service,
        poll_interval=poll_interval,
        search_delay=search_delay,
        detail_delay=detail_delay,
        export_default=export_default,
        cursor_blink=cursor_blink,
    )
