"""A new library's one-script schema is exactly the schema the migrations build."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from libtool.db import SCHEMA_HEAD, fresh_schema
from libtool.db.fresh import create_fresh
from libtool.db.session import alembic_migrate_only, make_engine, open_library


def _schema(path: Path) -> tuple[list[tuple[str, str, str, str | None]], list[tuple[str, ...]]]:
    with sqlite3.connect(path) as conn:
        master = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    return master, version


def test_stored_script_is_at_schema_head() -> None:
    # after a new migration: python -m libtool.db.fresh (else new libraries use Alembic)
    assert fresh_schema.REVISION == SCHEMA_HEAD


def test_fresh_library_matches_the_migrations(tmp_path: Path) -> None:
    migrated = tmp_path / "migrated.db"
    engine = make_engine(f"sqlite:///{migrated}")
    alembic_migrate_only(engine)
    engine.dispose()
    fresh = tmp_path / "fresh.db"
    open_library(str(fresh)).close()

    assert _schema(fresh) == _schema(migrated)
    assert _schema(fresh)[1] == [(SCHEMA_HEAD,)]


def test_a_database_with_tables_is_left_to_alembic(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE unrelated (x)")
    with sqlite3.connect(path, isolation_level=None) as conn:
        assert create_fresh(conn) is False
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("unrelated",)]
