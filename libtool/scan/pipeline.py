"""The reading side of a scan: walk a target, decide what to read, read it in reader
processes, and hand the results to the writer as they come.

The walk feeds the readers as it goes (a big first scan starts reading at its first
folder, not after listing every file) and runs ahead of them in a thread of its own, so
the number of files to read is known long before the last is read (the writer builds a
first scan's indexes while the last files are read). A background thread keeps the
readers fed and drained while the writer commits. Nothing here imports SQLAlchemy, so a
first scan of a new library starts reading before the database modules are even loaded
(``libtool.service.scanning``).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING

from libtool.db.rows import ScanRow, scan_row
from libtool.scan.readers import DEPTH, NOT_YET, ReaderPool
from libtool.scan.walk import (
    AUDIO_EXTENSIONS,
    TO_READ,
    UNCHANGED,
    ProgressCallback,
    Stamp,
    Walk,
    decide,
    iter_walk,
)
from libtool.tags.read import ReadError, read_track

if TYPE_CHECKING:  # ForkContext does not exist on Windows
    from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext

IN_PROCESS_BELOW = 48  # fewer files than this are read without starting readers
CHUNK = 32  # paths a reader reads per message, at most
BUFFERED = 256  # result lists (of up to CHUNK rows) held for a busy writer: bounded memory
TICK = 0.1  # seconds the writer waits for results before it may report progress
WALK_WAIT = 0.05  # seconds the walk waits for the readers when it is far enough ahead
WALK_JOIN = 2.0  # seconds closing waits for the walk to stop (a hung mount: left to it)
#: Paths the walk may hold for the readers (about 100 bytes each). A first scan's indexes are built
#: when 7% of its files are left to read, so up to ~290,000 files the total is known by
#: then; beyond, they are built with 20,480 files left.
WALK_AHEAD = 20_480

#: What a reader hands the writer for one file: its path, and the row its TrackRecord makes
#: or why it could not be read (kind, message).
ReadResult = tuple[bytes, ScanRow | None, tuple[str, str] | None]


def read_one(path: bytes) -> ReadResult:
    """Read one file (in a reader) and build its row there, in the form the writer inserts."""
    try:
        return path, scan_row(path, read_track(path)), None
    except ReadError as exc:
        return path, None, (exc.kind, exc.message)
    except Exception as exc:  # a bug in one file's parser must not stop a scan
        return path, None, ("error", f"{type(exc).__name__}: {exc}")


def _died(path: bytes, why: str) -> ReadResult:
    return path, None, ("error", why)


def pool_context() -> ForkContext | ForkServerContext | SpawnContext:
    """How to start readers. ``fork`` is the fastest start (no re-import) but is unsafe
    once other threads run (a TUI, a progress bar, this module's own feeding thread when a
    reader is replaced): a forked child can inherit a lock some other thread held. Then
    ``forkserver`` (or ``spawn`` where that is missing) starts clean readers instead."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])  # import mutagen once, not per reader
        return ctx
    return multiprocessing.get_context("spawn")


_END = object()


class _Stopped(Exception):
    """Raised inside the walk when its reading was closed: the walk ends quietly."""


class TargetReading:
    """Walk ``top``, and read every file that ``decide`` says to read, in the background.

    ``known`` maps the library's tracks under ``top`` to (stamp, missing), ``failed`` its
    failed files to their stamps. Iterate ``results()`` for what was read; when it ends
    the walk is complete and ``walk``, ``found``, ``unchanged``, ``still_failing`` and
    ``seen`` (the known paths the walk found) describe it. Use it as a context manager:
    leaving it early (an error, a cancel, Ctrl-C) stops the walk and the readers at once.
    ``report`` is called (in the calling thread) while the first files are looked for.
    """

    def __init__(
        self,
        top: bytes,
        ignore: tuple[str, ...] = (),
        known: Mapping[bytes, tuple[Stamp, bool]] | None = None,
        failed: Mapping[bytes, Stamp] | None = None,
        *,
        full: bool = False,
        jobs: int | None = None,
        report: ProgressCallback | None = None,
    ) -> None:
        self.top = top
        self.started = time.perf_counter()  # a scan's reported time counts a read-ahead too
        self.walk = Walk()
        self.found = 0  # audio files the walk found
        self.queued = 0  # of which to be read
        self.unchanged = 0
        self.still_failing: list[bytes] = []
        self.seen: set[bytes] = set()
        self.walk_done = False
        self._known = known or {}
        self._failed = failed or {}
        self._full = full
        self._ignore = ignore
        self._stop = threading.Event()
        self._queue: queue.Queue[object] = queue.Queue(maxsize=BUFFERED)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._walker: threading.Thread | None = None
        self._walked: deque[bytes] = deque()  # found by the walk's thread, not yet fed
        self._walk_over = False
        self._walk_error: BaseException | None = None
        self._in_process: Iterator[bytes] | None = None

        jobs = jobs or os.cpu_count() or 1
        source = self._to_read(report)
        first = list(itertools.islice(source, max(IN_PROCESS_BELOW, jobs * DEPTH * CHUNK)))
        if jobs <= 1 or (self.walk_done and len(first) < IN_PROCESS_BELOW):
            self._in_process = itertools.chain(first, source)
            return
        chunksize = CHUNK if not self.walk_done else max(1, min(CHUNK, len(first) // (jobs * 8)))
        pool = ReaderPool(pool_context, jobs, read_one, _died)  # forked here, before the threads
        if not self.walk_done:
            self._walker = threading.Thread(
                target=self._walk_ahead, args=(source,), name="mlib-walk", daemon=True
            )
            self._walker.start()
            source = self._walked_paths()
        self._thread = threading.Thread(
            target=self._pump,
            args=(pool, itertools.chain(first, source), chunksize),
            name="mlib-readers",
            daemon=True,
        )
        self._thread.start()

    @property
    def total(self) -> int | None:
        """How many files are to be read: None until the walk is complete."""
        return self.queued if self.walk_done else None

    def _to_read(self, report: ProgressCallback | None) -> Iterator[bytes]:
        """The walk, classified as it goes; runs in the calling thread until the first
        files are found, then in the feeding thread."""
        known, failed, full = self._known, self._failed, self._full
        owner = threading.get_ident()

        def progress(phase: str, done: int, total: int | None) -> None:
            if self._stop.is_set():  # called once a folder: a walk that finds no audio
                raise _Stopped  # for a while still stops soon
            if report is not None and threading.get_ident() == owner:
                report(phase, done, total)  # the feeding thread never reports (or cancels)

        stamps = bool(known or failed) and not full  # else every file is read: no need
        for path, stamp in _walk_target(self.top, self.walk, self._ignore, progress, stamps):
            if self._stop.is_set():
                return
            self.found += 1
            if path in known:
                self.seen.add(path)
            verdict = decide(path, stamp, known, failed, full)
            if verdict is TO_READ:
                self.queued += 1
                yield path
            elif verdict is UNCHANGED:
                self.unchanged += 1
            else:
                self.still_failing.append(path)
        self.walk_done = True

    def _walk_ahead(self, source: Iterator[bytes]) -> None:
        """The walk's thread: hand each path to read on as it is found, at most
        ``WALK_AHEAD`` ahead of the readers."""
        paths, stop = self._walked, self._stop
        try:
            for path in source:
                while len(paths) >= WALK_AHEAD and not stop.wait(WALK_WAIT):
                    pass  # far enough ahead: the readers catch up
                paths.append(path)
        except _Stopped:
            pass
        except BaseException as exc:  # raised in the feeding thread, then the writer's
            self._walk_error = exc
        finally:
            self._walk_over = True

    def _walked_paths(self) -> Iterator[bytes]:
        """The walk's paths, in the feeding thread, as the walk's thread finds them, and
        ``NOT_YET`` while it finds none (a slow folder): the readers' work is collected."""
        paths, stop = self._walked, self._stop
        while not stop.is_set():
            if paths:
                yield paths.popleft()
            elif self._walk_over:
                if not paths:  # (it may have added its last path just before ending)
                    break
            else:
                yield NOT_YET
        if self._walk_error is not None:
            raise self._walk_error

    def _pump(self, pool: ReaderPool, paths: Iterator[bytes], chunksize: int) -> None:
        """The feeding thread: keep the readers busy, and queue what they read."""
        batches = pool.batches(paths, chunksize)
        try:
            for batch in batches:
                while not self._stop.is_set():
                    try:
                        self._queue.put(batch, timeout=TICK)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    break
        except BaseException as exc:  # handed to the writer's thread, which raises it
            self._error = exc
        finally:
            batches.close()  # stops and reaps the readers if they are not done
            self._put_end()

    def _put_end(self) -> None:
        while True:
            try:
                self._queue.put(_END, timeout=TICK)
                return
            except queue.Full:
                if self._stop.is_set():
                    self._drain()

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass

    def results(self) -> Iterator[ReadResult | None]:
        """What was read, as it comes; None now and then while nothing has come (a chance
        to report progress, or to be cancelled)."""
        if self._in_process is not None:
            for path in self._in_process:
                yield read_one(path)
            return
        while True:
            try:
                item = self._queue.get(timeout=TICK)
            except queue.Empty:
                yield None
                continue
            if item is _END:
                break
            yield from item  # type: ignore[misc]  # a list of ReadResult
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Stop the walk and the readers (if still going) and wait for them."""
        self._stop.set()
        if self._thread is not None:
            while self._thread.is_alive():
                self._drain()  # a feeding thread blocked on a full queue moves on
                self._thread.join(TICK)
            self._drain()
        if self._walker is not None:
            self._walker.join(WALK_JOIN)  # it stops at its next file or folder

    def __enter__(self) -> TargetReading:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _walk_target(
    top: bytes, walk: Walk, ignore: tuple[str, ...], report: ProgressCallback, stamps: bool
) -> Iterator[tuple[bytes, Stamp]]:
    """The files of a folder, or a single named file (``mlib scan FILE``: read even if
    hidden or ignored)."""
    if os.path.isdir(top):
        return iter_walk(top, walk, ignore, report, stamps=stamps)
    return _one_file(top, walk)


def _one_file(path: bytes, walk: Walk) -> Iterator[tuple[bytes, Stamp]]:
    if os.path.splitext(path)[1].lower() not in AUDIO_EXTENSIONS:
        walk.skipped = 1
        return
    st = os.stat(path)
    yield path, (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
