"""The track columns every listing, template and export offers: one list for them all.

Light (no SQLAlchemy): ``display`` checks templates against it, ``changes.csvio``
writes it, the service sorts by it.
"""

from __future__ import annotations

from libtool.tags.fields import FIELD_NAMES

#: Canonical fields added after the default export's columns were fixed: ``--fields`` (and
#: ``ls --format``, ``--json``) offer them, and ``import-csv`` reads them, but the default
#: export's header stays what scripts written against it expect.
LATER_FIELDS: tuple[str, ...] = (
    "artistsort",
    "albumartistsort",
    "releasecountry",
    "releasetype",
    "releasestatus",
    "media",
)
#: What ``mlib export`` writes by default (and ``import-csv`` reads back).
DEFAULT_COLUMNS: tuple[str, ...] = (
    "id",
    "path",
    *(name for name in FIELD_NAMES if name not in LATER_FIELDS),
    "length",
    "bitrate",
    "format",
)
#: Further columns ``--fields`` can ask for.
EXTRA_COLUMNS: tuple[str, ...] = (
    *LATER_FIELDS,
    "year",
    "originalyear",
    "codec",
    "tag_format",
    "sample_rate",
    "channels",
    "bits_per_sample",
    "has_picture",
    "size",
    "missing",
)
ALL_COLUMNS: tuple[str, ...] = DEFAULT_COLUMNS + EXTRA_COLUMNS
#: The fields ``ls --albums --format`` offers.
ALBUM_FIELDS: tuple[str, ...] = ("albumartist", "album", "year", "tracks", "mb_albumid", "path")

assert set(LATER_FIELDS) <= set(FIELD_NAMES)
