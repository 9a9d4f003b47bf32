"""Canonical tag fields: their names, value kinds and how raw tag text is parsed.

This module knows nothing about container formats; ``tagmap`` says where each
field lives in ID3, Vorbis, MP4, ASF and APEv2. Raw text is always kept next
to the parsed value, so a "track" of ``A1`` or a date of ``circa 1970`` is never
lost just because it does not parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"  # kept as text; a year is derived


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    multi: bool = False  # the tag may hold several values (artists, genres...)
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


TEXT, INT, FLOAT, BOOL, DATE = Kind.TEXT, Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.DATE

#: Every canonical field, in display/export order.
FIELDS: tuple[Field, ...] = (
    Field("title", TEXT),
    Field("artist", TEXT, multi=True),
    Field("album", TEXT),
    Field("albumartist", TEXT, multi=True, label="Album artist"),
    Field("track", INT),
    Field("tracktotal", INT, label="Track total"),
    Field("disc", INT),
    Field("disctotal", INT, label="Disc total"),
    Field("date", DATE),
    Field("originaldate", DATE, label="Original date"),
    Field("genre", TEXT, multi=True),
    Field("composer", TEXT, multi=True),
    Field("comment", TEXT),
    Field("lyrics", TEXT),
    Field("bpm", INT, label="BPM"),
    Field("compilation", BOOL),
    Field("isrc", TEXT, multi=True, label="ISRC"),
    Field("barcode", TEXT),
    Field("label", TEXT, multi=True),
    Field("catalognumber", TEXT, multi=True, label="Catalogue number"),
    Field("mb_recordingid", TEXT, label="MusicBrainz recording id"),
    Field("mb_releasetrackid", TEXT, label="MusicBrainz release track id"),
    Field("mb_albumid", TEXT, label="MusicBrainz album id"),
    Field("mb_releasegroupid", TEXT, label="MusicBrainz release group id"),
    Field("mb_artistid", TEXT, multi=True, label="MusicBrainz artist id"),
    Field("mb_albumartistid", TEXT, multi=True, label="MusicBrainz album artist id"),
    Field("replaygain_track_gain", FLOAT, label="ReplayGain track gain"),
    Field("replaygain_track_peak", FLOAT, label="ReplayGain track peak"),
    Field("replaygain_album_gain", FLOAT, label="ReplayGain album gain"),
    Field("replaygain_album_peak", FLOAT, label="ReplayGain album peak"),
    # set by MusicBrainz enrichment, as Picard writes them (after the fields above, so the
    # default export's columns stay as they were: see libtool.columns)
    Field("artistsort", TEXT, multi=True, label="Artist sort name"),
    Field("albumartistsort", TEXT, multi=True, label="Album artist sort name"),
    Field("releasecountry", TEXT, label="Release country"),
    Field("releasetype", TEXT, multi=True, label="Release type"),  # primary + secondary types
    Field("releasestatus", TEXT, label="Release status"),
    Field("media", TEXT, label="Media"),  # the medium's format: CD, Digital Media, 12" Vinyl
)

FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
FIELD_NAMES: tuple[str, ...] = tuple(FIELD_BY_NAME)

#: Derived from a date field; stored as its own integer column for range queries.
DERIVED_YEARS = {"year": "date", "originalyear": "originaldate"}

#: How several values of one field are shown in one cell (CSV, ls, the TUI).
MULTI_SEP = "; "

_INT_RE = re.compile(r"^\s*[A-Za-z]{0,2}\s*0*(\d{1,6})\s*$")
_PAIR_RE = re.compile(r"^\s*([^/]*?)\s*(?:/|\bof\b)\s*(.*?)\s*$", re.IGNORECASE)
_FLOAT_RE = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(?:dB|LUFS)?\s*$", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<!\d)(1[0-9]{3}|2[0-9]{3})(?!\d)")
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off", ""}


def parse_int(text: str) -> int | None:
    """'03' -> 3, 'A1' (vinyl side A, track 1) -> 1, '12.0' -> 12; garbage -> None."""
    m = _INT_RE.match(text)
    if m:
        return int(m.group(1))
    value = parse_float(text)
    if value is not None and value == int(value) and value >= 0:
        return int(value)
    if value is not None:
        return round(value)
    return None


def split_pair(text: str) -> tuple[str, str]:
    """'3/12' or '3 of 12' -> ('3', '12'); '3' -> ('3', '')."""
    m = _PAIR_RE.match(text)
    if m and m.group(2):
        return m.group(1), m.group(2)
    return text.strip(), ""


def parse_float(text: str) -> float | None:
    m = _FLOAT_RE.match(text)
    if not m:
        return None
    return float(m.group(1).replace(",", "."))


def parse_bool(text: str) -> bool | None:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def parse_year(text: str) -> int | None:
    """The year of '2001', '2001-05-17T00:00', '05/17/2001', '17.05.2001'."""
    m = _YEAR_RE.search(text)
    return int(m.group(1)) if m else None


TypedValue = str | int | float | bool | None


def typed_value(field: Field, values: list[str]) -> TypedValue:
    """The value stored in the field's typed column, from its raw tag values."""
    return value_typer(field)(values)


def value_typer(field: Field) -> Callable[[list[str]], TypedValue]:
    """``typed_value`` for one field, its kind looked up once (a scan types every file)."""
    parse: Callable[[str], TypedValue] | None = {
        Kind.INT: parse_int,
        Kind.FLOAT: parse_float,
        Kind.BOOL: parse_bool,
    }.get(field.kind)
    if parse is not None:
        number = parse

        def first_parsed(values: list[str]) -> TypedValue:
            for v in values:
                if v is not None and v != "":
                    return number(v)
            return None

        return first_parsed
    if field.multi:

        def joined(values: list[str]) -> TypedValue:
            present = [v for v in values if v is not None and v != ""]
            return MULTI_SEP.join(present) if present else None

        return joined

    def first(values: list[str]) -> TypedValue:
        for v in values:
            if v is not None and v != "":
                return v
        return None

    return first


def split_multi(field: Field, text: str) -> list[str]:
    """The inverse of joining with MULTI_SEP, for values typed by a person (CSV, CLI)."""
    if text == "":
        return []
    if field.multi:
        return [part.strip() for part in text.split(MULTI_SEP.strip()) if part.strip()]
    return [text]


def same_values(field: Field, a: list[str], b: list[str]) -> bool:
    """Whether two lists of raw values mean the same for ``field`` (numbers by value)."""
    a = [v for v in a if v != ""]
    b = [v for v in b if v != ""]
    parse = {Kind.INT: parse_int, Kind.FLOAT: parse_float, Kind.BOOL: parse_bool}.get(field.kind)
    if parse is not None:
        return [parse(v) for v in a[:1]] == [parse(v) for v in b[:1]]
    return a == b
