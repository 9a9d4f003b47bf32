"""The library database: models, engine and migrations, and the query language."""

#: The newest migration in migrations/versions (a test keeps the two in step). Knowing it
#: lets a current database open without importing Alembic, and lets ``libtool.scan.quick``
#: trust a database without importing SQLAlchemy at all.
SCHEMA_HEAD = "0011"
