"""Open the library: engine, SQLite pragmas, and Alembic migrations to head.

Every command goes through ``open_library``, so a database made by an older
libtool is upgraded before it is used and a new one is created on first use.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from libtool.db import SCHEMA_HEAD
from libtool.db.fold import fold
from libtool.errors import DatabaseError
from libtool.events import NEVER, Cancelled, CancelToken

BUSY_TIMEOUT_MS = 10_000
WAL_CHECKPOINT_PAGES = 10_000

# The sqlite3 module binds an int, float, str or bytearray directly, but anything else,
# None included, goes through its adapter lookup first, which for a type with no adapter
# tries two attribute lookups before giving up. A scan's row has about 30 NULLs in its 63
# columns, so that lookup was half the cost of inserting it. An adapter for None (that
# answers None, bound as NULL just as before) is found at once; ``{}.get`` is a C function
# that answers None for None. Measured: 32 -> 16 us per row inserted.
sqlite3.register_adapter(type(None), cast("Callable[[None], None]", {}.get))


def database_url(target: str, *, create_folder: bool = True) -> URL:
    """A SQLAlchemy URL from a plain file path or a URL.

    A path becomes a URL object, not text, so '%41' or '?' in a file name stay literal.
    """
    if "://" in target:
        try:
            return make_url(target)
        except ArgumentError as exc:
            raise DatabaseError(f"not a database URL: {target}") from exc
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
    return URL.create("sqlite", database=str(path))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.create_function("mlib_fold", 1, fold, deterministic=True)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    # checkpoint (copy the WAL into the database) every ~40 MB instead of every 4 MB: a bulk
    # scan rewrites the same index pages batch after batch, and each checkpoint wrote them
    # all back and synced (0.3 CPU-s and seconds of I/O in a 100,000-file scan). Committed
    # transactions are in the WAL either way, so a kill loses nothing more.
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cur.close()


def make_engine(url: str | URL) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrations_dir() -> Path:
    """Where the Alembic scripts are: inside the installed package, or the repo's migrations/."""
    try:
        return Path(str(resources.files("libtool.migrations")))
    except ModuleNotFoundError:  # running from a source tree that was never installed
        return Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser syntax
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            return None


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest schema (a no-op when it is current).

    An empty SQLite database gets the whole schema in one script (``libtool.db.fresh``).
    """
    if current_revision(engine) == SCHEMA_HEAD:
        return
    if engine.dialect.name == "sqlite" and _create_if_empty(engine):
        return
    alembic_migrate_only(engine)


def _create_if_empty(engine: Engine) -> bool:
    import sqlite3

    from libtool.db.fresh import create_fresh

    raw = engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return False
        return create_fresh(conn)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot create the library database: {exc}") from exc
    finally:
        raw.close()


def alembic_migrate_only(engine: Engine) -> None:
    """Upgrade with Alembic, migration by migration (never the fresh-library script)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.begin() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def cancellable(connection: Connection, cancel: CancelToken) -> Iterator[None]:
    """Statements run inside stop with ``Cancelled`` soon after ``cancel`` is set: SQLite
    asks a progress handler every few thousand steps, so even one long query ends early.
    Other databases run the statements to the end."""
    raw: Any = connection.connection.driver_connection
    if cancel is NEVER or not hasattr(raw, "set_progress_handler"):
        yield
        return
    raw.set_progress_handler(lambda: 1 if cancel.cancelled else 0, 5000)
    try:
        yield
    except OperationalError as exc:
        if cancel.cancelled:
            raise Cancelled from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)


@dataclass
class Library:
    """An open library database."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def exclusive(self, what: str) -> Iterator[None]:
        """One scan, write, undo or move at a time on this library (SQLite files only).

        A lock file beside the database, never a second descriptor on the database
        itself: closing one would drop SQLite's own POSIX locks.
        """
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
            yield
            return
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


def open_library(target: str, *, upgrade: bool = True, create_folder: bool = True) -> Library:
    """Open (creating and migrating if needed) the library at a path or URL.

    ``create_folder=False``: a missing folder is an error (a mistyped ``--db``), not a
    reason to start a new, empty library somewhere unexpected.
    """
    url = database_url(target, create_folder=create_folder)
    try:
        engine = make_engine(url)
    except (ImportError, ArgumentError) as exc:  # e.g. a postgresql:// URL without its driver
        raise DatabaseError(f"cannot use the database {target}: {exc}") from exc
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        if upgrade:
            migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = getattr(exc, "orig", None) or exc
        raise DatabaseError(f"cannot open the library database {target}: {reason}") from exc
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        _private(url.database)
    return Library(engine, sessionmaker(engine, expire_on_commit=False))


def _private(path: str) -> None:
    """The library lists a person's files: keep it readable by its owner only."""
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass
