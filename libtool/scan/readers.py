"""The scan's reader processes: a small pool fed and drained by the calling thread alone.

``multiprocessing.Pool`` runs three helper threads in the parent. Its worker-watching
thread waits on the results pipe too, so while results wait to be unpickled by the
result thread it wakes again and again: measured here, 13,000 loops in 2 s for 20,000
files, and 3.6 CPU-seconds of the parent's helper threads in a 100,000-file scan,
competing for the GIL with the writer. This pool has no threads. Each reader has one
pipe; the caller keeps ``DEPTH`` chunks of paths queued per reader and reads results
when it wants them, so a slow writer simply leaves readers blocked on a full pipe
(memory stays bounded), and a reader that dies is noticed, replaced, and its chunks
read again one file at a time, so only the file that killed it is reported.
"""

from __future__ import annotations

import gc
import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

DEPTH = 8  # chunks queued per reader: enough to keep it busy while the writer commits
#: What a source of paths may yield when it has none yet but is not done (a walk listing
#: a slow folder): the readers' finished work is collected meanwhile.
NOT_YET = b""
IDLE_WAIT = 0.005  # seconds between asks of such a source when no reader has work


class StartMethod(Protocol):
    """What a multiprocessing context (fork, forkserver or spawn) offers that we use."""

    def Process(
        self, *, target: Callable[..., Any], args: tuple[Any, ...], daemon: bool
    ) -> BaseProcess: ...
    def Pipe(self, duplex: bool = True) -> tuple[Connection, Connection]: ...


def _serve(conn: Connection, read: Callable[[bytes], Any]) -> None:
    """A reader: chunks of paths in, lists of results out, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        conn.send([read(path) for path in chunk])


class _Reader:
    def __init__(self, ctx: StartMethod, read: Callable[[bytes], Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, read), daemon=True)
        self.process.start()
        child.close()
        self.queued: deque[list[bytes]] = deque()


class ReaderPool:
    """``jobs`` reader processes, started (forked) at once by the calling thread.

    ``start_method`` is asked again for each replacement of a reader that died: by then
    other threads may run, and it can choose a start method that is safe with threads.
    """

    def __init__(
        self,
        start_method: Callable[[], StartMethod],
        jobs: int,
        read: Callable[[bytes], Any],
        died: Callable[[bytes, str], Any],
    ) -> None:
        self._start_method = start_method
        self._read = read
        self._died = died
        ctx = start_method()
        gc.freeze()  # forked readers inherit every object here: keep the collector's first
        try:  # pass in them from touching (and copying) all their pages
            self._readers = [_Reader(ctx, read) for _ in range(jobs)]
        finally:
            gc.unfreeze()

    def results(self, paths: Iterable[bytes], chunksize: int) -> Iterator[Any]:
        """``read(path)`` for every path, in no particular order (once per pool)."""
        for batch in self.batches(paths, chunksize):
            yield from batch

    def batches(self, paths: Iterable[bytes], chunksize: int) -> Generator[list[Any], None, None]:
        """``read(path)`` for every path, a reader's chunk at a time (once per pool).

        A path whose reader died while reading it alone yields ``died(path, reason)``.
        ``paths`` may yield ``NOT_YET`` (no path for now). Closing the iterator (or an
        exception in the caller) stops the readers at once.
        """
        readers = self._readers
        source = iter(paths)
        retry: deque[list[bytes]] = deque()  # chunks of a dead reader, split into single paths
        exhausted = False

        def next_chunk() -> list[bytes] | None:
            """Up to ``chunksize`` paths; [] when the source has none yet, None when done."""
            nonlocal exhausted
            if retry:
                return retry.popleft()
            chunk: list[bytes] = []
            for path in source:
                if not path:  # NOT_YET
                    return chunk
                chunk.append(path)
                if len(chunk) == chunksize:
                    return chunk
            exhausted = True
            return chunk or None

        try:
            while True:
                for reader in readers:
                    _fill(reader, next_chunk)
                busy = [r for r in readers if r.queued]
                if not busy:
                    if exhausted and not retry:
                        break
                    time.sleep(IDLE_WAIT)  # the source has nothing yet, nor a reader work
                    continue
                for ready in wait([r.conn for r in busy]):
                    reader = next(r for r in busy if r.conn is ready)
                    try:
                        results = reader.conn.recv()
                    except (EOFError, OSError):
                        lost = list(reader.queued)
                        reason = _death(reader)
                        dead, reader = reader, _Reader(self._start_method(), self._read)
                        readers[readers.index(dead)] = reader
                        if len(lost[0]) == 1:  # the file read alone killed it
                            yield [self._died(lost[0][0], reason)]
                            lost = lost[1:]
                        retry.extendleft([p] for chunk in reversed(lost) for p in reversed(chunk))
                    else:
                        reader.queued.popleft()
                        yield results
                    _fill(reader, next_chunk)
            for reader in readers:
                reader.conn.send(None)  # done: each reader exits on its own
        except BaseException:  # Ctrl-C, a cancel, a failing caller: stop reading at once
            self.terminate()
            raise
        finally:
            self.close()

    def terminate(self) -> None:
        for reader in self._readers:
            reader.process.terminate()

    def close(self) -> None:
        """Wait for the readers to end (after ``results`` is done, or ``terminate``)."""
        for reader in self._readers:
            reader.process.join()
            reader.conn.close()


def read_in_processes(
    ctx: StartMethod,
    jobs: int,
    read: Callable[[bytes], Any],
    paths: Iterable[bytes],
    chunksize: int,
    died: Callable[[bytes, str], Any],
) -> Iterator[Any]:
    """``read(path)`` for every path, in ``jobs`` processes started with ``ctx``."""
    yield from ReaderPool(lambda: ctx, jobs, read, died).results(paths, chunksize)


def _fill(reader: _Reader, next_chunk: Callable[[], list[bytes] | None]) -> None:
    while len(reader.queued) < DEPTH and (chunk := next_chunk()):
        reader.queued.append(chunk)
        try:
            reader.conn.send(chunk)
        except OSError:  # it died: the next wait() sees its pipe closed, and reads it again
            return


def _death(reader: _Reader) -> str:
    reader.process.join(5)
    code = reader.process.exitcode
    reader.conn.close()
    if code is not None and code < 0:
        try:
            return f"the reader process was killed by {signal.Signals(-code).name} reading it"
        except ValueError:
            pass
    return f"the reader process died reading it (exit status {code})"
