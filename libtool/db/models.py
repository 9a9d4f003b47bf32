"""The library database, as SQLAlchemy 2 typed models.

Paths are stored as raw bytes (``path``) so names that are not valid UTF-8
survive exactly; ``path_text`` is a lossy, displayable copy used for search
and sorting. Every canonical tag field has a typed column; the raw values of
every canonical field live in ``tags`` and every other tag in ``extras``, so
nothing read from a file is lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from libtool.db.connection import utcnow


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        str: Text,
        bytes: LargeBinary,
        dict[str, Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class Root(Base):
    """A folder the user asked us to keep in the library."""

    __tablename__ = "roots"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[bytes] = mapped_column(unique=True)
    path_text: Mapped[str]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_scan_at: Mapped[datetime | None]

    tracks: Mapped[list[Track]] = relationship(back_populates="root")


class Album(Base):
    """Tracks grouped as beets would: MusicBrainz album id, else album name + folder."""

    __tablename__ = "albums"
    __table_args__ = (Index("ix_albums_artist_album", "albumartist", "album"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    album: Mapped[str]
    albumartist: Mapped[str | None]
    mb_albumid: Mapped[str | None]
    folder: Mapped[bytes]
    folder_text: Mapped[str]
    year: Mapped[int | None]
    track_count: Mapped[int] = mapped_column(default=0)

    tracks: Mapped[list[Track]] = relationship(back_populates="album_row")


class Track(Base):
    """One audio file and everything read from it."""

    __tablename__ = "tracks"
    __table_args__ = (
        Index("ix_tracks_albumartist_album", "albumartist", "album", "disc", "track"),
        Index("ix_tracks_artist", "artist"),
        Index("ix_tracks_album", "album"),
        Index("ix_tracks_title", "title"),
        Index("ix_tracks_year", "year"),
        Index("ix_tracks_genre", "genre"),
        Index("ix_tracks_root_missing", "root_id", "missing"),
        # (album_id, missing), not (album_id) alone: "this album's present tracks" must
        # not look as selective to the planner as ix_tracks_missing (migration 0010)
        Index("ix_tracks_album_missing", "album_id", "missing"),
        Index("ix_tracks_missing", "missing"),
        Index("ix_tracks_mb_albumid", "mb_albumid"),
        Index("ix_tracks_album_key", "album_key"),
        # the default list order (libtool.service.core.DEFAULT_SORT, blanks for NULLs)
        Index(
            "ix_tracks_default_sort",
            "missing",
            text("coalesce(albumartist, '')"),
            text("coalesce(album, '')"),
            text("coalesce(disc, -1)"),
            text("coalesce(track, -1)"),
            text("coalesce(path_text, '')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    root_id: Mapped[int] = mapped_column(ForeignKey("roots.id", ondelete="CASCADE"))
    album_id: Mapped[int | None] = mapped_column(ForeignKey("albums.id", ondelete="SET NULL"))
    # which album the track groups into (libtool.scan.scanner.album_key), so a scan regroups
    # only the albums it touched
    album_key: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[bytes] = mapped_column(unique=True)
    path_text: Mapped[str]

    # file and stream facts
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    # ctime cannot be set back by a tagger that preserves mtime: part of "unchanged"
    ctime_ns: Mapped[int | None] = mapped_column(BigInteger)
    format: Mapped[str]
    codec: Mapped[str | None]
    tag_format: Mapped[str | None]
    length: Mapped[float | None]
    bitrate: Mapped[int | None]
    sample_rate: Mapped[int | None]
    channels: Mapped[int | None]
    bits_per_sample: Mapped[int | None]
    has_picture: Mapped[bool] = mapped_column(default=False)

    # canonical fields (libtool.tags.fields.FIELDS), typed
    title: Mapped[str | None]
    artist: Mapped[str | None]
    album: Mapped[str | None]
    albumartist: Mapped[str | None]
    track: Mapped[int | None]
    tracktotal: Mapped[int | None]
    disc: Mapped[int | None]
    disctotal: Mapped[int | None]
    date: Mapped[str | None]
    originaldate: Mapped[str | None]
    genre: Mapped[str | None]
    composer: Mapped[str | None]
    comment: Mapped[str | None]
    lyrics: Mapped[str | None]
    bpm: Mapped[int | None]
    compilation: Mapped[bool | None]
    isrc: Mapped[str | None]
    barcode: Mapped[str | None]
    label: Mapped[str | None]
    catalognumber: Mapped[str | None]
    mb_recordingid: Mapped[str | None]
    mb_releasetrackid: Mapped[str | None]
    mb_albumid: Mapped[str | None]
    mb_releasegroupid: Mapped[str | None]
    mb_artistid: Mapped[str | None]
    mb_albumartistid: Mapped[str | None]
    replaygain_track_gain: Mapped[float | None] = mapped_column(Float)
    replaygain_track_peak: Mapped[float | None] = mapped_column(Float)
    replaygain_album_gain: Mapped[float | None] = mapped_column(Float)
    replaygain_album_peak: Mapped[float | None] = mapped_column(Float)
    artistsort: Mapped[str | None]
    albumartistsort: Mapped[str | None]
    releasecountry: Mapped[str | None]
    releasetype: Mapped[str | None]
    releasestatus: Mapped[str | None]
    media: Mapped[str | None]
    # derived from date / originaldate
    year: Mapped[int | None] = mapped_column(Integer)
    originalyear: Mapped[int | None] = mapped_column(Integer)

    # raw values of canonical fields (field -> [values]) and every other tag
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extras: Mapped[dict[str, Any]] = mapped_column(default=dict)

    missing: Mapped[bool] = mapped_column(Boolean, default=False)
    missing_since: Mapped[datetime | None]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)

    root: Mapped[Root] = relationship(back_populates="tracks")
    album_row: Mapped[Album | None] = relationship(back_populates="tracks")


class ScanRun(Base):
    """One run of the scanner, with its counts; 'running' left behind means it was killed."""

    __tablename__ = "scan_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    full: Mapped[bool] = mapped_column(default=False)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    missing: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float | None]
    notes: Mapped[str | None]


class DeferredIndex(Base):
    """An index on ``tracks`` dropped while a first scan fills the library, and the
    statement that builds it again (``libtool.db.bulk``): kept here so a kill mid-scan
    cannot lose it."""

    __tablename__ = "deferred_indexes"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    sql: Mapped[str] = mapped_column(Text)


class ScanError(Base):
    """The latest reason a file could not be read; cleared once it reads fine."""

    __tablename__ = "scan_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[bytes] = mapped_column(unique=True)
    path_text: Mapped[str]
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scan_runs.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # the file as it was when it failed: an unchanged broken file is not read again
    size: Mapped[int | None] = mapped_column(BigInteger)
    mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    ctime_ns: Mapped[int | None] = mapped_column(BigInteger)


class PendingChange(Base):
    """An edit not yet written to the file: the field's new raw values ([] clears it)."""

    __tablename__ = "pending_changes"
    __table_args__ = (UniqueConstraint("track_id", "field", name="uq_pending_track_field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(64))
    new_values: Mapped[list[str]] = mapped_column(JSON)
    #: the field's values in the file when the change was staged (None: staged before
    #: libtool kept them); a file that holds anything else now makes the change a conflict
    base_values: Mapped[list[str] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WriteRun(Base):
    """One ``mlib write``, ``move`` or ``undo``: the unit that ``mlib undo`` reverses."""

    __tablename__ = "write_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # write | move | undo
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    undoes_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("write_runs.id", ondelete="SET NULL")
    )
    undone_by_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("write_runs.id", ondelete="SET NULL")
    )
    files_ok: Mapped[int] = mapped_column(default=0)
    files_failed: Mapped[int] = mapped_column(default=0)


class WriteSnapshot(Base):
    """The raw tag entries one write in a run changed in one file, before and after
    (``libtool.tags.snapshot.changes``): what undo puts back, key for key."""

    __tablename__ = "write_snapshots"
    __table_args__ = (Index("ix_write_snapshots_run_id", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("write_runs.id", ondelete="CASCADE"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    path: Mapped[bytes]
    changed: Mapped[dict[str, Any]] = mapped_column(JSON)


class WriteChange(Base):
    """The before and after values of one field of one file in a run (field 'path' for moves)."""

    __tablename__ = "write_changes"
    __table_args__ = (Index("ix_write_changes_run_id", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("write_runs.id", ondelete="CASCADE"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    path: Mapped[bytes]
    field: Mapped[str] = mapped_column(String(64))
    before: Mapped[list[str]] = mapped_column(JSON)
    after: Mapped[list[str]] = mapped_column(JSON)


class MBResponse(Base):
    """A raw MusicBrainz answer, keyed by the request (scheme, host, path and query), so
    a second enrichment of the same albums makes no requests while the answer is fresh."""

    __tablename__ = "mb_responses"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class Proposal(Base):
    """What MusicBrainz enrichment found for one album (or one lone track).

    Keyed by the ids of its tracks (``track_key``: sorted, comma-joined), never by an
    album row, because album rows are regrouped when tags change. ``candidates`` keeps
    every candidate with its score breakdown and the values it would set (JSON), best
    first; ``chosen`` is the candidate that was accepted.
    """

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_key: Mapped[str] = mapped_column(Text, unique=True)
    track_ids: Mapped[list[int]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))  # album | track
    label: Mapped[str] = mapped_column(Text)  # what the files say: "Artist - Album"
    status: Mapped[str] = mapped_column(String(16))  # pending | applied | skipped | no_match
    recommendation: Mapped[str] = mapped_column(String(16))  # strong | medium | low | none
    score: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    chosen: Mapped[int | None]
    message: Mapped[str | None] = mapped_column(Text)  # why nothing matched, if so
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
