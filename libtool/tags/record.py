"""What reading one audio file yields: the typed record the scanner and the writer store.

A ``TrackRecord`` is made by ``libtool.tags.read`` in a scan worker (or by
``libtool.tags.write`` re-reading a file it wrote), crosses to the main process by
pickle, and becomes a ``tracks`` row in ``libtool.db.rows``. It is flat and slotted so
that crossing stays cheap. It holds no path: the scanner and the writer already know it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol

from libtool.tags.fields import DERIVED_YEARS, FIELD_NAMES


class StreamFacts(Protocol):
    """The stream facts ``read.stream_problems`` judges (a StreamInfo or a TrackRecord)."""

    @property
    def format(self) -> str: ...
    @property
    def length(self) -> float | None: ...
    @property
    def bitrate(self) -> int | None: ...
    @property
    def sample_rate(self) -> int | None: ...
    @property
    def channels(self) -> int | None: ...
    @property
    def bits_per_sample(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """What mutagen says about the audio stream (None: it does not say)."""

    format: str
    codec: str | None = None
    length: float | None = None
    bitrate: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    bits_per_sample: int | None = None


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """Everything the library stores about one file, as read from it.

    ``tags`` holds the raw values of every canonical field found (field -> values) and
    ``extras`` every other tag as text; the typed attributes from ``title`` on are those
    raw values parsed (``libtool.tags.fields.typed_value``), None when absent.
    """

    # the file as it was read: a later scan skips it while these are unchanged
    size: int
    mtime_ns: int
    ctime_ns: int | None
    # stream facts (StreamInfo's fields)
    format: str
    codec: str | None
    length: float | None
    bitrate: int | None
    sample_rate: int | None
    channels: int | None
    bits_per_sample: int | None
    # the tag itself
    tag_format: str | None
    has_picture: bool
    tags: dict[str, list[str]]
    extras: dict[str, list[str]]
    # canonical fields, typed (libtool.tags.fields.FIELDS, in order), then derived years
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    albumartist: str | None = None
    track: int | None = None
    tracktotal: int | None = None
    disc: int | None = None
    disctotal: int | None = None
    date: str | None = None
    originaldate: str | None = None
    genre: str | None = None
    composer: str | None = None
    comment: str | None = None
    lyrics: str | None = None
    bpm: int | None = None
    compilation: bool | None = None
    isrc: str | None = None
    barcode: str | None = None
    label: str | None = None
    catalognumber: str | None = None
    mb_recordingid: str | None = None
    mb_releasetrackid: str | None = None
    mb_albumid: str | None = None
    mb_releasegroupid: str | None = None
    mb_artistid: str | None = None
    mb_albumartistid: str | None = None
    replaygain_track_gain: float | None = None
    replaygain_track_peak: float | None = None
    replaygain_album_gain: float | None = None
    replaygain_album_peak: float | None = None
    artistsort: str | None = None
    albumartistsort: str | None = None
    releasecountry: str | None = None
    releasetype: str | None = None
    releasestatus: str | None = None
    media: str | None = None
    year: int | None = None
    originalyear: int | None = None


#: Every attribute of a TrackRecord, in order: each is a column of ``tracks`` too.
RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TrackRecord))
#: The typed canonical columns (and the years derived from dates), in order.
TYPED_FIELDS: tuple[str, ...] = (*FIELD_NAMES, *DERIVED_YEARS)
assert RECORD_FIELDS[-len(TYPED_FIELDS) :] == TYPED_FIELDS, "TrackRecord and FIELDS disagree"
