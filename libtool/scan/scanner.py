"""Walk library roots, read what changed, and commit it in batches.

Incremental by (size, mtime_ns, ctime_ns): unchanged files are not opened. Tags are read
in worker processes while this process, the single writer, commits them in batches
(``BATCH`` records or more, half a second's worth), so a crash, kill or Ctrl-C keeps all
work committed so far and the next run picks up from there. A root that is missing, unreadable or
suddenly empty is never emptied in the database.

It writes on the plain ``sqlite3`` driver (its own connection, from ``ScanDatabase``), so
``mlib scan`` never imports SQLAlchemy: that import cost as much CPU as reading 1,000 files.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from libtool.db.albums import (
    FirstTrack,
    count_tracks,
    link_albums,
    needs_full_regroup,
    regroup_albums,
)
from libtool.db.bulk import defer_indexes, restore_indexes
from libtool.db.connection import ScanDatabase, marks, sqlite_time, utcnow
from libtool.db.fts import index_new_tracks, last_track_id
from libtool.db.rows import (
    ALBUM_KEY_AT,
    INSERT_TRACKS,
    PATH_AT,
    ROW_COLUMNS,
    UPDATE_TRACKS,
    ScanRow,
)
from libtool.errors import UsageError
from libtool.events import (
    NEVER,
    Cancelled,
    CancelToken,
    EventSink,
    FileOutcome,
    Progress,
    ignore,
    throttled,
)
from libtool.pathutil import display_path, is_under
from libtool.scan.collector import rare_collections
from libtool.scan.pipeline import TargetReading
from libtool.scan.walk import ProgressCallback, ScanSummary, Stamp, gone, normalise_root

BATCH = 500  # records a commit waits for at least (and ids per IN (...) list)
#: ... and once that many are buffered, a commit as soon as FLUSH_SECONDS have passed since
#: the last one, or at BATCH_MOST records: a kill loses at most 500 files or half a second
#: of reading, whichever is more (never over 5,000 files), while a fast scan commits a few
#: thousand at a time. Each commit writes every page it touched to the WAL again (index and
#: FTS pages above all): at 500 a commit, the commits took 3.1 s of a 100,000-file scan
#: against 9.4 s for the inserts.
FLUSH_SECONDS = 0.5
BATCH_MOST = 5000
#: A first scan builds its deferred indexes and regroups its albums so far when this share
#: of its files is left to read (``_end_game``), not after the last: that work (about 1.3 s
#: per 100,000 tracks) then shares the cores with the readers instead of running alone at
#: the end with one core idle. It and the reading both take time in proportion to the
#: files, so one share fits every size.
BUILD_AHEAD = 0.07
#: Album ids the writer keeps at most (by album key) between batches, so that its memory
#: does not grow with the library (10,000 albums held 1.3 MB). An album's tracks are
#: mostly read one after another, so the latest albums are the ones asked for again.
ALBUM_IDS_KEPT = 4096
_OVER = object()


@dataclass
class _Target:
    """One folder to walk, and the root its tracks belong to."""

    root_id: int
    path: bytes


def root_paths(db: sqlite3.Connection) -> list[bytes]:
    """The paths of the library's roots."""
    return [root.path for root in _roots(db)]


def register_roots(db: sqlite3.Connection, paths: Iterable[bytes]) -> list[_Target]:
    """Add roots for ``paths`` and return what to scan (the caller commits).

    A path inside an existing root scans that subtree of it; a new root that
    contains existing roots absorbs them (their tracks move to the new root).
    """
    targets: list[_Target] = []
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"no such file or folder: {display_path(path)}")
        roots = _roots(db)
        parent = next((r for r in roots if is_under(path, r.path)), None)
        if parent is not None:  # a folder or single files inside a root: rescan just those
            targets.append(_Target(parent.root_id, path))
            continue
        if not os.path.isdir(path):
            raise UsageError(
                f"{display_path(path)} is not inside a library root: scan its folder "
                "to add one (mlib scan FOLDER), then scan files in it on their own"
            )
        cursor = db.execute(
            "INSERT INTO roots (path, path_text, added_at) VALUES (?, ?, ?)",
            (path, display_path(path), sqlite_time(utcnow())),
        )
        root_id = cursor.lastrowid
        assert root_id is not None
        for inner in roots:
            if is_under(inner.path, path):
                db.execute(
                    "UPDATE tracks SET root_id = ? WHERE root_id = ?", (root_id, inner.root_id)
                )
                db.execute("DELETE FROM roots WHERE id = ?", (inner.root_id,))
        targets.append(_Target(root_id, path))
    return targets


def _roots(db: sqlite3.Connection) -> list[_Target]:
    return [
        _Target(rid, path) for rid, path in db.execute("SELECT id, path FROM roots ORDER BY id")
    ]


def scan(
    library: ScanDatabase,
    paths: Iterable[str | bytes] = (),
    *,
    full: bool = False,
    jobs: int | None = None,
    ignore: Iterable[str] = (),
    events: EventSink = ignore,
    cancel: CancelToken = NEVER,
    prefetched: Mapping[bytes, TargetReading] | None = None,
) -> ScanSummary:
    """Scan ``paths`` (registering them as roots), or every root when none are given.

    Setting ``cancel`` stops the scan at the next file with everything read so far
    committed (``summary.interrupted``); the next scan picks up from there.
    ``prefetched`` is reading already started for a folder of a new library (by the
    normalised path of the folder): it is used if the folder still has no tracks.
    """
    # the time of the whole scan: reading ahead (``prefetched``) began before this call
    started = min([time.perf_counter(), *(r.started for r in (prefetched or {}).values())])
    summary = ScanSummary()
    post = throttled(events)

    def report(phase: str, done: int, total: int | None) -> None:
        cancel.check()  # walks and reads call this between files: a safe point
        post(Progress(phase, done, total if phase != "walk" else None))

    patterns = tuple(ignore)
    with library.exclusive("scan"), rare_collections():
        db = library.connect()
        writer: _Writer | None = None
        try:
            wanted = [normalise_root(p) for p in paths]
            if wanted:
                targets = register_roots(db, wanted)
                db.commit()
            else:
                targets = _roots(db)
            # an interrupted or killed run may have committed tracks without grouping them
            row = db.execute("SELECT status FROM scan_runs ORDER BY id DESC LIMIT 1").fetchone()
            last: str | None = row[0] if row else None
            db.execute("UPDATE scan_runs SET status = 'interrupted' WHERE status = 'running'")
            run_id = db.execute(
                "INSERT INTO scan_runs (started_at, status, full, added, updated, missing, "
                "unchanged, errors) VALUES (?, 'running', ?, 0, 0, 0, 0, 0)",
                (sqlite_time(utcnow()), int(full)),
            ).lastrowid
            assert run_id is not None
            db.commit()
            summary.run_id = run_id
            deferred = defer_indexes(db)  # a first scan: they are built once, near its end
            failed = {path for (path,) in db.execute("SELECT path FROM scan_errors")}
            writer = _Writer(db, run_id, summary, post, connect=library.connect, failed=failed)
            writer.build_ahead = bool(deferred)
            _scan_all(writer, targets, last, full, jobs, patterns, report, prefetched)
            db = writer.db  # a fresh one after Ctrl-C
            summary.seconds = time.perf_counter() - started
            db.execute(
                "UPDATE scan_runs SET status = ?, finished_at = ?, added = ?, updated = ?, "
                "missing = ?, unchanged = ?, errors = ?, seconds = ?, notes = ? WHERE id = ?",
                (
                    "interrupted" if summary.interrupted else "complete",
                    sqlite_time(utcnow()),
                    summary.added,
                    summary.updated,
                    summary.missing,
                    summary.unchanged,
                    summary.errors,
                    summary.seconds,
                    "\n".join(summary.notes) or None,
                    run_id,
                ),
            )
            db.commit()
        finally:
            (writer.db if writer is not None else db).close()  # the fresh one after Ctrl-C
    return summary


def _scan_all(
    writer: _Writer,
    targets: list[_Target],
    last: str | None,
    full: bool,
    jobs: int | None,
    patterns: tuple[str, ...],
    report: ProgressCallback,
    prefetched: Mapping[bytes, TargetReading] | None,
) -> None:
    """Scan every target, then regroup the albums touched; a stop keeps what was read."""
    summary = writer.summary
    ahead = dict(prefetched or {})
    try:
        deferred = writer.build_ahead
        for n, target in enumerate(targets, 1):
            early = ahead.pop(target.path, None)
            writer.build_ahead = deferred and n == len(targets)  # not before the last target
            _scan_target(target, writer, full, jobs, patterns, report, summary, early)
        for unused in ahead.values():
            unused.close()
        writer.flush()
        _build_deferred_indexes(writer)  # the regroup looks tracks up by album key
        if last not in (None, "complete") or needs_full_regroup(writer.db):
            regroup_albums(writer.db)  # after a killed run, or in an upgraded library
        elif keys := (writer.keys | set(writer.not_regrouped)) - {None}:
            regroup_albums(writer.db, keys)  # (those the end-game regrouped are not here)
    except Cancelled:  # at a safe point: nothing is half-saved
        summary.interrupted = True
        writer.flush()
        _build_deferred_indexes(writer)  # (a Ctrl-C, below, leaves them to the next scan)
    except KeyboardInterrupt:
        summary.interrupted = True
        # the interrupted statement may have left its connection mid-transaction,
        # holding the write lock: drop it, then save what is buffered on a fresh one
        writer.reconnect()
        try:
            writer.flush_after_interrupt()
        except sqlite3.Error:
            writer.db.rollback()
            summary.notes.append(
                "the batch being saved when interrupted was lost; the next scan reads it again"
            )


def _end_game(writer: _Writer) -> Iterator[None]:
    """What a first scan does while its last files are read, one step a file (the readers'
    rows do not pile up meanwhile): build the deferred indexes, one a step, then regroup
    the albums of the tracks committed so far, ``BATCH`` albums a step. The regroup at the
    end then covers only the albums touched after (or not reached), and a regroup done
    here is done again there if more of the album's tracks came in since: a regroup
    depends only on the album's tracks in the library."""
    while True:
        writer.flush()  # the rows so far go in without the index; later ones, with it
        if not _build_deferred_indexes(writer, most=1):
            break
        yield
    writer.flush()  # so that every track of the albums taken here is in the library
    writer.not_regrouped = sorted(key for key in writer.keys if key is not None)
    writer.keys = set()
    while writer.not_regrouped:
        regroup_albums(writer.db, writer.not_regrouped[:BATCH])
        writer.commit()
        del writer.not_regrouped[:BATCH]
        yield


def _build_deferred_indexes(writer: _Writer, most: int | None = None) -> int:
    """Build (and commit) the deferred indexes, or the next ``most`` of them; how many."""
    built = restore_indexes(writer.db, most)
    if built:
        writer.commit()
    return built


def _scan_target(
    target: _Target,
    writer: _Writer,
    full: bool,
    jobs: int | None,
    ignore: tuple[str, ...],
    report: ProgressCallback,
    summary: ScanSummary,
    prefetched: TargetReading | None = None,
) -> None:
    db = writer.db
    stamps: dict[bytes, tuple[Stamp, bool]] = {}
    known: dict[bytes, tuple[int, str | None]] = {}  # path -> (track id, album key)
    for tid, path, size, mtime_ns, ctime_ns, missing, key in db.execute(
        "SELECT id, path, size, mtime_ns, ctime_ns, missing, album_key FROM tracks "
        "WHERE root_id = ?",
        (target.root_id,),
    ):
        if is_under(path, target.path):
            stamps[path] = ((size, mtime_ns, ctime_ns), bool(missing))
            known[path] = (tid, key)
    present = sum(1 for _, missing in stamps.values() if not missing)
    shown = display_path(target.path)
    failed = {
        path: (size, mtime_ns, ctime_ns)
        for path, size, mtime_ns, ctime_ns in db.execute(
            "SELECT path, size, mtime_ns, ctime_ns FROM scan_errors WHERE size IS NOT NULL"
        )
        if is_under(path, target.path)
    }
    if prefetched is not None and (stamps or failed):  # read ahead as if all were new: not so
        prefetched.close()
        prefetched = None
    if not os.path.isdir(target.path) and not os.path.isfile(target.path):
        summary.notes.append(
            f"root {shown} is missing or unmounted: left its {present} tracks alone"
        )
        return
    reading = prefetched or TargetReading(
        target.path, ignore, stamps, failed, full=full, jobs=jobs, report=report
    )
    done = 0
    end_game: Iterator[None] | None = None
    with reading:
        report("read", 0, reading.total)
        for result in reading.results():
            if result is None:  # nothing read for a moment: still walking, or a slow file
                if done:
                    report("read", done, reading.total)
                else:
                    report("walk", reading.found, 0)
                continue
            path, row, error = result
            if error is not None:
                writer.error(path, error[0], error[1], _stamp(path))
            else:
                assert row is not None
                old = known.get(path)
                writer.record(target.root_id, row, old[0] if old else None)
                if old is not None:
                    writer.keys.add(old[1])
            done += 1
            report("read", done, reading.total)
            total = reading.total
            if writer.build_ahead and total is not None and total - done <= total * BUILD_AHEAD:
                writer.build_ahead = False
                end_game = _end_game(writer)
            if end_game is not None and next(end_game, _OVER) is _OVER:
                end_game = None
    walk = reading.walk
    summary.skipped += walk.skipped
    for path, kind, message in walk.problems:
        writer.error(path, kind, message)
    writer.flush()
    if not reading.found and present:
        summary.notes.append(
            f"root {shown} looks empty (unmounted?): left its {present} tracks alone"
        )
        return
    if walk.unreadable:
        summary.notes.append(
            f"{len(walk.unreadable)} folder(s) under {shown} could not be read: "
            "their tracks were left alone (see mlib errors)"
        )
    summary.unchanged += reading.unchanged
    summary.errors += len(reading.still_failing)
    for start in range(0, len(reading.still_failing), BATCH):
        chunk = reading.still_failing[start : start + BATCH]
        db.execute(
            f"UPDATE scan_errors SET run_id = ? WHERE path IN ({marks(chunk)})",
            (writer.run_id, *chunk),
        )
    now = sqlite_time(utcnow())
    vanished = gone(stamps, reading.seen, walk.unreadable)
    if vanished:
        for start in range(0, len(vanished), BATCH):
            ids = [known[path][0] for path in vanished[start : start + BATCH]]
            db.execute(
                f"UPDATE tracks SET missing = 1, missing_since = ? WHERE id IN ({marks(ids)})",
                (now, *ids),
            )
        summary.missing += len(vanished)
        writer.keys.update(known[path][1] for path in vanished)
    # errors from earlier runs that this walk did not report again are stale (the file
    # was fixed, removed or restored unchanged), unless their folder could not be read
    stale = [
        eid
        for eid, path in db.execute(
            "SELECT id, path FROM scan_errors WHERE run_id IS NOT ?", (writer.run_id,)
        )
        if is_under(path, target.path) and not any(is_under(path, d) for d in walk.unreadable)
    ]
    for start in range(0, len(stale), BATCH):
        ids = stale[start : start + BATCH]
        db.execute(f"DELETE FROM scan_errors WHERE id IN ({marks(ids)})", tuple(ids))
    db.execute("UPDATE roots SET last_scan_at = ? WHERE id = ?", (now, target.root_id))
    writer.commit()


def _stamp(path: bytes) -> Stamp | None:
    """A failed file's stamp, taken when it failed, so later scans skip it while unchanged."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class _Writer:
    """Buffers results and commits them in batches (the scan's single writer).

    Rows arrive ready (``libtool.db.rows.scan_row``), so a batch is one ``executemany``
    on the driver, then one statement that adds the new rows to the FTS index, then the
    commit.

    Each row is stored with the id of its album (by album key), found once per key or
    made in the batch's transaction as a provisional album (``link_albums``), and the
    batch's albums are recounted: a reader sees albums while the scan runs, a kill
    leaves every committed track in an album, and the end-of-scan regroup (which sets
    the albums' fields by the rules) rewrites only the tracks whose album was wrong.
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        run_id: int,
        summary: ScanSummary,
        events: EventSink = ignore,
        *,
        connect: Callable[[], sqlite3.Connection],
        failed: set[bytes] | None = None,
    ) -> None:
        self.db = db
        self._connect = connect  # for a fresh connection after Ctrl-C
        self.events = events
        self.run_id = run_id
        self.summary = summary
        self.inserts: list[tuple[int, ScanRow]] = []  # (root_id, row)
        self.updates: list[tuple[ScanRow, int]] = []  # (row, track id)
        self.errors: dict[bytes, tuple[Any, ...]] = {}
        self.keys: set[str | None] = set()  # albums touched by this scan
        self.album_ids: dict[str, int] = {}  # album key -> album id, looked up or made
        self.uncommitted: list[str] = []  # keys of album_ids made in the open batch
        #: paths with a scan error on record: a file that now reads clears its error
        self.failed = failed if failed is not None else set()
        self.now = sqlite_time(utcnow())
        self.flushed_at = time.monotonic()
        #: start the end-game (``_end_game``) of a first scan when its last files are read
        self.build_ahead = False
        self.not_regrouped: list[str] = []  # album keys the end-game has yet to regroup

    def record(self, root_id: int, row: ScanRow, track_id: int | None) -> None:
        self.keys.add(row[ALBUM_KEY_AT])
        if track_id is None:
            self.inserts.append((root_id, row))
            self.summary.added += 1
        else:
            self.updates.append((row, track_id))
            self.summary.updated += 1
        self._maybe_flush()

    def error(self, path: bytes, kind: str, message: str, stamp: Stamp | None = None) -> None:
        """Record why ``path`` failed; its ``stamp`` lets later scans skip it while unchanged."""
        size, mtime_ns, ctime_ns = stamp or (None, None, None)
        self.errors[path] = (
            path,
            display_path(path),
            kind,
            message,
            self.run_id,
            sqlite_time(utcnow()),
            size,
            mtime_ns,
            ctime_ns,
        )
        self.failed.add(path)
        self.summary.errors += 1
        self.events(FileOutcome(None, display_path(path), False, kind, message))
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        held = len(self.inserts) + len(self.updates) + len(self.errors)
        if held >= BATCH_MOST or (
            held >= BATCH and time.monotonic() - self.flushed_at >= FLUSH_SECONDS
        ):
            self.flush()

    def commit(self) -> None:
        self.db.commit()

    def reconnect(self) -> None:
        """Drop what the connection had not committed by closing it for a fresh one (a
        statement interrupted mid-way may have left it unusable)."""
        fresh = self._connect()
        old, self.db = self.db, fresh
        old.close()

    def flush_after_interrupt(self) -> None:
        """Write what is buffered after Ctrl-C, which may have landed mid-flush: the
        batch may be uncommitted (rolled back here) or committed (its inserts are dropped)."""
        self.db.rollback()
        for key in self.uncommitted:  # rolled back, or committed: looked up again
            self.album_ids.pop(key, None)
        self.uncommitted = []
        if self.inserts:
            paths = [row[PATH_AT] for _, row in self.inserts]
            done: set[bytes] = set()
            for start in range(0, len(paths), BATCH):
                chunk = paths[start : start + BATCH]
                done.update(
                    p
                    for (p,) in self.db.execute(
                        f"SELECT path FROM tracks WHERE path IN ({marks(chunk)})", tuple(chunk)
                    )
                )
            self.inserts = [(root, row) for root, row in self.inserts if row[PATH_AT] not in done]
        self.flush()

    def flush(self) -> None:
        if not (self.inserts or self.updates or self.errors):
            return
        db = self.db
        ids = self._link_albums(db)
        now = self.now
        rows = [(ids.get(row[ALBUM_KEY_AT]), root, now, now, *row) for root, row in self.inserts]
        touched = set(r[0] for r in rows)
        if rows:
            after = last_track_id(db)
            db.executemany(INSERT_TRACKS, rows)
            del rows
            index_new_tracks(db, after)
        if self.updates:
            for start in range(0, len(self.updates), BATCH):  # the albums they may leave
                tids = [tid for _, tid in self.updates[start : start + BATCH]]
                touched.update(
                    aid
                    for (aid,) in db.execute(
                        f"SELECT DISTINCT album_id FROM tracks WHERE id IN ({marks(tids)})",
                        tuple(tids),
                    )
                )
            changed = [(ids.get(row[ALBUM_KEY_AT]), now, *row, tid) for row, tid in self.updates]
            touched.update(r[0] for r in changed)
            db.executemany(UPDATE_TRACKS, changed)
        count_tracks(db, (aid for aid in touched if aid is not None))
        if self.failed:  # files that read now, after failing before, lose their error
            done = [row[PATH_AT] for _, row in self.inserts]
            done += [row[PATH_AT] for row, _ in self.updates]
            cleared = [p for p in done if p in self.failed]
            self._delete_errors(cleared)
        if self.errors:
            self._delete_errors(list(self.errors))
            db.executemany(
                "INSERT INTO scan_errors (path, path_text, kind, message, run_id, at, size, "
                "mtime_ns, ctime_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                list(self.errors.values()),
            )
        self.commit()
        self.uncommitted = []
        ids = self.album_ids
        if len(ids) > ALBUM_IDS_KEPT:  # down to the latest half of that: a later track of
            for key in list(itertools.islice(ids, len(ids) - ALBUM_IDS_KEPT // 2)):
                del ids[key]  # an album dropped here looks its id up again
        self.inserts, self.updates, self.errors = [], [], {}
        self.now = sqlite_time(utcnow())
        self.flushed_at = time.monotonic()

    def _delete_errors(self, paths: list[bytes]) -> None:
        for start in range(0, len(paths), BATCH):
            chunk = paths[start : start + BATCH]
            self.db.execute(f"DELETE FROM scan_errors WHERE path IN ({marks(chunk)})", tuple(chunk))

    def _link_albums(self, db: sqlite3.Connection) -> dict[str, int]:
        """Album key -> album id for every row of the batch (``album_ids``, completed)."""
        ids = self.album_ids
        firsts: dict[str, FirstTrack] = {}
        updated = (row for row, _ in self.updates)
        inserted = (row for _, row in self.inserts)
        for row in itertools.chain(updated, inserted):  # the older tracks first
            key = row[ALBUM_KEY_AT]
            if key is not None and key not in ids and key not in firsts:
                firsts[key] = (
                    row[PATH_AT],
                    row[_ALBUM_AT],
                    row[_ALBUMARTIST_AT] or row[_ARTIST_AT] or None,
                    row[_MB_ALBUMID_AT],
                    row[_YEAR_AT] or None,
                )
        if firsts:
            found = link_albums(db, firsts)
            ids.update(found)
            self.uncommitted += found
        return ids


_ALBUM_AT, _ALBUMARTIST_AT, _ARTIST_AT, _MB_ALBUMID_AT, _YEAR_AT = map(
    ROW_COLUMNS.index, ("album", "albumartist", "artist", "mb_albumid", "year")
)
