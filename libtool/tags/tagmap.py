"""Where each canonical field lives in each tag container, declared once.

One row per field, one storage rule per container (the write key; read aliases
sit inside the rule). Reading and writing both go through this table, following
``shared/docs/tag-mapping.md`` (MusicBrainz Picard's mapping).
"""

from __future__ import annotations

from dataclasses import dataclass

from libtool.tags.fields import FIELD_NAMES
from libtool.tags.formats import apev2, asf, id3, mp4, vorbis
from libtool.tags.formats.base import Rule

CONTAINERS = ("id3", "vorbis", "mp4", "asf", "apev2")

#: Read aliases: the keys other taggers use (beets' mediafile, foobar2000, Mp3tag,
#: Windows Media Player), read after the canonical key and never written. An alias
#: that repeats a value being replaced is removed by the write, so it cannot contradict.
APE_TRACK_TOTALS = ("TRACKTOTAL", "TOTALTRACKS", "TRACKC")
APE_DISC_TOTALS = ("DISCTOTAL", "TOTALDISCS", "DISCC")
ASF_TRACK_TOTALS = ("TotalTracks", "TRACKTOTAL")  # beets (mediafile) writes TotalTracks
ASF_DISC_TOTALS = ("TotalDiscs", "DISCTOTAL")
#: ID3 and MP4 have 'n/N' (TRCK, trkn); Mp3tag, foobar2000 and beets' mediafile also
#: keep totals apart, in user frames and iTunes freeform atoms.
ID3_TRACK_TOTALS = ("TXXX:TRACKTOTAL", "TXXX:TOTALTRACKS")
ID3_DISC_TOTALS = ("TXXX:DISCTOTAL", "TXXX:TOTALDISCS")
MP4_TRACK_TOTALS = ("TRACKTOTAL", "TOTALTRACKS")
MP4_DISC_TOTALS = ("DISCTOTAL", "TOTALDISCS")


@dataclass(frozen=True)
class Storage:
    id3: Rule | None
    vorbis: Rule | None
    mp4: Rule | None
    asf: Rule | None
    apev2: Rule | None


def _same(name: str) -> Storage:
    """A field every container stores under one spelling (Picard's ReplayGain keys)."""
    return Storage(
        id3.Txxx(name), vorbis.Key(name), mp4.Freeform(name), asf.Attr(name), apev2.Item(name)
    )


def _mb(id3_desc: str, key: str, asf_key: str) -> Storage:
    """A MusicBrainz identifier: TXXX, a Vorbis/APE key, an iTunes freeform atom, an ASF key."""
    return Storage(
        id3.Txxx(id3_desc),
        vorbis.Key(key),
        mp4.Freeform(id3_desc),
        asf.Attr(asf_key),
        apev2.Item(key),
    )


STORAGE: dict[str, Storage] = {
    "title": Storage(
        id3.Text("TIT2"),
        vorbis.Key("TITLE"),
        mp4.Atom("©nam"),
        asf.Attr("Title"),
        apev2.Item("Title"),
    ),
    "artist": Storage(
        id3.Text("TPE1"),
        vorbis.Key("ARTIST"),
        mp4.Atom("©ART"),
        asf.Attr("Author"),
        apev2.Item("Artist"),
    ),
    "album": Storage(
        id3.Text("TALB"),
        vorbis.Key("ALBUM"),
        mp4.Atom("©alb"),
        asf.Attr("WM/AlbumTitle"),
        apev2.Item("Album"),
    ),
    "albumartist": Storage(
        id3.Text("TPE2"),
        vorbis.Key("ALBUMARTIST", ("ALBUM ARTIST", "ALBUM_ARTIST")),
        mp4.Atom("aART"),
        asf.Attr("WM/AlbumArtist"),
        apev2.Item("Album Artist", ("ALBUMARTIST", "ALBUM_ARTIST")),
    ),
    "track": Storage(
        id3.Pair("TRCK", 0, (), ID3_TRACK_TOTALS),
        vorbis.Number("TRACKNUMBER", ("TRACKTOTAL", "TOTALTRACKS", "TRACKC")),
        mp4.Pair("trkn", 0, MP4_TRACK_TOTALS),
        asf.Pair("WM/TrackNumber", 0, (), ASF_TRACK_TOTALS),
        apev2.Pair("Track", 0, ("TRACKNUMBER",), APE_TRACK_TOTALS),
    ),
    "tracktotal": Storage(
        id3.Pair("TRCK", 1, (), ID3_TRACK_TOTALS),
        vorbis.Total("TRACKTOTAL", "TRACKNUMBER", ("TOTALTRACKS", "TRACKC")),
        mp4.Pair("trkn", 1, MP4_TRACK_TOTALS),
        asf.Pair("WM/TrackNumber", 1, (), ASF_TRACK_TOTALS),
        apev2.Pair("Track", 1, ("TRACKNUMBER",), APE_TRACK_TOTALS),
    ),
    "disc": Storage(
        id3.Pair("TPOS", 0, (), ID3_DISC_TOTALS),
        vorbis.Number("DISCNUMBER", ("DISCTOTAL", "TOTALDISCS", "DISCC")),
        mp4.Pair("disk", 0, MP4_DISC_TOTALS),
        asf.Pair("WM/PartOfSet", 0, (), ASF_DISC_TOTALS),
        apev2.Pair("Disc", 0, ("DISCNUMBER",), APE_DISC_TOTALS),
    ),
    "disctotal": Storage(
        id3.Pair("TPOS", 1, (), ID3_DISC_TOTALS),
        vorbis.Total("DISCTOTAL", "DISCNUMBER", ("TOTALDISCS", "DISCC")),
        mp4.Pair("disk", 1, MP4_DISC_TOTALS),
        asf.Pair("WM/PartOfSet", 1, (), ASF_DISC_TOTALS),
        apev2.Pair("Disc", 1, ("DISCNUMBER",), APE_DISC_TOTALS),
    ),
    "date": Storage(
        id3.Text("TDRC"),
        vorbis.Key("DATE", ("YEAR",)),
        mp4.Atom("©day"),
        asf.Attr("WM/Year"),
        apev2.Item("Year", ("DATE",)),
    ),
    "originaldate": Storage(
        id3.Text("TDOR"),
        vorbis.Key("ORIGINALDATE"),
        None,
        asf.Attr("WM/OriginalReleaseTime"),
        None,
    ),
    "genre": Storage(
        id3.Genre("TCON"),
        vorbis.Key("GENRE"),
        mp4.Genre("©gen"),
        asf.Attr("WM/Genre"),
        apev2.Item("Genre"),
    ),
    "composer": Storage(
        id3.Text("TCOM"),
        vorbis.Key("COMPOSER"),
        mp4.Atom("©wrt"),
        asf.Attr("WM/Composer"),
        apev2.Item("Composer"),
    ),
    "comment": Storage(
        id3.Described("COMM"),
        vorbis.Key("COMMENT", ("DESCRIPTION",)),
        mp4.Atom("©cmt"),
        asf.Attr("Description", ("WM/Comments",)),
        apev2.Item("Comment", ("DESCRIPTION",)),
    ),
    "lyrics": Storage(
        id3.Described("USLT"),
        vorbis.Key("LYRICS", ("UNSYNCEDLYRICS", "UNSYNCED LYRICS")),
        mp4.Atom("©lyr"),
        asf.Attr("WM/Lyrics"),
        apev2.Item("Lyrics", ("UNSYNCEDLYRICS", "UNSYNCED LYRICS")),
    ),
    "bpm": Storage(
        id3.Text("TBPM"),
        vorbis.Key("BPM"),
        mp4.Integer("tmpo"),
        asf.Attr("WM/BeatsPerMinute"),
        apev2.Item("BPM"),
    ),
    "compilation": Storage(
        id3.Text("TCMP"),
        vorbis.Key("COMPILATION"),
        mp4.Flag("cpil"),
        asf.Attr("WM/IsCompilation"),
        apev2.Item("Compilation"),
    ),
    "isrc": Storage(
        id3.Text("TSRC"),
        vorbis.Key("ISRC"),
        mp4.Freeform("ISRC"),
        asf.Attr("WM/ISRC"),
        apev2.Item("ISRC"),
    ),
    "barcode": Storage(
        id3.Txxx("BARCODE"),
        vorbis.Key("BARCODE"),
        mp4.Freeform("BARCODE"),
        asf.Attr("WM/Barcode"),
        apev2.Item("Barcode"),
    ),
    "label": Storage(
        id3.Text("TPUB"),
        vorbis.Key("LABEL", ("ORGANIZATION", "PUBLISHER")),
        mp4.Freeform("LABEL"),
        asf.Attr("WM/Publisher"),
        apev2.Item("Label", ("ORGANIZATION", "PUBLISHER")),
    ),
    "catalognumber": Storage(
        id3.Txxx("CATALOGNUMBER"),
        vorbis.Key("CATALOGNUMBER"),
        mp4.Freeform("CATALOGNUMBER"),
        asf.Attr("WM/CatalogNo"),
        apev2.Item("CatalogNumber"),
    ),
    "mb_recordingid": Storage(
        id3.Ufid("http://musicbrainz.org"),
        vorbis.Key("MUSICBRAINZ_TRACKID"),
        mp4.Freeform("MusicBrainz Track Id"),
        asf.Attr("MusicBrainz/Track Id"),
        apev2.Item("MUSICBRAINZ_TRACKID"),
    ),
    "mb_releasetrackid": _mb(
        "MusicBrainz Release Track Id", "MUSICBRAINZ_RELEASETRACKID", "MusicBrainz/Release Track Id"
    ),
    "mb_albumid": _mb("MusicBrainz Album Id", "MUSICBRAINZ_ALBUMID", "MusicBrainz/Album Id"),
    "mb_releasegroupid": _mb(
        "MusicBrainz Release Group Id",
        "MUSICBRAINZ_RELEASEGROUPID",
        "MusicBrainz/Release Group Id",
    ),
    "mb_artistid": _mb("MusicBrainz Artist Id", "MUSICBRAINZ_ARTISTID", "MusicBrainz/Artist Id"),
    "mb_albumartistid": _mb(
        "MusicBrainz Album Artist Id",
        "MUSICBRAINZ_ALBUMARTISTID",
        "MusicBrainz/Album Artist Id",
    ),
    "replaygain_track_gain": _same("REPLAYGAIN_TRACK_GAIN"),
    "replaygain_track_peak": _same("REPLAYGAIN_TRACK_PEAK"),
    "replaygain_album_gain": _same("REPLAYGAIN_ALBUM_GAIN"),
    "replaygain_album_peak": _same("REPLAYGAIN_ALBUM_PEAK"),
    # Picard's keys; beets (mediafile), TagLib and foobar2000 spellings are read too
    "artistsort": Storage(
        id3.Text("TSOP"),
        vorbis.Key("ARTISTSORT"),
        mp4.Atom("soar"),
        asf.Attr("WM/ArtistSortOrder"),
        apev2.Item("ArtistSort"),
    ),
    "albumartistsort": Storage(
        id3.Text("TSO2", ("ALBUMARTISTSORT",)),
        vorbis.Key("ALBUMARTISTSORT"),
        mp4.Atom("soaa"),
        asf.Attr("WM/AlbumArtistSortOrder"),
        apev2.Item("AlbumArtistSort"),
    ),
    "releasecountry": Storage(
        id3.Txxx("MusicBrainz Album Release Country"),
        vorbis.Key("RELEASECOUNTRY"),
        mp4.Freeform("MusicBrainz Album Release Country"),
        asf.Attr("MusicBrainz/Album Release Country"),
        apev2.Item("ReleaseCountry"),
    ),
    "releasetype": Storage(
        id3.Txxx("MusicBrainz Album Type"),
        vorbis.Key("RELEASETYPE", ("MUSICBRAINZ_ALBUMTYPE",)),
        mp4.Freeform("MusicBrainz Album Type"),
        asf.Attr("MusicBrainz/Album Type"),
        apev2.Item("MUSICBRAINZ_ALBUMTYPE", ("RELEASETYPE",)),
    ),
    "releasestatus": Storage(
        id3.Txxx("MusicBrainz Album Status"),
        vorbis.Key("RELEASESTATUS", ("MUSICBRAINZ_ALBUMSTATUS",)),
        mp4.Freeform("MusicBrainz Album Status"),
        asf.Attr("MusicBrainz/Album Status"),
        apev2.Item("MUSICBRAINZ_ALBUMSTATUS", ("RELEASESTATUS",)),
    ),
    "media": Storage(
        id3.Text("TMED"),
        vorbis.Key("MEDIA"),
        mp4.Freeform("MEDIA"),
        asf.Attr("WM/Media"),
        apev2.Item("Media"),
    ),
}

assert tuple(STORAGE) == FIELD_NAMES, "every canonical field needs exactly one storage row"


def rules_for(container: str) -> dict[str, Rule]:
    """Field name -> rule, for the fields this container can hold."""
    return {
        name: rule
        for name, storage in STORAGE.items()
        if (rule := getattr(storage, container)) is not None
    }


RULES: dict[str, dict[str, Rule]] = {c: rules_for(c) for c in CONTAINERS}
