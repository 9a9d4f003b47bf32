"""The Alembic migrations and the ORM models describe the same schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def test_0008_adds_the_enrichment_fields_and_rereads_files_that_hold_them(
    audio: Any, tmp_path: Path
) -> None:
    """A library from before 0008 kept these tags among the extras: it gains the columns,
    and the next scan reads those files (and only those) again to fill them."""
    from alembic import command
    from mutagen import id3

    from libtool.scan.scanner import scan

    music = tmp_path / "music"
    sorted_mp3 = audio.make(music / "sorted.mp3", "mp3")
    f = id3.ID3()
    f.add(id3.TIT2(encoding=3, text=["Sorted"]))
    f.add(id3.TSOP(encoding=3, text=["Artist, The"]))
    f.save(sorted_mp3)
    audio.make(music / "plain.flac", "flac")
    db = tmp_path / "old.db"
    lib = open_library(str(db))
    scan(lib, [str(music)])
    command.downgrade(alembic_config(lib.engine), "0007")
    with lib.engine.begin() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("tracks")}
        assert "artistsort" not in columns and "media" not in columns
        conn.execute(  # as the scanner before 0008 stored it: TSOP was an extra
            text(
                "UPDATE tracks SET tags = json_remove(tags, '$.artistsort'), "
                "extras = json_set(extras, '$.TSOP', json('[\"Artist, The\"]')) "
                "WHERE path_text LIKE '%sorted.mp3'"
            )
        )
    lib.close()

    lib = open_library(str(db))  # migrates to head
    with lib.engine.connect() as conn:
        rows = {
            p: v for p, v in conn.execute(text("SELECT path_text, ctime_ns IS NULL FROM tracks"))
        }
        empty = conn.execute(text("SELECT count(*) FROM tracks WHERE artistsort IS NULL"))
        assert empty.scalar() == 2
    assert {Path(p).name: bool(v) for p, v in rows.items()} == {
        "sorted.mp3": True,  # to be read again
        "plain.flac": False,  # nothing to gain: not reopened
    }

    summary = scan(lib)

    assert (summary.updated, summary.unchanged) == (1, 1)
    with lib.engine.connect() as conn:
        artistsort, extras = conn.execute(
            text("SELECT artistsort, extras FROM tracks WHERE path_text LIKE '%sorted.mp3'")
        ).one()
    assert artistsort == "Artist, The"
    assert "TSOP" not in extras
    lib.close()


def test_a_new_library_has_16_kib_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """The page size is set on a new file only (an existing one keeps its own), and the
    WAL is checkpointed at the same size in bytes either way."""
    import sqlite3

    from libtool.db.connection import PAGE_SIZE, WAL_CHECKPOINT_BYTES, connect

    lib = open_library(str(tmp_path / "new.db"))
    lib.close()
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:  # a file made with SQLite's default page size
        conn.execute("CREATE TABLE t (x)")
    conn.close()

    for path, size in ((tmp_path / "new.db", PAGE_SIZE), (old, 4096)):
        conn = connect(path)
        assert conn.execute("PRAGMA page_size").fetchone()[0] == size, path
        pages = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        assert pages * size == WAL_CHECKPOINT_BYTES, path
        conn.close()
