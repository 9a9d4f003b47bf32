"""The Alembic migrations and the ORM models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from libtool.db.models import Base
from libtool.db.session import alembic_config, migrations_dir, open_library


def test_models_and_migrations_agree(library) -> None:  # type: ignore[no-untyped-def]
    with library.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, *a: (
                    not (type_ == "table" and name.startswith("tracks_fts"))
                ),
            },
        )
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_database_is_at_head_with_wal_and_foreign_keys(library) -> None:  # type: ignore[no-untyped-def]
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with library.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() > 0
        assert "tracks_fts" in inspect(conn).get_table_names()


def test_downgrade_to_base_and_upgrade_again(db_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    lib = open_library(str(db_path))
    cfg = alembic_config(lib.engine)
    command.downgrade(cfg, "base")
    with lib.engine.connect() as conn:
        assert "tracks" not in inspect(conn).get_table_names()
    lib.close()
    lib = open_library(str(db_path))  # opening migrates to head again
    with lib.engine.connect() as conn:
        assert "tracks" in inspect(conn).get_table_names()
    lib.close()


def test_schema_head_constant_matches_the_scripts() -> None:
    from libtool.db.session import SCHEMA_HEAD

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


def test_migrations_ship_inside_the_package() -> None:
    folder = migrations_dir()
    assert (folder / "env.py").is_file()
    assert any(p.name.startswith("0001") for p in (folder / "versions").iterdir())


def test_migrations_keep_the_fts_triggers(library) -> None:  # type: ignore[no-untyped-def]
    """A batch ALTER that rebuilt the tracks table would silently drop its triggers."""
    with library.engine.connect() as conn:
        triggers = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        )
    assert triggers == {"tracks_fts_ad", "tracks_fts_au"}
