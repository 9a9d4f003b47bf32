"""The library's operations, as every front end calls them.

``Service`` owns the library and every session it opens: each method opens
one, commits it when it changes something, and closes it before returning
plain values (``libtool.service.results``). Long operations take an
``EventSink`` and a ``CancelToken``. The CLI and the TUI parse input, call
these, and render what comes back; neither holds queries or rules of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import IO, Any

from sqlalchemy import ColumnElement, func, literal_column, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from libtool.changes import apply, csvio, organise, pending
from libtool.changes.runs import RunSummary
from libtool.config import Settings
from libtool.db.models import Album, PendingChange, Root, ScanError, Track, WriteChange, WriteRun
from libtool.db.query import compile_query
from libtool.db.session import Library, cancellable
from libtool.errors import LibtoolError, UsageError
from libtool.events import NEVER, CancelToken, EventSink, ignore
from libtool.pathutil import display_path, path_to_cell
from libtool.scan.walk import ScanSummary
from libtool.service import scanning
from libtool.service.results import (
    AlbumArtistRow,
    AlbumRow,
    EditPlan,
    ErrorRow,
    FieldChange,
    ImportResult,
    RootRow,
    RunChangeRow,
    RunResult,
    RunRow,
    SortKey,
    TrackDetail,
    TrackPage,
    TrackRow,
)
from libtool.tags.fields import FIELD_NAMES

Query = str | Sequence[str]

#: Columns a listing can return and sort by (the CSV columns: one list for every front end).
LIST_COLUMNS: tuple[str, ...] = csvio.ALL_COLUMNS
#: How ``mlib ls`` and the track list sort by default.
DEFAULT_SORT: tuple[str, ...] = ("albumartist", "album", "disc", "track", "path")
FILE_FACTS = (
    "size",
    "format",
    "codec",
    "tag_format",
    "length",
    "bitrate",
    "sample_rate",
    "channels",
    "bits_per_sample",
    "has_picture",
)

_ASSIGN = re.compile(r"^(?P<field>[a-z_]+)=(?P<value>.*)$", re.DOTALL)
_CLEAR = re.compile(r"^(?P<field>[a-z_]+)!$")


def parse_edit_args(args: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Split ``modify`` arguments into query terms and changes: ``field=value`` sets
    (``;`` separates several values), ``field!`` clears; values are validated here."""
    changes: dict[str, list[str]] = {}
    query: list[str] = []
    for arg in args:
        m = _CLEAR.match(arg) or _ASSIGN.match(arg)
        if m is None:
            query.append(arg)
        elif m["field"] not in FIELD_NAMES:
            raise UsageError(
                f"{m['field']!r} is not a field you can change; fields: {', '.join(FIELD_NAMES)}"
            )
        elif m.re is _CLEAR:
            changes[m["field"]] = []
        else:
            changes[m["field"]] = pending.parse_value(m["field"], m["value"])
    if not changes:
        raise UsageError("nothing to change: give field=value or field! (to clear)")
    return query, changes


def _where(query: Query) -> ColumnElement[bool]:
    return compile_query(query if isinstance(query, str) else list(query))


def _column(name: str) -> InstrumentedAttribute[Any]:
    if name not in LIST_COLUMNS:
        raise UsageError(f"unknown column {name!r}; known: {', '.join(LIST_COLUMNS)}")
    attr: InstrumentedAttribute[Any] = getattr(Track, "path_text" if name == "path" else name)
    return attr


def _sort_expr(name: str) -> ColumnElement[Any]:
    """A sort column with NULLs folded to a value that sorts first, so keyset row-value
    comparisons work (a NULL would make them unknown). The blank is written into the SQL,
    not bound, so SQLite can match the expression to an index on it (migration 0010)."""
    column = _column(name)
    python_type = column.type.python_type
    text = python_type in (str, bytes)
    blank: ColumnElement[Any] = literal_column("''") if text else literal_column("-1")
    return func.coalesce(column, blank)


def _run_result(summary: RunSummary) -> RunResult:
    return RunResult(
        run_id=summary.run_id,
        ok=summary.ok,
        failed=summary.failed,
        skipped=summary.skipped,
        interrupted=summary.interrupted,
        errors=tuple(summary.errors),
    )


class Service:
    """One library, opened on first use. Safe to share between threads: each call uses
    its own session, and the database (WAL) may be read while another thread writes."""

    def __init__(self, settings: Settings, library: Library | None = None) -> None:
        self.settings = settings
        self._library = library

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = scanning.open_settings_library(self.settings)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None

    # --- scanning ------------------------------------------------------------------

    def scan(
        self,
        paths: Sequence[str | bytes] = (),
        *,
        full: bool = False,
        jobs: int | None = None,
        events: EventSink = ignore,
        cancel: CancelToken = NEVER,
    ) -> ScanSummary:
        return scanning.scan(
            self.settings,
            lambda: self.library,
            paths,
            full=full,
            jobs=jobs,
            events=events,
            cancel=cancel,
        )

    # --- reading ---------------------------------------------------------------------

    def count_tracks(self, query: Query = ()) -> int:
        with self.library.session() as session:
            stmt = select(func.count()).select_from(Track).where(_where(query))
            return int(session.scalar(stmt) or 0)

    def tracks(
        self,
        query: Query = (),
        *,
        sort: Sequence[str] = DEFAULT_SORT,
        descending: bool = False,
        after: SortKey | None = None,
        limit: int = 200,
        columns: Sequence[str] = LIST_COLUMNS,
        with_total: bool = False,
    ) -> TrackPage:
        """A page of matching tracks in ``sort`` order (ties broken by id). Keyset paged:
        pass the page's ``after`` to get the next one; no OFFSET scans."""
        where = _where(query)
        keys = [_sort_expr(name) for name in sort] + [Track.id]
        wanted = [_column(c) if c != "path" else Track.path for c in columns]
        stmt = select(Track.id, *wanted, *keys).where(where)
        if after is not None:
            if len(after) != len(keys):
                raise UsageError("a page cursor from another sort order")
            cursor = tuple_(*keys)
            stmt = stmt.where(cursor < tuple_(*after) if descending else cursor > tuple_(*after))
        order = [k.desc() for k in keys] if descending else keys
        stmt = stmt.order_by(*order).limit(limit + 1)
        with self.library.session() as session:
            result = session.execute(stmt).all()
            total = None
            if with_total:
                counted = select(func.count()).select_from(Track).where(where)
                total = int(session.scalar(counted) or 0)
        more = len(result) > limit
        result = result[:limit]
        rows = []
        width = len(columns)
        for row in result:
            values = dict(zip(columns, row[1 : 1 + width], strict=True))
            if "path" in values:
                values["path"] = path_to_cell(values["path"])
            rows.append(TrackRow(row[0], values))
        last = tuple(result[-1][1 + width :]) if (more and result) else None
        return TrackPage(tuple(rows), last, total)

    def iter_tracks(
        self,
        query: Query = (),
        *,
        sort: Sequence[str] = DEFAULT_SORT,
        columns: Sequence[str] = LIST_COLUMNS,
        page: int = 1000,
    ) -> Iterator[TrackRow]:
        """Every matching track, a page at a time (for ``mlib ls`` and exports)."""
        after: SortKey | None = None
        while True:
            chunk = self.tracks(query, sort=sort, after=after, limit=page, columns=columns)
            yield from chunk.rows
            if chunk.after is None:
                return
            after = chunk.after

    def track_ids(
        self,
        query: Query = (),
        *,
        sort: Sequence[str] = DEFAULT_SORT,
        descending: bool = False,
        limit: int | None = None,
        cancel: CancelToken = NEVER,
    ) -> list[int]:
        """Every matching track id in order (the first ``limit``): a virtual list holds
        these (a few bytes a track) and fetches only the rows on screen with ``rows_for``.
        ``cancel`` stops the query itself (``Cancelled``): a search box that asks again on
        every keystroke drops the question it no longer needs."""
        keys = [_sort_expr(name) for name in sort] + [Track.id]
        order = [k.desc() for k in keys] if descending else keys
        stmt = select(Track.id).where(_where(query)).order_by(*order)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.library.session() as session:
            connection = session.connection()
            with cancellable(connection, cancel):
                # Core rows, not ORM: a third less time for 100,000 ids
                return [row[0] for row in connection.execute(stmt)]

    def rows_for(self, ids: Sequence[int], columns: Sequence[str] = LIST_COLUMNS) -> list[TrackRow]:
        """The rows of ``ids``, in the order given (ids that no longer exist are left out)."""
        wanted = [_column(c) if c != "path" else Track.path for c in columns]
        found: dict[int, TrackRow] = {}
        with self.library.session() as session:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                for row in session.execute(select(Track.id, *wanted).where(Track.id.in_(chunk))):
                    values = dict(zip(columns, row[1:], strict=True))
                    if "path" in values:
                        values["path"] = path_to_cell(values["path"])
                    found[row[0]] = TrackRow(row[0], values)
        return [found[i] for i in ids if i in found]

    def albums(self, query: Query = (), *, albumartist: str | None = None) -> list[AlbumRow]:
        """Albums with a matching track; ``albumartist`` narrows them to one artist's.
        Asked album by album (``EXISTS`` through the album id index): ``IN (SELECT
        album_id ...)`` read every track to expand one artist in the TUI's tree."""
        present = select(Track.id).where(Track.album_id == Album.id, _where(query)).exists()
        stmt = select(Album).where(present)
        if albumartist is not None:
            stmt = stmt.where(Album.albumartist == albumartist)
        stmt = stmt.order_by(Album.albumartist, Album.album)
        with self.library.session() as session:
            return [
                AlbumRow(
                    a.id, a.album, a.albumartist, a.year, a.track_count, a.mb_albumid, a.folder_text
                )
                for a in session.scalars(stmt)
            ]

    def album_artists(self) -> list[AlbumArtistRow]:
        """Album artists with their album counts, for a navigation tree."""
        stmt = (
            select(Album.albumartist, func.count(Album.id))
            .group_by(Album.albumartist)
            .order_by(func.lower(func.coalesce(Album.albumartist, "")))
        )
        with self.library.session() as session:
            return [AlbumArtistRow(name, int(n)) for name, n in session.execute(stmt)]

    def album_track_ids(self, album_id: int) -> list[int]:
        stmt = (
            select(Track.id)
            .where(Track.album_id == album_id)
            .order_by(Track.disc, Track.track, Track.path_text)
        )
        with self.library.session() as session:
            return list(session.scalars(stmt))

    def track(self, track_id: int) -> TrackDetail:
        with self.library.session() as session:
            track = session.get(Track, track_id)
            if track is None:
                raise UsageError(f"no track {track_id}")
            fields = {name: list(values) for name, values in (track.tags or {}).items()}
            facts = {name: getattr(track, name) for name in FILE_FACTS}
            diffs = pending.pending_changes(session, Track.id == track_id)
            errors = session.scalars(select(ScanError).where(ScanError.path == track.path))
            return TrackDetail(
                id=track.id,
                path=display_path(track.path),
                fields=fields,
                file=facts,
                extras=dict(track.extras or {}),
                pending=tuple(diffs),
                errors=tuple(ErrorRow(e.path_text, e.kind, e.message) for e in errors),
                album_id=track.album_id,
                missing=track.missing,
            )

    def scan_errors(self) -> list[ErrorRow]:
        with self.library.session() as session:
            rows = session.scalars(select(ScanError).order_by(ScanError.path_text))
            return [ErrorRow(e.path_text, e.kind, e.message) for e in rows]

    def roots(self) -> list[RootRow]:
        stmt = (
            select(Root, func.count(Track.id))
            .outerjoin(Track, (Track.root_id == Root.id) & Track.missing.is_(False))
            .group_by(Root.id)
            .order_by(Root.path_text)
        )
        with self.library.session() as session:
            return [RootRow(r.path_text, int(n), r.last_scan_at) for r, n in session.execute(stmt)]

    def history(self, limit: int = 50) -> list[RunRow]:
        """Write, move and undo runs, newest first."""
        stmt = select(WriteRun).order_by(WriteRun.id.desc()).limit(limit)
        with self.library.session() as session:
            return [
                RunRow(
                    r.id,
                    r.kind,
                    r.started_at,
                    r.files_ok,
                    r.files_failed,
                    r.undoes_run_id,
                    r.undone_by_run_id,
                )
                for r in session.scalars(stmt)
            ]

    def run_changes(self, run_id: int) -> list[RunChangeRow]:
        with self.library.session() as session:
            if session.get(WriteRun, run_id) is None:
                raise UsageError(f"no write run {run_id}")
            stmt = select(WriteChange).where(WriteChange.run_id == run_id).order_by(WriteChange.id)
            return [
                RunChangeRow(c.track_id, display_path(c.path), c.field, c.before, c.after)
                for c in session.scalars(stmt)
            ]

    # --- editing -----------------------------------------------------------------------

    def status(self, query: Query = ()) -> list[FieldChange]:
        """Pending changes of matching tracks, as old -> new."""
        with self.library.session() as session:
            return pending.pending_changes(session, _where(query))

    def pending_count(self) -> tuple[int, int]:
        """(changes, tracks) pending in the whole library."""
        stmt = select(func.count(), func.count(PendingChange.track_id.distinct()))
        with self.library.session() as session:
            changes, tracks = session.execute(stmt).one()
            return int(changes), int(tracks)

    def plan_edit(
        self, changes: dict[str, list[str]], query: Query = (), *, ids: Sequence[int] = ()
    ) -> EditPlan:
        """What ``changes`` would change on the matching tracks (or on ``ids``)."""
        where = Track.id.in_(list(ids)) if ids else _where(query)
        with self.library.session() as session:
            tracks = session.scalars(select(Track).where(where).order_by(Track.path_text)).all()
            diffs = pending.diff_changes(session, tracks, changes)
            refused = []
            for track in tracks:
                reason = pending.cannot_hold_tags(track)
                if reason is not None:
                    refused.append(f"{track.path_text}: {reason}; not staged")
            return EditPlan(len(tracks), tuple(diffs), tuple(refused))

    def stage(self, diffs: Sequence[FieldChange], source: str) -> int:
        """Record diffs as pending changes; returns how many are pending from them."""
        with self.library.session() as session:
            count = pending.stage(session, diffs, source)
            session.commit()
            return count

    def discard(
        self, query: Query = (), *, ids: Sequence[int] = (), field: str | None = None
    ) -> int:
        """Drop pending changes of matching tracks (of one ``field`` only, when given)."""
        where = Track.id.in_(list(ids)) if ids else _where(query)
        with self.library.session() as session:
            count = pending.discard(session, where, field)
            session.commit()
            return count

    # --- runs that change files --------------------------------------------------------

    def write(
        self,
        query: Query = (),
        *,
        force: bool = False,
        events: EventSink = ignore,
        cancel: CancelToken = NEVER,
    ) -> RunResult:
        """Write pending changes; conflicts (files edited elsewhere since staging) are
        refused per file unless ``force``."""
        summary = apply.write_pending(
            self.library,
            _where(query),
            id3v23=self.settings.id3v23,
            force=force,
            events=events,
            cancel=cancel,
        )
        return _run_result(summary)

    def undo(
        self, run_id: int | None = None, *, events: EventSink = ignore, cancel: CancelToken = NEVER
    ) -> RunResult:
        summary = apply.undo(
            self.library, run_id, id3v23=self.settings.id3v23, events=events, cancel=cancel
        )
        return _run_result(summary)

    def move(
        self,
        query: Query = (),
        *,
        template: str | None = None,
        dry_run: bool = False,
        events: EventSink = ignore,
        cancel: CancelToken = NEVER,
    ) -> RunResult:
        summary = organise.move_tracks(
            self.library,
            _where(query),
            self.settings.move_template if template is None else template,
            dry_run=dry_run,
            events=events,
            cancel=cancel,
        )
        return _run_result(summary)

    # --- CSV ---------------------------------------------------------------------------

    def export_csv(
        self,
        out: IO[str],
        query: Query = (),
        columns: Sequence[str] = csvio.DEFAULT_COLUMNS,
        *,
        excel: bool = False,
    ) -> int:
        terms = query if isinstance(query, str) else list(query)
        with self.library.session() as session:
            return csvio.export_csv(session, out, terms, columns, excel=excel)

    def export_csv_file(
        self,
        target: str,
        query: Query = (),
        columns: Sequence[str] = csvio.DEFAULT_COLUMNS,
        *,
        excel: bool = False,
    ) -> int:
        try:
            with open(target, "w", encoding="utf-8", newline="") as out:
                return self.export_csv(out, query, columns, excel=excel)
        except OSError as exc:
            raise LibtoolError(f"cannot write {target}: {exc.strerror}") from exc

    def import_csv(
        self, file: str, *, dry_run: bool = False, skip_bad_rows: bool = False
    ) -> ImportResult:
        """Stage the cells an edited export changed; nothing unless every row is good
        (or ``skip_bad_rows``). The BOM of an ``--excel`` export turns its guard off."""
        with self.library.session() as session:
            try:
                with open(file, "rb") as probe:
                    excel = probe.read(3) == b"\xef\xbb\xbf"
                with open(file, encoding="utf-8-sig", newline="") as stream:
                    plan = csvio.plan_import(session, stream, excel=excel)
            except UnicodeDecodeError as exc:
                raise LibtoolError(f"{file} is not UTF-8 text: {exc.reason}") from exc
            except OSError as exc:
                raise LibtoolError(f"cannot read {file}: {exc.strerror}") from exc
            staged = None
            if not dry_run and not (plan.errors and not skip_bad_rows):
                staged = pending.stage(session, plan.diffs, "csv")
                session.commit()
            return ImportResult(
                tuple(plan.diffs),
                tuple(str(e) for e in plan.errors),
                plan.rows,
                plan.bad_rows,
                staged,
            )
