"""Alembic migrations for the library database (installed as libtool.migrations)."""
