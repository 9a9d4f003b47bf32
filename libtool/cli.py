"""The ``mlib`` command: parse arguments, call the core, print.

Errors a user can act on print one line (``mlib: error: ...``) and exit 2;
tracebacks are for bugs.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from libtool import __version__
from libtool.config import Settings, load_settings
from libtool.display import json_line, render_template, safe_text
from libtool.errors import LibtoolError
from libtool.pathutil import display_path, path_to_cell
from libtool.scan.walk import ScanSummary
from libtool.tags.fields import FIELD_NAMES, MULTI_SEP

if TYPE_CHECKING:  # SQLAlchemy is imported by the commands that need it, not at start-up
    from libtool.db.session import Library

DEFAULT_FORMAT = "$artist - $album - $title"
DEFAULT_ALBUM_FORMAT = "$albumartist - $album"


class Context:
    """What every command shares: settings, and the library opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._library: Library | None = None

    @property
    def library(self) -> Library:
        if self._library is None:
            from libtool.config import default_database_path
            from libtool.db.session import open_library

            default = self.settings.database == str(default_database_path())
            self._library = open_library(self.settings.database, create_folder=default)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "database", metavar="PATH_OR_URL", help="Library database (env MLIB_DB).")
@click.option("--config", "config", metavar="FILE", help="TOML config file (env MLIB_CONFIG).")
@click.version_option(__version__, prog_name="mlib")
@click.pass_context
def cli(click_ctx: click.Context, database: str | None, config: str | None) -> None:
    """mlib: a fast, careful organiser for the music files you own."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    ctx = Context(load_settings(config=config, database=database))
    click_ctx.obj = ctx
    click_ctx.call_on_close(ctx.close)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Looking for files", total=None)

        def update(phase: str, done: int, total: int) -> None:
            if phase == "walk":
                bar.update(task, description=f"Looking for files ({done} found)")
            else:
                bar.update(task, description="Reading tags", completed=done, total=total)

        yield update


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--full", is_flag=True, help="Re-read every file, changed or not.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@pass_ctx
def scan(ctx: Context, paths: tuple[str, ...], full: bool, jobs: int | None) -> None:
    """Add PATHS as library roots and scan them; with no PATHS, rescan every root."""
    settings = ctx.settings
    configured = tuple(os.path.expanduser(r) for r in settings.roots)  # "~/Music" in TOML
    database = _database_file(settings.database)
    if not paths and not full and database is not None:
        from libtool.scan.quick import unchanged_rescan

        quick = unchanged_rescan(database, tuple(settings.ignore), configured)
        if quick is not None:  # nothing changed: done without loading the full scanner
            _report_scan(quick)
            return

    from sqlalchemy import select

    from libtool.db.models import Root
    from libtool.scan.scanner import normalise_root, register_roots
    from libtool.scan.scanner import scan as run_scan

    targets: list[str | bytes] = list(paths)
    if not targets:
        with ctx.library.session() as session:
            known = list(session.scalars(select(Root.path)))
        new = [r for r in configured if normalise_root(r) not in known]
        for absent in [r for r in new if not os.path.isdir(r)]:
            click.echo(f"note: configured root {safe_text(absent)} is missing; skipped", err=True)
            new.remove(absent)
        if not known and not new:
            raise click.UsageError("no library roots yet: give a folder, e.g. mlib scan ~/Music")
        if new:  # register config roots once; the scan below then covers every root
            with ctx.library.session() as session:
                register_roots(session, [normalise_root(r) for r in new])
    with _progress(sys.stderr.isatty()) as progress:
        summary = run_scan(
            ctx.library,
            targets,
            full=full,
            jobs=jobs or settings.jobs,
            ignore=settings.ignore,
            progress=progress,
        )
    _report_scan(summary)


def _database_file(database: str) -> Path | None:
    """The library's file when it is a plain SQLite path (the no-change fast path needs one)."""
    if "://" in database:
        return None
    return Path(database).expanduser().absolute()


def _report_scan(summary: ScanSummary) -> None:
    for note in summary.notes:
        click.echo(f"note: {safe_text(note)}", err=True)
    click.echo(summary.line())
    if summary.errors:
        click.echo("Run 'mlib errors' to see the files that could not be read.", err=True)
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
    from sqlalchemy import select

    from libtool.db.models import Album, Track
    from libtool.db.query import compile_query

    with ctx.library.session() as session:
        where = compile_query(list(query))
        if albums:
            stmt = (
                select(Album)
                .where(Album.id.in_(select(Track.album_id).where(where)))
                .order_by(Album.albumartist, Album.album)
            )
            for album in session.scalars(stmt):
                values = {
                    "albumartist": album.albumartist,
                    "album": album.album,
                    "year": album.year,
                    "tracks": album.track_count,
                    "mb_albumid": album.mb_albumid,
                    "path": album.folder_text,
                }
                if as_json:
                    click.echo(json_line(values))
                else:
                    click.echo(render_template(template or DEFAULT_ALBUM_FORMAT, values))
            return
        from libtool.changes.csvio import ALL_COLUMNS as JSON_COLUMNS

        columns = [Track.path if c == "path" else getattr(Track, c) for c in JSON_COLUMNS]
        stmt = (
            select(*columns)
            .where(where)
            .order_by(Track.albumartist, Track.album, Track.disc, Track.track, Track.path_text)
            .execution_options(yield_per=1000)
        )
        for row in session.execute(stmt):
            values = dict(zip(JSON_COLUMNS, row, strict=True))
            values["path"] = path_to_cell(values["path"])
            if as_json:
                click.echo(json_line(values))
            else:
                click.echo(render_template(template or DEFAULT_FORMAT, values))


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
    from libtool.changes.csvio import export_csv, parse_columns

    columns = parse_columns(fields)
    with ctx.library.session() as session:
        if target == "-":
            count = export_csv(session, sys.stdout, list(query), columns, excel=excel)
        else:
            try:
                with open(target, "w", encoding="utf-8", newline="") as out:
                    count = export_csv(session, out, list(query), columns, excel=excel)
            except OSError as exc:
                raise LibtoolError(f"cannot write {target}: {exc.strerror}") from exc
    if target != "-":
        click.echo(f"exported {count} tracks to {target}", err=True)


@cli.command()
@pass_ctx
def errors(ctx: Context) -> None:
    """List files the scanner could not read, with the reason."""
    from sqlalchemy import select

    from libtool.db.models import ScanError

    with ctx.library.session() as session:
        rows = session.scalars(select(ScanError).order_by(ScanError.path_text)).all()
        for err in rows:
            click.echo(f"{safe_text(err.path_text)}: {err.kind}: {safe_text(err.message)}")
    if not rows:
        click.echo("no scan errors", err=True)


@cli.command()
@pass_ctx
def roots(ctx: Context) -> None:
    """List library roots with their track counts."""
    from sqlalchemy import func, select

    from libtool.db.models import Root, Track

    with ctx.library.session() as session:
        stmt = (
            select(Root, func.count(Track.id))
            .outerjoin(Track, (Track.root_id == Root.id) & Track.missing.is_(False))
            .group_by(Root.id)
            .order_by(Root.path_text)
        )
        rows = session.execute(stmt).all()
        for root, count in rows:
            when = root.last_scan_at.strftime("%Y-%m-%d %H:%M") if root.last_scan_at else "never"
            click.echo(f"{safe_text(root.path_text)}\t{count} tracks\tscanned {when}")
    if not rows:
        click.echo("no library roots yet: add one with mlib scan FOLDER", err=True)


# --- editing, writing, history ---------------------------------------------------------

_ASSIGN = re.compile(r"^(?P<field>[a-z_]+)=(?P<value>.*)$", re.DOTALL)
_CLEAR = re.compile(r"^(?P<field>[a-z_]+)!$")


def _shown(values: list[str], limit: int = 200) -> str:
    """Values for a diff line: joined, made safe, and cut if very long (lyrics...)."""
    if not values:
        return "(empty)"
    text = MULTI_SEP.join(values)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text)} characters)"
    return safe_text(text)


def _print_diffs(diffs: list[Any], limit: int = 200) -> None:
    """Changes grouped by file: path, then 'field: old -> new' lines."""
    last = None
    shown_tracks = 0
    for diff in diffs:
        if diff.track_id != last:
            shown_tracks += 1
            if shown_tracks > limit:
                rest = len({d.track_id for d in diffs}) - limit
                click.echo(f"... and {rest} more tracks")
                return
            click.echo(safe_text(diff.path_text))
            last = diff.track_id
        click.echo(f"  {diff.field}: {_shown(diff.old)} -> {_shown(diff.new)}")


def _reporter(kind: str, path: str, message: str) -> None:
    if kind == "error":
        text = message if path in message else f"{path}: {message}"  # name the file once
        click.echo(f"error: {safe_text(text)}", err=True)
    elif kind == "plan":
        click.echo(f"{safe_text(path)}\n  -> {safe_text(message)}")
    else:
        click.echo(f"{kind}: {safe_text(path)} ({safe_text(message)})")


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
    from sqlalchemy import select

    from libtool.changes.pending import diff_changes, parse_value, stage
    from libtool.db.models import Track
    from libtool.db.query import compile_query

    changes: dict[str, list[str]] = {}
    query: list[str] = []
    for arg in args:
        m = _CLEAR.match(arg) or _ASSIGN.match(arg)
        if m is None:
            query.append(arg)
        elif m["field"] not in FIELD_NAMES:
            raise click.UsageError(
                f"{m['field']!r} is not a field you can change; fields: {', '.join(FIELD_NAMES)}"
            )
        elif m.re is _CLEAR:
            changes[m["field"]] = []
        else:
            changes[m["field"]] = parse_value(m["field"], m["value"])
    if not changes:
        raise click.UsageError("nothing to change: give field=value or field! (to clear)")
    with ctx.library.session() as session:
        tracks = session.scalars(select(Track).where(compile_query(query))).all()
        diffs = diff_changes(session, tracks, changes)
        if not diffs:
            click.echo(f"{len(tracks)} tracks match; nothing would change")
            return
        _print_diffs(diffs)
        count = len({d.track_id for d in diffs})
        if not _confirm(f"Stage these changes to {count} tracks?", yes):
            click.echo("nothing changed")
            return
        staged = stage(session, diffs, "modify")
    click.echo(f"{staged} changes pending on {count} tracks; 'mlib write' writes them to the files")


@cli.command()
@click.argument("query", nargs=-1)
@pass_ctx
def status(ctx: Context, query: tuple[str, ...]) -> None:
    """List pending (unwritten) changes."""
    from libtool.changes.pending import pending_changes
    from libtool.db.query import compile_query

    with ctx.library.session() as session:
        diffs = pending_changes(session, compile_query(list(query)))
    if not diffs:
        click.echo("no pending changes")
        return
    _print_diffs(diffs, limit=10_000)
    click.echo(f"{len(diffs)} pending changes on {len({d.track_id for d in diffs})} tracks")


@cli.command()
@click.argument("query", nargs=-1)
@pass_ctx
def discard(ctx: Context, query: tuple[str, ...]) -> None:
    """Drop pending changes of tracks matching QUERY (files are not touched)."""
    from libtool.changes.pending import discard as drop
    from libtool.db.query import compile_query

    with ctx.library.session() as session:
        count = drop(session, compile_query(list(query)))
    click.echo(f"discarded {count} pending changes")


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--dry-run", "-n", is_flag=True, help="Show what would be written; write nothing.")
@pass_ctx
def write(ctx: Context, query: tuple[str, ...], dry_run: bool) -> None:
    """Write pending changes of tracks matching QUERY to their files, crash-safely."""
    from libtool.changes.pending import pending_changes, write_pending
    from libtool.db.query import compile_query

    where = compile_query(list(query))
    if dry_run:
        with ctx.library.session() as session:
            diffs = pending_changes(session, where)
        _print_diffs(diffs, limit=10_000)
        click.echo(f"dry run: would write {len({d.track_id for d in diffs})} files")
        return
    summary = write_pending(ctx.library, where, id3v23=ctx.settings.id3v23, report=_reporter)
    if summary.run_id is None:
        click.echo("no pending changes to write")
        return
    click.echo(f"run {summary.run_id}: {summary.ok} files written, {summary.failed} failed")
    if summary.failed:
        sys.exit(1)


@cli.command()
@click.argument("run", required=False, type=click.IntRange(1, 2**62))
@pass_ctx
def history(ctx: Context, run: int | None) -> None:
    """List write runs, or the changes of one RUN."""
    from sqlalchemy import select

    from libtool.changes.runs import recent_runs
    from libtool.db.models import WriteChange, WriteRun

    with ctx.library.session() as session:
        if run is not None:
            if session.get(WriteRun, run) is None:
                raise click.UsageError(f"no write run {run}")
            changes = session.scalars(
                select(WriteChange).where(WriteChange.run_id == run).order_by(WriteChange.id)
            )
            for c in changes:
                click.echo(
                    f"{safe_text(display_path(c.path))}\n"
                    f"  {c.field}: {_shown(c.before)} -> {_shown(c.after)}"
                )
            return
        rows = recent_runs(session)
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
            click.echo(
                f"run {r.id}\t{r.kind}\t{when}\t{r.files_ok} ok, {r.files_failed} failed{extra}"
            )


@cli.command()
@click.argument("run", required=False, type=click.IntRange(1, 2**62))
@pass_ctx
def undo(ctx: Context, run: int | None) -> None:
    """Undo a write, move or undo run (default: the latest one not yet undone)."""
    from libtool.changes.pending import undo as run_undo

    summary = run_undo(ctx.library, run, id3v23=ctx.settings.id3v23, report=_reporter)
    click.echo(
        f"run {summary.run_id}: {summary.ok} files restored, {summary.failed} failed"
        + (f", {summary.skipped} already as before" if summary.skipped else "")
    )
    if summary.failed:
        sys.exit(1)


@cli.command(name="import-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--dry-run", "-n", is_flag=True, help="Show the changes; stage nothing.")
@click.option("--skip-bad-rows", is_flag=True, help="Stage the good rows even if some are bad.")
@pass_ctx
def import_csv(ctx: Context, file: str, dry_run: bool, skip_bad_rows: bool) -> None:
    """Stage the cells changed in an edited export as pending changes."""
    from libtool.changes.csvio import plan_import
    from libtool.changes.pending import stage

    with ctx.library.session() as session:
        try:
            with open(file, "rb") as probe:
                excel = probe.read(3) == b"\xef\xbb\xbf"  # --excel exports start with a BOM
            with open(file, encoding="utf-8-sig", newline="") as stream:
                plan = plan_import(session, stream, excel=excel)
        except UnicodeDecodeError as exc:
            raise LibtoolError(f"{file} is not UTF-8 text: {exc.reason}") from exc
        for error in plan.errors:
            click.echo(f"{file}: {safe_text(error)}", err=True)
        _print_diffs(plan.diffs, limit=10_000)
        if plan.errors and not skip_bad_rows:
            click.echo(
                f"nothing staged: {plan.bad_rows} bad rows of {plan.rows}; "
                "fix them or use --skip-bad-rows",
                err=True,
            )
            sys.exit(1)
        if dry_run:
            click.echo(f"dry run: {len(plan.diffs)} changes found in {plan.rows} rows")
            return
        staged = stage(session, plan.diffs, "csv")
    click.echo(
        f"{staged} changes pending from {plan.rows - plan.bad_rows} rows"
        + (f" ({plan.bad_rows} bad rows skipped)" if plan.bad_rows else "")
        + "; 'mlib write' writes them"
    )


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--template", "-t", help="Path template (default from config).")
@click.option("--dry-run", "-n", is_flag=True, help="Show where files would go; move nothing.")
@pass_ctx
def move(ctx: Context, query: tuple[str, ...], template: str | None, dry_run: bool) -> None:
    """Move files inside their library root to where the path template puts them."""
    from libtool.changes.organise import move_tracks
    from libtool.db.query import compile_query

    summary = move_tracks(
        ctx.library,
        compile_query(list(query)),
        ctx.settings.move_template if template is None else template,
        dry_run=dry_run,
        report=_reporter,
    )
    if dry_run:
        return
    if summary.run_id is None:
        click.echo("every file is already where the template puts it")
        return
    click.echo(f"run {summary.run_id}: {summary.ok} files moved, {summary.failed} failed")
    if summary.failed:
        sys.exit(1)


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="mlib", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except LibtoolError as exc:
        click.echo(f"mlib: error: {safe_text(exc)}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
