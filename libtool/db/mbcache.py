"""The MusicBrainz response cache, in the library database.

Each answer is committed as soon as it arrives, in a short session of its own, so
whatever was fetched before a failure (or a Ctrl-C) is kept and the next run
resumes without asking again. Keys carry the scheme and host, so a mirror's
answers never stand in for the public service's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from libtool.db.models import MBResponse, utcnow
from libtool.db.session import Library

DEFAULT_MAX_AGE = timedelta(days=30)


class LibraryCache:
    """A ``ResponseCache`` on the ``mb_responses`` table."""

    def __init__(
        self, library: Library, origin: str, max_age: timedelta | None = DEFAULT_MAX_AGE
    ) -> None:
        self.library = library
        self.origin = origin.rstrip("/")  # "https://musicbrainz.org"
        self.max_age = max_age
        self.hits = 0

    def _key(self, key: str) -> str:
        return f"{self.origin}/ws/2/{key}"

    def get(self, key: str) -> bytes | None:
        with self.library.session() as session:
            row = session.get(MBResponse, self._key(key))
            if row is None:
                return None
            fetched = row.fetched_at
            if fetched.tzinfo is None:  # SQLite hands back naive datetimes
                fetched = fetched.replace(tzinfo=UTC)
            if self.max_age is not None and datetime.now(UTC) - fetched > self.max_age:
                return None
            self.hits += 1
            return bytes(row.data)

    def put(self, key: str, data: bytes) -> None:
        with self.library.session() as session:
            session.merge(MBResponse(key=self._key(key), data=data, fetched_at=utcnow()))
            session.commit()
