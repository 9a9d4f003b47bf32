"""The ``mlib`` command: parse arguments, call the service, print what comes back.

Errors a user can act on print one line (``mlib: error: ...``) and exit 2;
tracebacks are for bugs. No queries or rules live here: they are the service's.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from libtool import __version__
from libtool.columns import ALBUM_FIELDS, ALL_COLUMNS
from libtool.config import Settings, load_settings
from libtool.display import (
    check_template,
    json_line,
    render_template,
    safe_text,
)
from libtool.errors import LibtoolError
from libtool.events import CancelToken, Event, FileOutcome, Note, Planned, Progress
from libtool.scan.walk import ScanSummary
from libtool.tags.fields import MULTI_SEP

if TYPE_CHECKING:  # SQLAlchemy is imported by the commands that need it, not at start-up
    from libtool.service.core import Library, Service
    from libtool.service.results import FieldChange, RunResult
    from libtool.service.scanning import ScanDatabase

DEFAULT_FORMAT = "$artist - $album - $title"
DEFAULT_ALBUM_FORMAT = "$albumartist - $album"


class Context:
    """What every command shares: settings, and the service opened on first use."""

    def __init__(self, settings: Settings, again: str = "mlib") -> None:
        self.settings = settings
        self.again = again  # how to run mlib on this library again, for hints
        self.may_create = False  # only commands that add to a library may start a new one
        self._service: Service | None = None
        self._library: Library | None = None
        self._scan_database: ScanDatabase | None = None

    @property
    def service(self) -> Service:
        if self._service is None:
            from libtool.service.core import Service

            self._service = Service(self.settings, self.library)
        return self._service

    @property
    def library(self) -> Library:
        """The library alone, for a command that needs no more of the service (a scan
        then skips loading the rest of it)."""
        if self._service is not None:
            return self._service.library
        if self._library is None:
            from libtool.service.scanning import database_file, open_settings_library

            file = database_file(self.settings.database)
            if (
                file is not None
                and not self.may_create
                and file.parent.is_dir()  # else open_library names the missing folder
                and not file.exists()
            ):  # a read-only command on a typo'd path must not start an empty library
                raise LibtoolError(
                    f"there is no library database at {file} yet: "
                    f"'{self.again} scan FOLDER' makes one"
                )
            self._library = open_settings_library(self.settings)
        return self._library

    def scan_database(self) -> ScanDatabase:
        """The library for a scan alone: a library file opens without SQLAlchemy."""
        if self._service is not None or self._library is not None:
            return self.library
        if self._scan_database is None:
            from libtool.service.scanning import open_scan_database

            self._scan_database = open_scan_database(self.settings)
        return self._scan_database

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
        elif self._library is not None:
            self._library.close()
        if self._scan_database is not None:
            self._scan_database.close()


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.option("--db", "database", metavar="PATH_OR_URL", help="Library database (env MLIB_DB).")
@click.option("--config", "config", metavar="FILE", help="TOML config file (env MLIB_CONFIG).")
@click.version_option(__version__, prog_name="mlib")
@click.pass_context
def cli(click_ctx: click.Context, database: str | None, config: str | None) -> None:
    """mlib: a fast, careful organiser for the music files you own."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    again = " ".join(
        ["mlib"]
        + ([f"--db {shlex.quote(database)}"] if database else [])
        + ([f"--config {shlex.quote(config)}"] if config else [])
    )
    ctx = Context(load_settings(config=config, database=database), again)
    click_ctx.obj = ctx
    click_ctx.call_on_close(ctx.close)
    if click_ctx.invoked_subcommand is None:  # plain `mlib` opens the TUI
        click_ctx.invoke(tui)


@cli.command()
@pass_ctx
def tui(ctx: Context) -> None:
    """Open the library browser (also what plain `mlib` does)."""
    from libtool.tui.app import make_app

    ctx.may_create = True  # an empty library opens too, and offers to scan a folder
    make_app(ctx.service).run()


class CtrlC:
    """Ctrl-C for the whole process. Until a long operation starts it interrupts at once
    (KeyboardInterrupt, exit 130). Once one starts, the first Ctrl-C only sets the token:
    the operation stops at its next safe point with its work committed, and so does any
    clean-up after it (closing the library), so a Ctrl-C never lands in the middle of a
    commit. A second Ctrl-C interrupts at once."""

    token = CancelToken()
    cooperative = False

    @classmethod
    def handler(cls, signum: int, frame: FrameType | None) -> None:
        if cls.cooperative and not cls.token.cancelled:
            cls.token.cancel()
            return
        cls.token.cancel()
        raise KeyboardInterrupt

    @classmethod
    def install(cls) -> None:
        with contextlib.suppress(ValueError):  # not the main thread (mlib run from a thread)
            signal.signal(signal.SIGINT, cls.handler)


@contextmanager
def cancel_on_ctrl_c() -> Iterator[CancelToken]:
    """The token a long operation checks; Ctrl-C sets it from here on."""
    CtrlC.cooperative = True
    yield CtrlC.token


@contextmanager
def event_printer(
    bar: bool, on_file: Callable[[FileOutcome | Planned], None] | None = None
) -> Iterator[Callable[[Event], None]]:
    """Render events: a rich progress bar on stderr when it is a terminal, notes, and
    per-file lines through ``on_file``."""

    def plain(event: Event) -> None:
        if isinstance(event, Note):
            click.echo(f"note: {safe_text(event.message)}", err=True)
        elif isinstance(event, FileOutcome | Planned) and on_file is not None:
            on_file(event)

    if not bar:
        yield plain
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Working", total=None)
        labels = {"read": "Reading tags", "write": "Writing", "undo": "Undoing", "move": "Moving"}

        def render(event: Event) -> None:
            if isinstance(event, Progress):
                if event.phase == "walk":
                    progress.update(task, description=f"Looking for files ({event.done} found)")
                else:
                    progress.update(
                        task,
                        description=labels.get(event.phase, event.phase),
                        completed=event.done,
                        total=event.total,
                    )
            else:
                plain(event)

        yield render


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--full", is_flag=True, help="Re-read every file, changed or not.")
@click.option(
    "--jobs", "-j", type=click.IntRange(1, 256), help="Worker processes (default: cores)."
)
@pass_ctx
def scan(ctx: Context, paths: tuple[str, ...], full: bool, jobs: int | None) -> None:
    """Add PATHS as library roots and scan them; with no PATHS, rescan every root."""
    from libtool.service import scanning

    ctx.may_create = True
    with cancel_on_ctrl_c() as cancel, event_printer(sys.stderr.isatty()) as events:
        summary = scanning.scan(
            ctx.settings,
            ctx.scan_database,
            paths,
            full=full,
            jobs=jobs,
            events=events,
            cancel=cancel,
        )
    _report_scan(summary, ctx.again)


def _report_scan(summary: ScanSummary, again: str) -> None:
    for note in summary.notes:
        click.echo(f"note: {safe_text(note)}", err=True)
    click.echo(summary.line())
    if summary.errors:
        click.echo(f"Run '{again} errors' to see the files that could not be read.", err=True)
    if summary.interrupted:
        sys.exit(130)


@cli.command(name="ls")
@click.argument("query", nargs=-1)
@click.option("--format", "-f", "template", help="Template, e.g. '$track. $title ($length)'.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--albums", "-a", is_flag=True, help="List albums instead of tracks.")
@pass_ctx
def ls(
    ctx: Context, query: tuple[str, ...], template: str | None, as_json: bool, albums: bool
) -> None:
    """List tracks (or albums) matching QUERY.

    \b
    Query terms (all must match):
      word              title, artist, album or album artist contains it
      field:value       substring (case-insensitive)      artist:beatles
      field:=value      exact                             album:=Help!
      field:lo..hi      numeric range                     year:1990..1999
      field::regex      regular expression                title::^The
      ^term             negation                          ^genre:jazz
    """
    check_template(
        template or (DEFAULT_ALBUM_FORMAT if albums else DEFAULT_FORMAT),
        ALBUM_FIELDS if albums else ALL_COLUMNS,
        "--format template",
    )
    if albums:
        for album in ctx.service.albums(query):
            values: dict[str, object] = {
                "albumartist": album.albumartist,
                "album": album.album,
                "year": album.year,
                "tracks": album.track_count,
                "mb_albumid": album.mb_albumid,
                "path": album.folder,
            }
            click.echo(
                json_line(values)
                if as_json
                else render_template(template or DEFAULT_ALBUM_FORMAT, values)
            )
        return
    for row in ctx.service.iter_tracks(query):
        if as_json:
            click.echo(json_line(row.values))
        else:
            click.echo(render_template(template or DEFAULT_FORMAT, row.values))


@cli.command()
@click.option("--csv", "target", required=True, metavar="FILE|-", help="Output file; - is stdout.")
@click.option("--fields", metavar="a,b,c", help="Columns to write (default: all canonical).")
@click.option("--excel", is_flag=True, help="Add a BOM and neutralise formula-like cells.")
@click.argument("query", nargs=-1)
@pass_ctx
def export(
    ctx: Context, target: str, fields: str | None, excel: bool, query: tuple[str, ...]
) -> None:
    """Export tracks matching QUERY as CSV."""
    from libtool.changes.csvio import parse_columns

    columns = parse_columns(fields)
    if target == "-":
        ctx.service.export_csv(sys.stdout, query, columns, excel=excel)
        return
    count = ctx.service.export_csv_file(target, query, columns, excel=excel)
    click.echo(f"exported {counted(count, 'track')} to {target}", err=True)


@cli.command()
@pass_ctx
def errors(ctx: Context) -> None:
    """List files the scanner could not read, with the reason."""
    rows = ctx.service.scan_errors()
    for err in rows:
        click.echo(f"{safe_text(err.path)}: {err.kind}: {safe_text(err.message)}")
    if not rows:
        click.echo("no scan errors", err=True)


@cli.command()
@pass_ctx
def roots(ctx: Context) -> None:
    """List library roots with their track counts."""
    rows = ctx.service.roots()
    for root in rows:
        when = root.last_scan_at.strftime("%Y-%m-%d %H:%M") if root.last_scan_at else "never"
        click.echo(f"{safe_text(root.path)}\t{counted(root.tracks, 'track')}\tscanned {when}")
    if not rows:
        click.echo("no library roots yet: add one with mlib scan FOLDER", err=True)


# --- editing, writing, history ---------------------------------------------------------


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``1 track``, ``2 tracks``: the count with the noun that agrees with it."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _shown(values: list[str], limit: int = 200) -> str:
    """Values for a diff line: joined, made safe, and cut if very long (lyrics...)."""
    if not values:
        return "(empty)"
    text = MULTI_SEP.join(values)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text)} characters)"
    return safe_text(text)


def _print_diffs(diffs: Sequence[FieldChange], limit: int = 200) -> None:
    """Changes grouped by file: path, then 'field: old -> new' lines."""
    last = None
    shown_tracks = 0
    for diff in diffs:
        if diff.track_id != last:
            shown_tracks += 1
            if shown_tracks > limit:
                rest = len({d.track_id for d in diffs}) - limit
                click.echo(f"... and {counted(rest, 'more track', 'more tracks')}")
                return
            click.echo(safe_text(diff.path_text))
            last = diff.track_id
        click.echo(f"  {diff.field}: {_shown(diff.old)} -> {_shown(diff.new)}")
        if diff.staged_against is not None:
            click.echo(
                f"    conflict: staged against {_shown(diff.staged_against)}, but the file "
                "changed since; 'mlib write --force' writes it anyway"
            )


def _print_file(event: FileOutcome | Planned) -> None:
    """One file's outcome, as write, undo and move print it."""
    if isinstance(event, Planned):
        click.echo(f"{safe_text(event.path)}\n  -> {safe_text(event.detail)}")
    elif event.ok:
        click.echo(f"ok: {safe_text(event.path)} ({safe_text(event.detail)})")
    else:
        message = event.detail
        text = message if event.path in message else f"{event.path}: {message}"  # name it once
        click.echo(f"error: {safe_text(text)}", err=True)


@contextmanager
def _file_run() -> Iterator[tuple[Callable[[Event], None], CancelToken]]:
    """Events and Ctrl-C handling for a run that changes files."""
    with cancel_on_ctrl_c() as cancel, event_printer(sys.stderr.isatty(), _print_file) as events:
        yield events, cancel


def _finish_run(result: RunResult, verb: str) -> None:
    click.echo(
        f"run {result.run_id}: {counted(result.ok, 'file')} {verb}, {result.failed} failed"
        + (f", {result.skipped} already as before" if result.skipped else "")
    )
    if result.interrupted:
        click.echo("interrupted: what was done is recorded (see mlib history)", err=True)
        sys.exit(130)
    if result.failed:
        sys.exit(1)


def _confirm(question: str, yes: bool) -> bool:
    """True to go ahead; a run with no terminal and no --yes changes nothing and says so."""
    if yes:
        return True
    if not sys.stdin.isatty():
        click.echo("nothing changed: no terminal to confirm on; run again with --yes", err=True)
        sys.exit(1)
    return click.confirm(question, default=False)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, required=True)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def modify(ctx: Context, args: tuple[str, ...], yes: bool) -> None:
    """Set (field=value) or clear (field!) fields on tracks matching a query.

    The changes are pending in the library until 'mlib write' writes them.
    Example: mlib modify artist:beetles artist=Beatles comment!
    """
    from libtool.service.core import parse_edit_args

    try:
        query, changes = parse_edit_args(args)
    except LibtoolError as exc:
        raise click.UsageError(str(exc)) from exc
    plan = ctx.service.plan_edit(changes, query)
    for refusal in plan.refused:
        click.echo(f"note: {safe_text(refusal)}", err=True)
    if not plan.diffs:
        click.echo(
            f"{counted(plan.matched, 'track matches', 'tracks match')}; nothing would change"
        )
        return
    _print_diffs(plan.diffs)
    if not _confirm(f"Stage these changes to {plan.tracks} tracks?", yes):
        click.echo("nothing changed")
        return
    staged = ctx.service.stage(plan.diffs, "modify")
    click.echo(
        f"{counted(staged, 'change')} pending on {counted(plan.tracks, 'track')}; "
        "'mlib write' writes them to the files"
    )


@cli.command()
@click.argument("query", nargs=-1)
@pass_ctx
def status(ctx: Context, query: tuple[str, ...]) -> None:
    """List pending (unwritten) changes."""
    diffs = ctx.service.status(query)
    if not diffs:
        click.echo("no pending changes")
        return
    _print_diffs(diffs, limit=10_000)
    tracks = len({d.track_id for d in diffs})
    click.echo(f"{counted(len(diffs), 'pending change')} on {counted(tracks, 'track')}")
    conflicts = sum(d.conflict for d in diffs)
    if conflicts:
        click.echo(f"{counted(conflicts, 'conflict')}: files changed since changes were staged")


@cli.command()
@click.argument("query", nargs=-1)
@pass_ctx
def discard(ctx: Context, query: tuple[str, ...]) -> None:
    """Drop pending changes of tracks matching QUERY (files are not touched)."""
    count = ctx.service.discard(query)
    click.echo(f"discarded {counted(count, 'pending change')}")


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--dry-run", "-n", is_flag=True, help="Show what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Also write changes whose file was edited since.")
@pass_ctx
def write(ctx: Context, query: tuple[str, ...], dry_run: bool, force: bool) -> None:
    """Write pending changes of tracks matching QUERY to their files, crash-safely."""
    if dry_run:
        diffs = ctx.service.status(query)
        _print_diffs(diffs, limit=10_000)
        click.echo(f"dry run: would write {counted(len({d.track_id for d in diffs}), 'file')}")
        return
    with _file_run() as (events, cancel):
        result = ctx.service.write(query, force=force, events=events, cancel=cancel)
    if result.run_id is None:
        click.echo("no pending changes to write")
        return
    _finish_run(result, "written")


@cli.command()
@click.argument("run", required=False, type=click.IntRange(1, 2**62))
@pass_ctx
def history(ctx: Context, run: int | None) -> None:
    """List write runs, or the changes of one RUN."""
    if run is not None:
        try:
            changes = ctx.service.run_changes(run)
        except LibtoolError as exc:
            raise click.UsageError(str(exc)) from exc
        for c in changes:
            click.echo(f"{safe_text(c.path)}\n  {c.field}: {_shown(c.before)} -> {_shown(c.after)}")
        return
    rows = ctx.service.history()
    if not rows:
        click.echo("no write runs yet")
    for r in rows:
        notes = []
        if r.undoes_run_id:
            notes.append(f"undoes run {r.undoes_run_id}")
        if r.undone_by_run_id:
            notes.append(f"undone by run {r.undone_by_run_id}")
        when = r.started_at.strftime("%Y-%m-%d %H:%M:%S")
        extra = f"  ({'; '.join(notes)})" if notes else ""
        click.echo(f"run {r.id}\t{r.kind}\t{when}\t{r.files_ok} ok, {r.files_failed} failed{extra}")


@cli.command()
@click.argument("run", required=False, type=click.IntRange(1, 2**62))
@pass_ctx
def undo(ctx: Context, run: int | None) -> None:
    """Undo a write, move or undo run (default: the latest one not yet undone)."""
    with _file_run() as (events, cancel):
        result = ctx.service.undo(run, events=events, cancel=cancel)
    _finish_run(result, "restored")


@cli.command(name="import-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--dry-run", "-n", is_flag=True, help="Show the changes; stage nothing.")
@click.option("--skip-bad-rows", is_flag=True, help="Stage the good rows even if some are bad.")
@pass_ctx
def import_csv(ctx: Context, file: str, dry_run: bool, skip_bad_rows: bool) -> None:
    """Stage the cells changed in an edited export as pending changes."""
    result = ctx.service.import_csv(file, dry_run=dry_run, skip_bad_rows=skip_bad_rows)
    for error in result.errors:
        click.echo(f"{file}: {safe_text(error)}", err=True)
    _print_diffs(result.diffs, limit=10_000)
    if result.errors and not skip_bad_rows:
        click.echo(
            f"nothing staged: {counted(result.bad_rows, 'bad row')} of {result.rows}; "
            "fix them or use --skip-bad-rows",
            err=True,
        )
        sys.exit(1)
    if dry_run:
        click.echo(
            f"dry run: {counted(len(result.diffs), 'change')} found in "
            f"{counted(result.rows, 'row')}"
        )
        return
    click.echo(
        f"{counted(result.staged or 0, 'change')} pending from "
        f"{counted(result.rows - result.bad_rows, 'row')}"
        + (f" ({counted(result.bad_rows, 'bad row')} skipped)" if result.bad_rows else "")
        + "; 'mlib write' writes them"
    )


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--template", "-t", help="Path template (default from config).")
@click.option("--dry-run", "-n", is_flag=True, help="Show where files would go; move nothing.")
@pass_ctx
def move(ctx: Context, query: tuple[str, ...], template: str | None, dry_run: bool) -> None:
    """Move files inside their library root to where the path template puts them."""
    with _file_run() as (events, cancel):
        result = ctx.service.move(
            query, template=template, dry_run=dry_run, events=events, cancel=cancel
        )
    if dry_run:
        return
    if result.run_id is None:
        click.echo("every file is already where the template puts it")
        return
    _finish_run(result, "moved")


def main(argv: list[str] | None = None) -> Any:
    CtrlC.install()
    try:
        result = cli.main(args=argv, prog_name="mlib", standalone_mode=False)
        if CtrlC.token.cancelled:  # a Ctrl-C the operation honoured at a safe point
            click.echo("interrupted", err=True)
            sys.exit(130)
        return result
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:  # one line, like every other error
        where = exc.ctx.command_path if exc.ctx else "mlib"
        click.echo(
            f"mlib: error: {safe_text(exc.format_message())} (see '{where} --help')", err=True
        )
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # 'mlib ls | head': the reader has all it wanted
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except LibtoolError as exc:
        click.echo(f"mlib: error: {safe_text(exc)}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


# The MusicBrainz commands live in their own module; importing it registers them.
from libtool import cli_enrich  # noqa: E402, F401
