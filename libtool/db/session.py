"""Open the library: engine, SQLite pragmas, and Alembic migrations to head.

Every command goes through ``open_library``, so a database made by an older
libtool is upgraded before it is used and a new one is created on first use.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from libtool.db import SCHEMA_HEAD
from libtool.db.connection import (
    apply_pragmas,
    connect,
    create_if_empty,
    exclusive,
    library_path,
    make_private,
)
from libtool.errors import DatabaseError
from libtool.events import NEVER, Cancelled, CancelToken


def database_url(target: str, *, create_folder: bool = True) -> URL:
    """A SQLAlchemy URL from a plain file path or a URL.

    A path becomes a URL object, not text, so '%41' or '?' in a file name stay literal.
    """
    if "://" in target:
        try:
            return make_url(target)
        except ArgumentError as exc:
            raise DatabaseError(f"not a database URL: {target}") from exc
    return URL.create("sqlite", database=str(library_path(target, create_folder=create_folder)))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    apply_pragmas(dbapi_conn)


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
    raw = engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        return create_if_empty(conn)
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
        if conn.dialect.name == "sqlite":  # migrations expect every index in place
            from libtool.db.bulk import restore_indexes

            restore_indexes(cast(Any, conn.connection.driver_connection))
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

    @property
    def file(self) -> str | None:
        """The SQLite file the library is in (None: another database, or one in memory)."""
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
            return None
        return database

    def exclusive(self, what: str) -> AbstractContextManager[None]:
        """One scan, write, undo or move at a time on this library (SQLite files only)."""
        return nullcontext() if self.file is None else exclusive(self.file, what)

    def connect(self) -> sqlite3.Connection:
        """A connection of its own on the driver, for the scanner (SQLite files only)."""
        if self.file is None:
            raise DatabaseError("scanning needs a library in a SQLite file")
        return connect(self.file)


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
        make_private(url.database)
    return Library(engine, sessionmaker(engine, expire_on_commit=False))
