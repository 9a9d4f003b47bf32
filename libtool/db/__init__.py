"""The library database: models, engine and migrations, and the query language."""

#: The newest migration in migrations/versions (a test keeps the two in step). Knowing it
#: lets a current database open without importing Alembic, and lets ``libtool.scan.quick``
#: trust a database without importing SQLAlchemy at all.
SCHEMA_HEAD = "0012"

#: Whether some present tracks have no stored album key yet (an upgraded library, which a
#: scan then regroups whole). ``+missing`` keeps SQLite off the index on ``missing``, where
#: it would visit every present track, and on the one on ``album_key``: 70 ms -> 0.2 ms
#: in a library of 100,000 tracks.
UNKEYED_TRACK_SQL = (
    "SELECT 1 FROM tracks WHERE album_key IS NULL AND album IS NOT NULL AND +missing = 0 LIMIT 1"
)
