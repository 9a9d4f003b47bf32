"""The MusicBrainz commands of ``mlib``: enrich, and the review path for scripts
(proposals, proposal, accept, skip). Thin like the rest of the CLI: parse, call
``libtool.service.enrichment``, print. Every text from the server goes through
``safe_text`` before it reaches the terminal."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from libtool.cli import Context, _shown, cancel_on_ctrl_c, cli, counted, pass_ctx
from libtool.display import safe_text
from libtool.errors import LibtoolError
from libtool.events import CancelToken, Event, Matched, Note, Progress

if TYPE_CHECKING:
    from libtool.service.results import (
        BreakdownRow,
        CandidateView,
        EnrichResult,
        FieldChange,
        ProposalDetail,
        ProposalRow,
    )

STATUS_WORDS = {
    "applied": "applied",
    "proposed": "to review",
    "unchanged": "already tagged",
    "no_match": "no match",
    "failed": "failed",
}


def host_options(f: Callable[..., None]) -> Callable[..., None]:
    f = click.option(
        "--musicbrainz-http",
        "http",
        is_flag=True,
        help="Plain http (a private mirror); the default is https.",
    )(f)
    return click.option(
        "--musicbrainz-host",
        "host",
        metavar="HOST[:PORT]",
        help="A MusicBrainz mirror (env MLIB_MUSICBRAINZ_HOST; default musicbrainz.org).",
    )(f)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _candidate_line(c: CandidateView) -> str:
    facts = [x for x in (c.date, c.country, "+".join(f for f in c.formats if f)) if x]
    what = f"{c.title} - {c.artist}" + (f" ({', '.join(facts)})" if facts else "")
    kind = "recording" if c.kind == "recording" else f"{c.track_count} tracks"
    searched = "" if c.looked_up else ", from the search answer"
    return f"{safe_text(what)}  {_score(c.score)}  [{kind}{searched}; {c.id}]"


def _print_breakdown(rows: Sequence[BreakdownRow], indent: str) -> None:
    for r in rows:
        if r.weight:
            click.echo(
                f"{indent}{r.name:<16} penalty {r.penalty:.2f} x weight {r.weight:>5.1f}"
                f"  = {100 * r.contribution:5.1f} points"
            )


def _print_changes(diffs: Sequence[FieldChange], indent: str = "    ") -> None:
    """Changes shared by several files once with their count, the others per file."""
    shared: dict[tuple[str, str, str], list[FieldChange]] = defaultdict(list)
    for d in diffs:
        shared[(d.field, _shown(d.old), _shown(d.new))].append(d)
    for (field, old, new), ds in shared.items():
        if len(ds) > 1:
            click.echo(f"{indent}{field}: {old} -> {new}  ({len(ds)} files)")
    for (field, old, new), ds in shared.items():
        if len(ds) == 1:
            name = safe_text(os.path.basename(ds[0].path_text))
            click.echo(f"{indent}{name}: {field}: {old} -> {new}")


def print_detail(detail: ProposalDetail, outcome: str, explain: bool, every: bool = False) -> None:
    row = detail.row
    files = counted(row.track_count, "file")
    number = f"proposal {row.id}: " if row.id else ""
    click.echo(f"{safe_text(row.label)}  ({files}; {number}{STATUS_WORDS.get(outcome, outcome)})")
    if not detail.candidates:
        click.echo(f"  no candidate{': ' + safe_text(row.message) if row.message else ''}")
        return
    gap = "" if row.gap is None else f", gap {row.gap:.1f} to the runner-up"
    click.echo(f"  match: {row.recommendation}{gap}")
    shown = detail.candidates if every else detail.candidates[:1]
    for c in shown:
        marker = "*" if detail.chosen == c.index else " "
        click.echo(f" {marker}{c.index + 1}. {_candidate_line(c)}")
        if explain:
            _print_breakdown(c.breakdown, "      ")
            for t in c.tracks:
                click.echo(
                    f"      {t.disc}-{t.position:02d} {safe_text(t.title)}  <- "
                    f"{safe_text(os.path.basename(t.path))}  {_score(t.score)}"
                )
                if t.score is not None and t.score < 100:
                    _print_breakdown([b for b in t.breakdown if b.penalty], "          ")
        for m in c.missing:
            click.echo(f"      missing: {safe_text(m)}")
        for u in c.unmatched:
            click.echo(f"      no track for: {safe_text(os.path.basename(u))}")
        if c.looked_up and (c.index == 0 or every):
            if c.diffs:
                _print_changes(c.diffs)
            else:
                click.echo("    no changes")


@contextmanager
def _enrich_events(explain: bool) -> Iterator[tuple[Callable[[Event], None], CancelToken]]:
    """Per-album lines as they come; a progress bar with time left on a terminal."""

    def plain(event: Event) -> None:
        if isinstance(event, Matched):
            if event.detail is None:
                click.echo(f"{safe_text(event.label)}\n  failed: {safe_text(event.message)}")
            else:
                print_detail(event.detail, event.outcome, explain)
        elif isinstance(event, Note):
            click.echo(f"note: {safe_text(event.message)}", err=True)

    with cancel_on_ctrl_c() as cancel:
        if not sys.stderr.isatty():
            yield plain, cancel
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        with Bar(
            TextColumn("Matching albums"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("time left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("enrich", total=None)

            def render(event: Event) -> None:
                if isinstance(event, Progress):
                    bar.update(task, completed=event.done, total=event.total)
                else:
                    plain(event)

            yield render, cancel


def _summary(r: EnrichResult, dry_run: bool) -> str:
    parts = [
        f"{r.applied} applied" if not dry_run else f"{r.applied} would be applied",
        f"{r.proposed} to review",
        f"{r.unchanged} already tagged",
        f"{r.no_match} without a match",
        f"{r.failed} failed",
    ]
    settled = f"; {r.skipped_settled} settled before, left alone" if r.skipped_settled else ""
    asked = f"; {counted(r.requests, 'request')} ({r.cache_hits} answers from the cache)"
    return (
        f"{counted(r.groups, 'album or track', 'albums and tracks')}: "
        + ", ".join(parts)
        + asked
        + settled
    )


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--dry-run", "-n", is_flag=True, help="Show what would happen; store nothing.")
@click.option("--apply", "apply_", is_flag=True, help="Stage clear matches as pending changes.")
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    help="Lowest score --apply applies (default: musicbrainz.min_score, 96).",
)
@click.option("--explain", is_flag=True, help="Show each score's breakdown.")
@click.option("--refresh", is_flag=True, help="Ask MusicBrainz again; reconsider settled albums.")
@host_options
@pass_ctx
def enrich(
    ctx: Context,
    query: tuple[str, ...],
    dry_run: bool,
    apply_: bool,
    min_score: float | None,
    explain: bool,
    refresh: bool,
    host: str | None,
    http: bool,
) -> None:
    """Match albums (and lone tracks) of QUERY against MusicBrainz and propose tag fixes.

    Clear matches are staged with --apply (then 'mlib write'); everything else waits in
    'mlib proposals' for review ('mlib accept ID N')."""
    from libtool.service.enrichment import EnrichOptions
    from libtool.service.enrichment import enrich as run_enrich

    options = EnrichOptions(
        dry_run=dry_run,
        apply=apply_,
        min_score=min_score,
        refresh=refresh,
        host=host,
        https=False if http else None,
    )
    with _enrich_events(explain) as (events, cancel):
        result = run_enrich(ctx.service, query, options, events=events, cancel=cancel)
    click.echo(_summary(result, dry_run))
    if result.applied and not dry_run:
        click.echo(f"staged: '{ctx.again} status' shows them, '{ctx.again} write' writes them")
    if result.stopped:
        click.echo(
            f"mlib: error: {safe_text(result.stopped)}; stopped there: what was fetched and "
            f"matched so far is kept, and '{ctx.again} enrich' continues from it",
            err=True,
        )
        sys.exit(1)
    if result.cancelled:
        click.echo("interrupted: albums matched so far are kept", err=True)
        sys.exit(130)
    if result.failed:
        sys.exit(1)


@cli.command()
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="STATUS",
    help="pending (default), applied, skipped, no_match or unchanged; repeatable.",
)
@click.option("--all", "all_", is_flag=True, help="Every proposal, whatever its status.")
@pass_ctx
def proposals(ctx: Context, statuses: tuple[str, ...], all_: bool) -> None:
    """List MusicBrainz proposals (those awaiting review, by default)."""
    from libtool.service.enrichment import list_proposals

    wanted = () if all_ else (statuses or ("pending",))
    try:
        rows: list[ProposalRow] = list_proposals(ctx.service, wanted)
    except LibtoolError as exc:
        raise click.UsageError(str(exc)) from exc
    if not rows:
        click.echo("no proposals" + ("" if all_ else f" {'/'.join(wanted)}"))
    for r in rows:
        gap = "" if r.gap is None else f" gap {r.gap:.1f}"
        click.echo(
            f"{r.id}\t{r.status}\t{r.recommendation}\t{_score(r.score)}{gap}\t"
            f"{safe_text(r.label)} ({counted(r.track_count, 'file')})\t-> {safe_text(r.best)}"
        )


@cli.command()
@click.argument("proposal_id", metavar="ID", type=click.IntRange(1, 2**62))
@click.option("--explain", is_flag=True, help="Show each score's breakdown.")
@pass_ctx
def proposal(ctx: Context, proposal_id: int, explain: bool) -> None:
    """Show proposal ID: every candidate, numbered, with the changes it would make."""
    from libtool.service.enrichment import get_proposal

    try:
        detail = get_proposal(ctx.service, proposal_id)
    except LibtoolError as exc:
        raise click.UsageError(str(exc)) from exc
    print_detail(detail, detail.row.status, explain, every=True)


@cli.command()
@click.argument("proposal_id", metavar="ID", type=click.IntRange(1, 2**62))
@click.argument("number", metavar="[N]", required=False, default=1, type=click.IntRange(1, 100))
@host_options
@pass_ctx
def accept(ctx: Context, proposal_id: int, number: int, host: str | None, http: bool) -> None:
    """Accept candidate N (default 1) of proposal ID: stage its changes for 'mlib write'."""
    from libtool.service.enrichment import accept as run_accept

    count, detail = run_accept(
        ctx.service, proposal_id, number, host=host, https=False if http else None
    )
    chosen = detail.candidates[number - 1]
    click.echo(
        f"proposal {proposal_id}: accepted {_candidate_line(chosen)}; "
        f"{counted(count, 'change')} staged ('{ctx.again} write' writes them)"
    )


@cli.command()
@click.argument("proposal_ids", metavar="ID...", nargs=-1, required=True, type=int)
@pass_ctx
def skip(ctx: Context, proposal_ids: tuple[int, ...]) -> None:
    """Skip proposals: no changes, and 'mlib enrich' leaves their albums alone."""
    from libtool.service.enrichment import skip as run_skip

    try:
        n = run_skip(ctx.service, proposal_ids)
    except LibtoolError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"skipped {counted(n, 'proposal')}")
