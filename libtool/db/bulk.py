"""A first scan fills an empty library without its secondary indexes on ``tracks``.

Inserting 100,000 rows into each of the eleven index B-trees cost the scan's writer
more than building each index once from the finished table (CREATE INDEX sorts):
at 100,000 files the scan's main process took 14-19% less CPU (two interleaved pairs,
6.3-6.9 -> 5.5-5.6 CPU-s, in benchmarks/RESULTS.md). The scanner builds them while its
last files are still being read (``BUILD_AHEAD`` in ``libtool.scan.scanner``). Only a
first scan (no tracks yet) defers them, so a library in use always has its indexes;
readers during that first scan see correct, slower queries.

Crash safety: each dropped index's statement is stored in ``deferred_indexes`` in the
transaction that drops it, and the rebuild deletes it in the transaction that builds
the indexes. A scan killed or failing in between leaves the statements behind; the next
scan builds them after its last batch, and a migration before it starts.
"""

from __future__ import annotations

import sqlite3

#: Indexes the scan itself reads while it writes: ``count_tracks`` looks up each
#: batch's albums by ``album_id`` (without the index, every batch would read the table).
KEPT = frozenset({"ix_tracks_album_missing"})


def defer_indexes(db: sqlite3.Connection) -> list[str]:
    """Drop the deferrable indexes of an empty ``tracks``, recording them (commits).

    Returns the names dropped: none if the table has rows, or they are already deferred.
    """
    if db.in_transaction:
        db.commit()
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("SELECT 1 FROM tracks LIMIT 1").fetchone():
            db.rollback()
            return []
        indexes = [
            (name, sql)
            for name, sql in db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'tracks' AND sql IS NOT NULL ORDER BY name"
            )
            if name not in KEPT
        ]
        db.executemany("INSERT INTO deferred_indexes (name, sql) VALUES (?, ?)", indexes)
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return [name for name, _ in indexes]


def restore_indexes(db: sqlite3.Connection, most: int | None = None) -> int:
    """Build the deferred indexes again (every one, or the first ``most`` by name), in
    the caller's transaction (call commit).

    Returns how many were built; 0 when none is left, or in a library from before
    ``deferred_indexes``.
    """
    try:  # (LIMIT -1: no limit)
        rows = db.execute(
            "SELECT name, sql FROM deferred_indexes ORDER BY name LIMIT ?",
            (-1 if most is None else most,),
        ).fetchall()
    except sqlite3.OperationalError:  # no such table: an older schema, nothing deferred
        return 0
    if not rows:
        return 0
    # first: it opens the transaction that builds them
    db.executemany("DELETE FROM deferred_indexes WHERE name = ?", [(name,) for name, _ in rows])
    present = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    for name, sql in rows:
        if name not in present:
            db.execute(sql)
    return len(rows)
