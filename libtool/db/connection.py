"""A library file on the plain ``sqlite3`` driver: the path rules, pragmas, lock and schema check.

The scanner writes through this alone, so a scan never imports SQLAlchemy: importing it
cost about 0.3-0.6 CPU-s a command, as much as reading 1,000 files. ``libtool.db.session``
opens the same file the same way (it shares these helpers) for everything else.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

from libtool.db import SCHEMA_HEAD
from libtool.db.fold import fold
from libtool.errors import DatabaseError

BUSY_TIMEOUT_MS = 10_000
#: The page size of a new library file (SQLite's default is 4 KiB). A scan's row takes
#: about 650 bytes, so a 4 KiB page holds six, and a 100,000-file first scan made 361,115
#: page reads and 228,439 page writes, each a system call. With 16 KiB pages its writer
#: took 2.75-2.86 CPU-s instead of 3.18-3.27 (benchmarks/RESULTS.md). An existing
#: library keeps the size it was made with.
PAGE_SIZE = 16_384
#: How much the WAL may grow before it is copied into the database (a checkpoint).
WAL_CHECKPOINT_BYTES = 40 << 20

# The sqlite3 module binds an int, float, str or bytearray directly, but anything else,
# None included, goes through its adapter lookup first, which for a type with no adapter
# tries two attribute lookups before giving up. A scan's row has about 30 NULLs in its 63
# columns, so that lookup was half the cost of inserting it. An adapter for None (that
# answers None, bound as NULL just as before) is found at once; ``{}.get`` is a C function
# that answers None for None. Measured: 32 -> 16 us per row inserted.
sqlite3.register_adapter(type(None), cast("Callable[[None], None]", {}.get))


class ScanDatabase(Protocol):
    """What the scanner needs of a library: its own connection, and the library's lock."""

    def connect(self) -> sqlite3.Connection: ...

    def exclusive(self, what: str) -> AbstractContextManager[None]: ...

    def close(self) -> None: ...


def marks(values: list[Any] | tuple[Any, ...]) -> str:
    """The ``?, ?, ...`` of an ``IN (...)`` or ``VALUES (...)`` list of ``values``."""
    return ", ".join("?" * len(values))


def utcnow() -> datetime:
    return datetime.now(UTC)


def sqlite_time(moment: datetime) -> str:
    """A time as SQLAlchemy's SQLite DateTime stores it (UTC, no zone suffix)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def library_path(target: str, *, create_folder: bool = True) -> Path:
    """The absolute path of a library file, its folder made (``create_folder``) or checked."""
    path = Path(target).expanduser().absolute()
    if path.is_dir():
        raise DatabaseError(f"database path is a directory: {path}")
    if not create_folder and not path.parent.is_dir():
        raise DatabaseError(f"no such folder for the database: {path.parent}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"cannot create the database folder {path.parent}: {exc.strerror}"
        ) from exc
    return path


def apply_pragmas(conn: sqlite3.Connection) -> None:
    """The settings every connection to a library uses, and the ``mlib_fold`` function."""
    conn.create_function("mlib_fold", 1, fold, deterministic=True)
    cur = conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only a new, empty file takes it: first
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    # checkpoint (copy the WAL into the database) every ~40 MB instead of SQLite's 1,000
    # pages (4 MB at 4 KiB pages): a bulk scan rewrites the same index pages batch after
    # batch, and each checkpoint wrote them all back and synced (0.3 CPU-s and seconds of
    # I/O in a 100,000-file scan). Committed transactions are in the WAL either way, so a
    # kill loses nothing more.
    page_size = cur.execute("PRAGMA page_size").fetchone()[0]
    pages = max(1000, WAL_CHECKPOINT_BYTES // page_size)  # (1,000: SQLite's default)
    cur.execute(f"PRAGMA wal_autocheckpoint={pages}")
    cur.close()


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A connection to the library file at ``path`` with the library's pragmas."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        apply_pragmas(conn)
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def exclusive(database: str, what: str) -> Iterator[None]:
    """One scan, write, undo or move at a time on the library file ``database``.

    A lock file beside the database, never a second descriptor on the database
    itself: closing one would drop SQLite's own POSIX locks.
    """
    try:
        import fcntl
    except ImportError:  # no flock (Windows): SQLite's own locking still applies
        yield
        return
    with open(f"{database}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise DatabaseError(
                f"another mlib command is changing this library; try the {what} again "
                "when it has finished"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def make_private(path: str) -> None:
    """The library lists a person's files: keep it readable by its owner only."""
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass


class LibraryFile:
    """A library file opened for scanning, at ``SCHEMA_HEAD``: a ``ScanDatabase``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def connect(self) -> sqlite3.Connection:
        return connect(self.path)

    def exclusive(self, what: str) -> AbstractContextManager[None]:
        return exclusive(str(self.path), what)

    def close(self) -> None:
        """Nothing stays open between connections; here for the front ends' symmetry."""


def open_library_file(target: str, *, create_folder: bool = True) -> LibraryFile:
    """Open (creating or upgrading if needed) the library file at the path ``target``.

    A current library, or a new one (the schema in one script, ``libtool.db.fresh``), opens
    without SQLAlchemy; an older one is upgraded by ``libtool.db.session``'s migrations.
    """
    path = library_path(target, create_folder=create_folder)
    try:
        conn = connect(path)
        try:
            ready = _revision(conn) == SCHEMA_HEAD or create_if_empty(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open the library database {target}: {exc}") from exc
    if not ready:
        from libtool.db.session import open_library

        open_library(str(path), create_folder=create_folder).close()  # migrates, or says why
    make_private(str(path))
    return LibraryFile(path)


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: new, or not a library
        return None
    return None if row is None else str(row[0])


def create_if_empty(conn: sqlite3.Connection) -> bool:
    """Give an empty database the whole schema (``libtool.db.fresh``); False if not empty."""
    from libtool.db.fresh import create_fresh

    try:
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return False
        return create_fresh(conn)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot create the library database: {exc}") from exc
