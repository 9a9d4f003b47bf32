"""The ``mlib`` command: parse arguments, call the core, print.

Errors a user can act on print one line (``mlib: error: ...``) and exit 2;
tracebacks are for bugs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy import func, select

from libtool import __version__
from libtool.config import Settings, load_settings
from libtool.db.models import Album, Root, ScanError, Track
from libtool.db.query import compile_query
from libtool.db.session import Library, open_library
from libtool.display import json_line, render_template, safe_text
from libtool.errors import LibtoolError
from libtool.fields import FIELD_NAMES
from libtool.pathutil import path_to_cell

DEFAULT_FORMAT = "$artist - $album - $title"
DEFAULT_ALBUM_FORMAT = "$albumartist - $album"
JSON_COLUMNS = ("id", "path", *FIELD_NAMES, "year", "originalyear", "length", "bitrate",
                "format", "codec", "tag_format", "sample_rate", "channels", "bits_per_sample",
                "has_picture", "size", "missing")


class Context:
    """What every command shares: settings, and the library opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._library: Library | None = None

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = open_library(self.settings.database)
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
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
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
    from libtool.scan import normalise_root
    from libtool.scan import scan as run_scan

    settings = ctx.settings
    targets: list[str | bytes] = list(paths)
    if not targets:
        with ctx.library.session() as session:
            known = list(session.scalars(select(Root.path)))
        new = [r for r in settings.roots if normalise_root(r) not in known]
        if not known and not new:
            raise click.UsageError("no library roots yet: give a folder, e.g. mlib scan ~/Music")
        if new:  # config roots not registered yet: register them and rescan the rest
            targets = [*new, *known]
    with _progress(sys.stderr.isatty()) as progress:
        summary = run_scan(
            ctx.library, targets, full=full, jobs=jobs or settings.jobs,
            ignore=settings.ignore, progress=progress,
        )
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
                    "albumartist": album.albumartist, "album": album.album, "year": album.year,
                    "tracks": album.track_count, "mb_albumid": album.mb_albumid,
                    "path": album.folder_text,
                }
                if as_json:
                    click.echo(json_line(values))
                else:
                    click.echo(render_template(template or DEFAULT_ALBUM_FORMAT, values))
            return
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
    from libtool.csvio import export_csv, parse_columns

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
    with ctx.library.session() as session:
        stmt = (
            select(Root, func.count(Track.id))
            .outerjoin(Track, (Track.root_id == Root.id) & Track.missing.is_(False))
            .group_by(Root.id)
            .order_by(Root.path_text)
        )
        for root, count in session.execute(stmt):
            when = root.last_scan_at.strftime("%Y-%m-%d %H:%M") if root.last_scan_at else "never"
            click.echo(f"{safe_text(root.path_text)}\t{count} tracks\tscanned {when}")


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
