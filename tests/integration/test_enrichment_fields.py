"""The six fields MusicBrainz enrichment sets (sort names, release country, type, status,
media format): written under Picard's keys in every container, read back, and usable from
every command as the older fields are.

What lands on disk is checked with mutagen directly, under the raw keys listed here (from
Picard's tag mapping), never through libtool's own rules.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mutagen
import pytest
from mutagen import id3
from mutagen._vorbis import VCommentDict
from mutagen.mp4 import MP4FreeForm

from libtool.tags.read import read_track
from libtool.tags.record import TrackRecord
from libtool.tags.write import V23_SEP, write_tags
from tests.audio import CONTAINER, TAGGABLE

ITUNES = "----:com.apple.iTunes:"
NEW_FIELDS = (
    "artistsort",
    "albumartistsort",
    "releasecountry",
    "releasetype",
    "releasestatus",
    "media",
)
#: The raw key each field is written under, per container (Picard's mapping).
RAW_KEYS: dict[str, dict[str, str]] = {
    "id3": {
        "artistsort": "TSOP",
        "albumartistsort": "TSO2",
        "releasecountry": "TXXX:MusicBrainz Album Release Country",
        "releasetype": "TXXX:MusicBrainz Album Type",
        "releasestatus": "TXXX:MusicBrainz Album Status",
        "media": "TMED",
    },
    "vorbis": {
        "artistsort": "ARTISTSORT",
        "albumartistsort": "ALBUMARTISTSORT",
        "releasecountry": "RELEASECOUNTRY",
        "releasetype": "RELEASETYPE",
        "releasestatus": "RELEASESTATUS",
        "media": "MEDIA",
    },
    "mp4": {
        "artistsort": "soar",
        "albumartistsort": "soaa",
        "releasecountry": ITUNES + "MusicBrainz Album Release Country",
        "releasetype": ITUNES + "MusicBrainz Album Type",
        "releasestatus": ITUNES + "MusicBrainz Album Status",
        "media": ITUNES + "MEDIA",
    },
    "asf": {
        "artistsort": "WM/ArtistSortOrder",
        "albumartistsort": "WM/AlbumArtistSortOrder",
        "releasecountry": "MusicBrainz/Album Release Country",
        "releasetype": "MusicBrainz/Album Type",
        "releasestatus": "MusicBrainz/Album Status",
        "media": "WM/Media",
    },
    "apev2": {
        "artistsort": "ArtistSort",
        "albumartistsort": "AlbumArtistSort",
        "releasecountry": "ReleaseCountry",
        "releasetype": "MUSICBRAINZ_ALBUMTYPE",
        "releasestatus": "MUSICBRAINZ_ALBUMSTATUS",
        "media": "Media",
    },
}
VALUES: dict[str, list[str]] = {
    "artistsort": ["White, Jack", "Fertita, Dean"],
    "albumartistsort": ["Dead Weather, The"],
    "releasecountry": ["GB"],
    "releasetype": ["album", "live"],
    "releasestatus": ["official"],
    "media": ['12" Vinyl'],
}


def write(path: Path, changes: dict[str, list[str]], **kwargs: Any) -> TrackRecord:
    st = path.stat()
    return write_tags(bytes(path), changes, size=st.st_size, mtime_ns=st.st_mtime_ns, **kwargs)


def raw_values(path: Path, key: str) -> list[str]:
    """The text mutagen finds under ``key`` (the exact spelling), in any container."""
    tags: Any = mutagen.File(path).tags
    if isinstance(tags, id3.ID3):
        return [str(t) for t in tags[key].text]
    if isinstance(tags, VCommentDict):  # its lookups fold case: compare the stored spelling
        found = [v for k, v in list.__iter__(tags) if k == key]
        if not found:
            raise KeyError(key)
        return found
    if key not in tags.keys():  # noqa: SIM118 (exact spelling, not a case-folding lookup)
        raise KeyError(key)
    value = tags[key]
    if key.startswith(ITUNES):
        return [bytes(v).decode("utf-8") for v in value]
    return [str(v) for v in value]


@pytest.mark.parametrize("ext", TAGGABLE)
def test_each_new_field_is_written_under_picards_key(audio: Any, tmp_path: Path, ext: str) -> None:
    path = audio.make(tmp_path / f"t.{ext}", ext)
    keys = RAW_KEYS[CONTAINER[ext]]

    record = write(path, {"title": ["kept"], **VALUES})

    for field, values in VALUES.items():
        assert raw_values(path, keys[field]) == values, field
    assert {f: record.tags[f] for f in NEW_FIELDS} == VALUES
    again = read_track(bytes(path))
    assert again.tags == record.tags
    assert again.artistsort == "White, Jack; Fertita, Dean"
    assert again.releasetype == "album; live"
    assert (again.releasecountry, again.releasestatus) == ("GB", "official")
    assert again.media == '12" Vinyl'
    assert again.extras == {}

    cleared = write(path, {field: [] for field in NEW_FIELDS})  # and each goes again

    assert all(getattr(cleared, f) is None for f in NEW_FIELDS)
    for field in NEW_FIELDS:
        with pytest.raises(KeyError):
            raw_values(path, keys[field])


def test_id3v23_keeps_the_sort_frames_and_joins_several_values(audio: Any, tmp_path: Path) -> None:
    """TSOP is a v2.4 frame, but Picard and iTunes put it in v2.3 tags too; v2.3 has no
    multi-value text, so several values are joined."""
    path = audio.make(tmp_path / "t.mp3", "mp3")

    write(path, VALUES, id3v23=True)

    f: Any = mutagen.File(path)
    assert f.tags.version[:2] == (2, 3)
    assert [str(t) for t in f.tags["TSOP"].text] == [V23_SEP.join(VALUES["artistsort"])]
    assert [str(t) for t in f.tags["TXXX:MusicBrainz Album Type"].text] == ["album/live"]
    assert [str(t) for t in f.tags["TMED"].text] == ['12" Vinyl']
    assert read_track(bytes(path)).albumartistsort == "Dead Weather, The"


@pytest.mark.parametrize(
    ("ext", "items", "expected"),
    [
        # beets (mediafile) writes the album artist's sort name as a user frame
        (
            "mp3",
            [id3.TXXX(encoding=3, desc="ALBUMARTISTSORT", text=["B, A"])],
            {"albumartistsort": "B, A"},
        ),
        # older Picard, TagLib and foobar2000 spell release type and status so in Vorbis
        (
            "flac",
            [("MUSICBRAINZ_ALBUMTYPE", "single"), ("musicbrainz_albumstatus", "promotion")],
            {"releasetype": "single", "releasestatus": "promotion"},
        ),
        # Picard title-cases APE keys it has no spelling for; beets writes them upper case
        (
            "wv",
            {
                "Artistsort": ["A, B"],
                "Releasecountry": ["JP"],
                "RELEASETYPE": ["ep"],
                "MEDIA": ["CD"],
            },
            {"artistsort": "A, B", "releasecountry": "JP", "releasetype": "ep", "media": "CD"},
        ),
        ("m4a", {ITUNES + "media": [MP4FreeForm(b"SACD")]}, {"media": "SACD"}),
    ],
)
def test_other_taggers_spellings_are_read(
    audio: Any, tmp_path: Path, ext: str, items: Any, expected: dict[str, str]
) -> None:
    path = audio.make(tmp_path / f"t.{ext}", ext)
    f: Any = mutagen.File(path)
    if f.tags is None:
        f.add_tags()
    if isinstance(items, dict):
        for key, value in items.items():
            f.tags[key] = value
    else:
        for item in items:
            f.tags.add(item) if ext == "mp3" else f.tags.append(item)
    f.save()

    record = read_track(bytes(path))

    assert {k: getattr(record, k) for k in expected} == expected
    assert record.extras == {}


def test_writing_replaces_an_alias_that_held_the_same_value(audio: Any, tmp_path: Path) -> None:
    path = audio.make(tmp_path / "t.mp3", "mp3")
    f: Any = mutagen.File(path)
    f.add_tags()
    f.tags.add(id3.TXXX(encoding=3, desc="ALBUMARTISTSORT", text=["Old, The"]))
    f.save()

    write(path, {"albumartistsort": ["New, The"]})

    tags: Any = mutagen.File(path).tags
    assert [str(t) for t in tags["TSO2"].text] == ["New, The"]
    assert tags.getall("TXXX:ALBUMARTISTSORT") == []  # no stale copy contradicts it


# ------------------------------------------------------------------ every command


def _rows(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_modify_write_query_list_export_and_import(
    audio: Any, tmp_path: Path, mlib: Callable[..., Any]
) -> None:
    music = tmp_path / "music"
    flac = audio.make(music / "a.flac", "flac")
    mp3 = audio.make(music / "b.mp3", "mp3")
    mlib("scan", music, check=True)

    mlib(
        "modify",
        "artistsort=White, Jack",
        "releasecountry=GB",
        "releasetype=album; live",
        "releasestatus=official",
        "media=CD",
        "--yes",
        check=True,
    )
    mlib("write", check=True)

    assert raw_values(flac, "RELEASETYPE") == ["album", "live"]
    assert raw_values(mp3, "TMED") == ["CD"]
    listed = mlib("ls", "releasecountry:gb", "--format", "$artistsort|$releasetype|$media")
    assert listed.stdout.splitlines() == ["White, Jack|album; live|CD"] * 2
    assert mlib("ls", "^media:=CD").stdout == ""
    assert {r["releasestatus"] for r in _rows(mlib("ls", "--json", check=True).stdout)} == {
        "official"
    }

    out = mlib("export", "--csv", "-", "--fields", "path,media,releasecountry", check=True).stdout
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [(r["media"], r["releasecountry"]) for r in rows] == [("CD", "GB")] * 2
    default_header = mlib("export", "--csv", "-", check=True).stdout.splitlines()[0]
    assert "media" not in default_header.split(",")  # the default columns stay as shipped

    edited = tmp_path / "edit.csv"
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["path", "media", "releasecountry"])
    for row in rows:
        media = "Digital Media" if row["path"].endswith(".mp3") else row["media"]
        writer.writerow([row["path"], media, row["releasecountry"]])
    edited.write_text(buf.getvalue(), encoding="utf-8")
    mlib("import-csv", edited, check=True)
    mlib("write", check=True)

    assert raw_values(mp3, "TMED") == ["Digital Media"]
    assert raw_values(flac, "MEDIA") == ["CD"]
    mlib("undo", check=True)
    assert raw_values(mp3, "TMED") == ["CD"]
