"""Modal dialogs and secondary screens: edit, confirm, pending changes, history,
problems, export, results and help. Every tag or path shown goes through ``text``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from libtool.changes.pending import parse_value
from libtool.display import safe_text
from libtool.errors import LibtoolError, UsageError
from libtool.service.results import FieldChange, RunChangeRow
from libtool.tags.fields import FIELDS, MULTI_SEP
from libtool.tui.text import content, plain, values_text

if TYPE_CHECKING:
    from libtool.service.core import Service

DIFF_LIMIT = 300  # lines of a diff shown in a confirmation


class PendingChanged(Message):
    """Pending changes were staged or discarded somewhere: refresh counts and rows."""


def diff_text(diffs: Sequence[FieldChange], limit: int = DIFF_LIMIT) -> Text:
    """Changes grouped by file: the path, then ``field: old → new`` lines."""
    out = Text()
    last: int | None = None
    for n, diff in enumerate(diffs):
        if n >= limit:
            out.append(f"… and {len(diffs) - limit} more changes\n", style="italic")
            break
        if diff.track_id != last:
            out.append(safe_text(diff.path_text) + "\n", style="bold")
            last = diff.track_id
        out.append(f"  {diff.field}: ")
        out.append(values_text(diff.old), style="red")
        out.append(" → ")
        out.append(values_text(diff.new) + "\n", style="green")
    return out


def run_changes_text(changes: Sequence[RunChangeRow], limit: int = DIFF_LIMIT) -> Text:
    out = Text()
    for n, c in enumerate(changes):
        if n >= limit:
            out.append(f"… and {len(changes) - limit} more changes\n", style="italic")
            break
        out.append(safe_text(c.path) + "\n", style="bold")
        out.append(f"  {c.field}: ")
        out.append(values_text(c.before), style="red")
        out.append(" → ")
        out.append(values_text(c.after) + "\n", style="green")
    return out


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question with the details of what would happen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, details: Text | None = None, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.details = details
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.question), classes="dialog-title")
            if self.details is not None:
                with VerticalScroll(classes="dialog-body"):
                    yield Static(self.details)
            with Horizontal(classes="buttons"):
                yield Button(Content(f"{self.yes} (y)"), variant="warning", id="yes")
                yield Button(Content("Cancel (n)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class EditScreen(ModalScreen[int | None]):
    """Edit one track or every selected track. A field that differs across the selection
    shows "(mixed)" and stays per track unless you type a value, or clear it (ctrl+r or
    its "clear" button: the field is removed from every track, as ``mlib modify field!``
    does). Returns changes staged."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="edit.save"),
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
        Binding("ctrl+r", "clear_field", "Clear field", id="edit.clear"),
    ]

    def __init__(self, service: Service, ids: Sequence[int]) -> None:
        super().__init__()
        self.service = service
        self.ids = list(ids)
        self.initial: dict[str, str] = {}
        self.mixed: set[str] = set()
        self.cleared: set[str] = set()  # fields to remove from every track on save
        self.path = ""

    def _load(self) -> None:
        names = [f.name for f in FIELDS]
        first = self.service.track(self.ids[0])
        self.path = first.path
        if len(self.ids) > 1:
            rows = self.service.rows_for(self.ids, columns=names)
            for name in names:
                if len({repr(r.values[name]) for r in rows}) > 1:
                    self.mixed.add(name)
        for name in names:
            shown = "" if name in self.mixed else MULTI_SEP.join(first.fields.get(name, []))
            self.initial[name] = shown

    def compose(self) -> ComposeResult:
        self._load()
        count = len(self.ids)
        title = (
            f"Edit {count} tracks (a (mixed) field stays as it is unless you type; ctrl+r clears)"
            if count > 1
            else "Edit " + safe_text(self.path) + " (ctrl+r clears a field)"
        )
        with Vertical(classes="dialog", id="edit-dialog"):
            yield Label(Content(title), classes="dialog-title")
            with VerticalScroll(id="edit-fields"):
                for f in FIELDS:
                    with Horizontal(classes="field-row"):
                        yield Label(Content(f.title), classes="field-label")
                        yield Input(
                            value=self.initial[f.name],
                            placeholder="(mixed)" if f.name in self.mixed else "",
                            id=f"field-{f.name}",
                            classes="field-input",
                            select_on_focus=False,
                        )
                        clear = Button(
                            Content("clear"), id=f"clear-{f.name}", classes="field-clear"
                        )
                        clear.compact = True
                        clear.can_focus = False  # tab moves between fields; ctrl+r clears
                        yield clear
                        yield Label("", id=f"error-{f.name}", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button(Content("Save (ctrl+s)"), variant="primary", id="save")
                yield Button(Content("Cancel (esc)"), id="cancel")

    def on_mount(self) -> None:
        getattr(self.app, "tune_inputs", lambda root: None)(self)
        self.query_one("#field-title", Input).focus()

    def _check(self, name: str, value: str) -> list[str] | None:
        """The parsed value, or None with the message shown beside the field."""
        error = self.query_one(f"#error-{name}", Label)
        try:
            parsed = parse_value(name, value)
        except UsageError as exc:
            error.update(content(exc))
            return None
        error.update("")
        return parsed

    @on(Input.Changed, ".field-input")
    def changed(self, event: Input.Changed) -> None:
        assert event.input.id is not None
        name = event.input.id.removeprefix("field-")
        if name in self.cleared:
            if event.value == "":
                return
            self.cleared.discard(name)  # typing a value replaces the clearing
            event.input.placeholder = "(mixed)" if name in self.mixed else ""
        self._check(name, event.value)

    def clear_field(self, name: str) -> None:
        """Mark ``name`` to be removed from every edited track (``[]``: ``field!``)."""
        field = self.query_one(f"#field-{name}", Input)
        self.cleared.add(name)
        with field.prevent(Input.Changed):
            field.value = ""
        field.placeholder = "(cleared)"
        self.query_one(f"#error-{name}", Label).update(Content("cleared when you save"))

    def action_clear_field(self) -> None:
        focused = self.focused
        if isinstance(focused, Input) and focused.id and focused.id.startswith("field-"):
            self.clear_field(focused.id.removeprefix("field-"))

    @on(Button.Pressed, ".field-clear")
    def clear_pressed(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        self.clear_field(event.button.id.removeprefix("clear-"))

    def changes(self) -> dict[str, list[str]] | None:
        """The typed changes, or None when a value is not valid."""
        out: dict[str, list[str]] = {}
        ok = True
        for f in FIELDS:
            value = self.query_one(f"#field-{f.name}", Input).value
            if f.name in self.cleared and value == "":
                out[f.name] = []
                continue
            if value == self.initial[f.name]:
                continue
            parsed = self._check(f.name, value)
            if parsed is None:
                ok = False
            else:
                out[f.name] = parsed
        return out if ok else None

    def action_save(self) -> None:
        changes = self.changes()
        if changes is None:
            self.notify("Fix the marked fields first.", severity="error", markup=False)
            return
        if not changes:
            self.dismiss(0)
            return
        plan = self.service.plan_edit(changes, ids=self.ids)
        staged = self.service.stage(plan.diffs, "tui") if plan.diffs else 0
        self.dismiss(staged)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.dismiss(None)


class PendingScreen(Screen[None]):
    """Every pending change, old → new; discard one field, one track, or all."""

    LIMIT = 5000
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,p", "close", "Back", id="pending.close"),
        Binding("d", "discard_field", "Discard field", id="pending.discard_field"),
        Binding("t", "discard_track", "Discard track", id="pending.discard_track"),
        Binding("A", "discard_all", "Discard all", id="pending.discard_all"),
        Binding("w", "app.write", "Write…", id="pending.write"),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.keys: list[tuple[int, str]] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="pending-title", classes="screen-title")
        yield DataTable(id="pending-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("File", "Field", "Old", "New")
        self.reload()
        table.focus()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        diffs = self.service.status()
        self.keys = []
        for diff in diffs[: self.LIMIT]:
            self.keys.append((diff.track_id, diff.field))
            table.add_row(
                plain(diff.path_text),
                plain(diff.field),
                plain(values_text(diff.old, 60)),
                plain(values_text(diff.new, 60)),
            )
        tracks = len({d.track_id for d in diffs})
        more = f" (showing {self.LIMIT})" if len(diffs) > self.LIMIT else ""
        title = f"{len(diffs)} pending changes on {tracks} tracks{more}"
        if not diffs:
            title = "No pending changes."
        self.query_one("#pending-title", Label).update(Content(title))

    def _current(self) -> tuple[int, str] | None:
        table = self.query_one(DataTable)
        if not self.keys or table.cursor_row < 0 or table.cursor_row >= len(self.keys):
            return None
        return self.keys[table.cursor_row]

    def _discard(self, ids: Sequence[int] = (), field: str | None = None) -> None:
        count = self.service.discard(ids=ids, field=field) if ids else self.service.discard()
        self.notify(f"Discarded {count} pending changes.", markup=False)
        row = self.query_one(DataTable).cursor_row
        self.reload()
        self.query_one(DataTable).move_cursor(row=min(row, max(len(self.keys) - 1, 0)))
        self.app.post_message(PendingChanged())

    def action_discard_field(self) -> None:
        current = self._current()
        if current is not None:
            self._discard([current[0]], current[1])

    def action_discard_track(self) -> None:
        current = self._current()
        if current is not None:
            self._discard([current[0]])

    def action_discard_all(self) -> None:
        if not self.keys:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._discard()

        self.app.push_screen(
            ConfirmScreen("Discard every pending change? Files are not touched.", yes="Discard"),
            answered,
        )

    def action_close(self) -> None:
        self.dismiss(None)


class HistoryScreen(Screen[None]):
    """Write, move and undo runs; the changes of the highlighted one; undo any run."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,h", "close", "Back", id="history.close"),
        Binding("u", "undo", "Undo this run", id="history.undo"),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.run_ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Label("Write history", classes="screen-title")
        yield DataTable(id="history-table", cursor_type="row")
        with VerticalScroll(id="history-changes"):
            yield Static("", id="history-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Run", "Kind", "Started", "OK", "Failed", "Notes")
        self.reload()
        table.focus()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        runs = self.service.history(limit=200)
        self.run_ids = [r.id for r in runs]
        for r in runs:
            notes = []
            if r.undoes_run_id:
                notes.append(f"undoes run {r.undoes_run_id}")
            if r.undone_by_run_id:
                notes.append(f"undone by run {r.undone_by_run_id}")
            table.add_row(
                str(r.id),
                plain(r.kind),
                r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                str(r.files_ok),
                str(r.files_failed),
                "; ".join(notes),
            )
        if not runs:
            self.query_one("#history-detail", Static).update(Content("No write runs yet."))

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.run_ids):
            changes = self.service.run_changes(self.run_ids[event.cursor_row])
            self.query_one("#history-detail", Static).update(run_changes_text(changes))

    def action_undo(self) -> None:
        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(self.run_ids):
            self.app.action_undo(self.run_ids[row])  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)


class ProblemsScreen(Screen[list[str] | None]):
    """What needs fixing; choosing an entry shows its tracks (it sets the query)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,x", "close", "Back", id="problems.close")
    ]

    CHECKS: tuple[tuple[str, list[str]], ...] = (
        ("Missing files (vanished since they were scanned)", ["missing:true"]),
        ("Tracks without a title", ["title::^$"]),
        ("Tracks without an artist", ["artist::^$"]),
        ("Tracks without an album", ["album::^$"]),
        ("Tracks without a track number", ["track::^$"]),
    )

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.queries: dict[str, list[str]] = {}

    def compose(self) -> ComposeResult:
        yield Label("Problems (looking…)", id="problems-title", classes="screen-title")
        yield OptionList(id="problems-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.gather()

    @work(thread=True, exclusive=True, group="problems", exit_on_error=False)
    def gather(self) -> None:
        from libtool.service.library_views import album_problems

        entries: list[tuple[Content, list[str] | None]] = []
        for title, query in self.CHECKS:
            count = self.service.count_tracks(query)
            if count:
                entries.append((Content(f"{title}: {count}"), query))
        for problem in album_problems(self.service):
            label = f"{problem.albumartist or '(no album artist)'} — {problem.album}: "
            entries.append((content(label + problem.problem), problem.query))
        errors = self.service.scan_errors()
        for err in errors:
            entries.append((content(f"Unreadable: {err.path}: {err.kind}: {err.message}"), None))
        self.app.call_from_thread(self.show, entries)

    def show(self, entries: list[tuple[Content, list[str] | None]]) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        for n, (prompt, query) in enumerate(entries):
            key = f"p{n}"
            if query is not None:
                self.queries[key] = query
            options.add_option(Option(prompt, id=key, disabled=query is None))
        title = f"Problems: {len(entries)}" if entries else "No problems found."
        self.query_one("#problems-title", Label).update(Content(title))
        if entries:
            options.highlighted = 0

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        query = self.queries.get(event.option.id or "")
        if query is not None:
            self.dismiss(query)

    def action_close(self) -> None:
        self.dismiss(None)


class ExportScreen(ModalScreen[str | None]):
    """Ask for the CSV file to export to."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel")
    ]

    def __init__(self, what: str, default: str) -> None:
        super().__init__()
        self.what = what
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label(Content(f"Export {self.what} as CSV to:"), classes="dialog-title")
            yield Input(value=self.default, id="export-path")
            with Horizontal(classes="buttons"):
                yield Button(Content("Export"), variant="primary", id="export")
                yield Button(Content("Cancel"), id="cancel")

    def on_mount(self) -> None:
        getattr(self.app, "tune_inputs", lambda root: None)(self)
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def export(self) -> None:
        path = self.query_one(Input).value.strip()
        if path:
            self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ResultsScreen(ModalScreen[None]):
    """The files a run could not change, and why."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", id="results.close")
    ]

    def __init__(self, title: str, lines: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.title_text), classes="dialog-title")
            options = OptionList(*[Option(content(line)) for line in self.lines], id="results")
            yield options
            with Horizontal(classes="buttons"):
                yield Button(Content("Close"), id="close")

    @on(Button.Pressed)
    def action_close(self) -> None:
        self.dismiss(None)


QUERY_HELP = """\
Query language (the same as mlib ls):
  word              title, artist, album or album artist contains it
  field:value       the field contains the value          artist:miles
  field:=value      exactly the value                     album:=Help!
  field:lo..hi      numeric range                         year:1990..1999
  field::regex      regular expression                    title::^The
  field:            the field is empty                    title:
  ^term             negation                              ^genre:jazz
  missing:true      files that vanished (hidden otherwise)
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "close", "Close", id="help.close")
    ]

    def __init__(self, bindings: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        text = Text("Keys\n", style="bold")
        for key, description in self.bindings:
            text.append(f"  {key:<16}{description}\n")
        text.append("\n")
        text.append(QUERY_HELP)
        text.append("\nEdits stay pending in the library until you write them (w).\n")
        with Vertical(classes="dialog", id="help-dialog"):
            yield Label(Content("mlib — help"), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(text)
            with Horizontal(classes="buttons"):
                yield Button(Content("Close (esc)"), id="close")

    @on(Button.Pressed)
    def action_close(self) -> None:
        self.dismiss(None)


def error_text(exc: LibtoolError) -> Content:
    return content(exc)
