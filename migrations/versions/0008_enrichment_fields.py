"""six canonical fields MusicBrainz enrichment sets: sort names, release country, type,
status and media format

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

The columns are added in place (no table rebuild, so the FTS triggers stay). Tracks
scanned before hold these tags among their extras; their ctime stamp is cleared, so
the next scan reads those files again and fills the new columns. A cleared ctime is
"unknown": it never blocks a write (libtool.tags.write.check_unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "artistsort",
    "albumartistsort",
    "releasecountry",
    "releasetype",
    "releasestatus",
    "media",
)
#: Every raw key (lower case) the new fields' storage rules claim, as a scan stored it
#: among the extras (ID3 frame keys, Vorbis keys, MP4 atoms, ASF attributes, APE items).
#: Frozen here: a migration must not change meaning when the tag map changes later.
_ITUNES = "----:com.apple.itunes:"
CLAIMED_KEYS = (
    "tsop",
    "tso2",
    "txxx:albumartistsort",
    "txxx:musicbrainz album release country",
    "txxx:musicbrainz album type",
    "txxx:musicbrainz album status",
    "tmed",
    "artistsort",
    "albumartistsort",
    "releasecountry",
    "releasetype",
    "releasestatus",
    "musicbrainz_albumtype",
    "musicbrainz_albumstatus",
    "media",
    "soar",
    "soaa",
    _ITUNES + "musicbrainz album release country",
    _ITUNES + "musicbrainz album type",
    _ITUNES + "musicbrainz album status",
    _ITUNES + "media",
    "wm/artistsortorder",
    "wm/albumartistsortorder",
    "musicbrainz/album release country",
    "musicbrainz/album type",
    "musicbrainz/album status",
    "wm/media",
)


def upgrade() -> None:
    with op.batch_alter_table("tracks", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
    reread = sa.text(
        "UPDATE tracks SET ctime_ns = NULL WHERE id IN ("
        "SELECT tracks.id FROM tracks, json_each(tracks.extras) AS extra "
        "WHERE lower(extra.key) IN :keys)"
    ).bindparams(sa.bindparam("keys", value=list(CLAIMED_KEYS), expanding=True))
    op.execute(reread)


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("tracks", name)  # ALTER TABLE DROP COLUMN: no rebuild, triggers stay
