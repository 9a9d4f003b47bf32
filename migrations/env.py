"""Alembic environment: runs on a connection handed over by libtool, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from libtool.db.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """The FTS5 index and its shadow tables are managed by hand, not by autogenerate."""
    return not (type_ == "table" and name and name.startswith("tracks_fts"))


def run() -> None:
    connection = config.attributes.get("connection")
    options = dict(
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=True,
        compare_type=True,
    )
    if connection is not None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        context.configure(connection=conn, **options)
        with context.begin_transaction():
            context.run_migrations()


run()
