"""Which files are matched together: album candidates and lone tracks.

Pure: the service passes one ``Member`` per present track and gets ``Group``s back.

- Tracks of one library album (its MusicBrainz album id, else album name + folder,
  with ``CD1``/``Disc 2`` subfolders counted as their parent) are one album candidate,
  split by album artist when the files name several.
- Files with no album tag are grouped by folder, as beets' import and Picard's
  clusters do; the folder names stand in for the album ("Artist/Album (2010)" or
  "Artist - Album").
- A group of one file is a lone track (a singleton), matched by a recording search.
- A file name gives a track number only when the tags have none and the name does not
  name another track (``name_agrees``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from libtool.musicbrainz.match import PLACEHOLDER_TITLE, LocalAlbum, LocalTrack
from libtool.musicbrainz.normalise import normalise

_YEAR = re.compile(r"\s*[\(\[]((?:19|20)\d\d)[\)\]]\s*")
_DISC_FOLDER = re.compile(r"^(cd|disc|disk|dvd|side)[\s_-]*\d+\b", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*(?:track\s*)?(\d{1,3})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Member:
    """One present track: its tags as a LocalTrack, its library album, its folder."""

    track: LocalTrack
    album_id: int | None
    folder: str  # the album folder (a disc subfolder already counted as its parent)


@dataclass(frozen=True, slots=True)
class Group:
    """Files matched together. ``album`` is set for album candidates, ``track`` for a
    lone track; ``key`` is the sorted track ids, how proposals are stored."""

    key: str
    label: str
    album: LocalAlbum | None = None
    track: LocalTrack | None = None

    @property
    def kind(self) -> str:
        return "album" if self.album is not None else "track"

    @property
    def track_ids(self) -> tuple[int, ...]:
        if self.album is not None:
            return tuple(sorted(t.track_id for t in self.album.tracks))
        assert self.track is not None
        return (self.track.track_id,)


def track_key(ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(ids))


def number_from_name(path: str) -> int | None:
    """A track number from a file name such as ``07 - Title.flac`` or ``Track 07.mp3``."""
    m = _LEADING_NUMBER.match(os.path.basename(path))
    return int(m.group(1)) if m and 0 < int(m.group(1)) < 1000 else None


def name_agrees(track: LocalTrack) -> bool:
    """Whether the file name can be trusted about the track: it names no title ("07.flac",
    "Track 07.mp3"), the file has no title tag, or the name holds the tagged title. A
    name that holds another title belongs to another track (files renamed or shuffled)."""
    named = LocalTrack(track.track_id, path=track.path).display_title
    tagged = track.title if not PLACEHOLDER_TITLE.match(track.title) else ""
    if not named or not tagged.strip():
        return True
    n_name, n_title = normalise(named), normalise(tagged)
    return not n_title or f" {n_title} " in f" {n_name} "


def with_name_number(track: LocalTrack) -> LocalTrack:
    """The track, with its number taken from the file name when its tags have none and
    the name agrees with the tags (``name_agrees``)."""
    if track.track is not None or not track.path:
        return track
    number = number_from_name(track.path)
    if number is None or not name_agrees(track):
        return track
    return replace(track, track=number)


def names_from_folder(folder: str) -> tuple[str, str, int | None]:
    """(album artist, album, year) guessed from an album folder's path."""
    base = os.path.basename(folder.rstrip("/\\"))
    parent = os.path.basename(os.path.dirname(folder.rstrip("/\\")))
    year = None
    m = _YEAR.search(base)
    if m:
        year = int(m.group(1))
        base = (base[: m.start()] + " " + base[m.end() :]).strip()
    if " - " in base:
        artist, album = base.split(" - ", 1)
        return artist.strip(), album.strip(), year
    return parent.strip(), base.strip(), year


def _label(artist: str, title: str) -> str:
    return f"{artist} - {title}" if artist else title or "(untitled)"


def _split_by_album_artist(tracks: list[LocalTrack]) -> list[list[LocalTrack]]:
    """One list per album artist the files name; files naming none join the largest."""
    by: dict[str, list[LocalTrack]] = {}
    loose: list[LocalTrack] = []
    for t in tracks:
        name = t.albumartist.strip().casefold()
        (by.setdefault(name, []) if name else loose).append(t)
    if len(by) <= 1:
        return [tracks]
    parts = sorted(by.values(), key=len, reverse=True)
    parts[0].extend(loose)
    return parts


def groups(members: Sequence[Member]) -> list[Group]:
    """Album candidates and lone tracks, in a stable order (by label, then key)."""
    by_album: dict[int, list[LocalTrack]] = {}
    by_folder: dict[str, list[LocalTrack]] = {}
    for m in members:
        track = with_name_number(m.track)
        if m.album_id is not None and m.track.album.strip():
            by_album.setdefault(m.album_id, []).append(track)
        else:
            by_folder.setdefault(m.folder, []).append(track)
    out: list[Group] = []

    def add(tracks: list[LocalTrack], album: LocalAlbum) -> None:
        if len(tracks) == 1:
            t = tracks[0]
            out.append(Group(track_key([t.track_id]), _label(t.artist, t.display_title), track=t))
        else:
            key = track_key(t.track_id for t in tracks)
            out.append(Group(key, _label(album.artist, album.album), album=album))

    for tracks in by_album.values():
        for part in _split_by_album_artist(tracks):
            add(part, LocalAlbum.from_tracks(track_key(t.track_id for t in part), part))
    for folder, tracks in by_folder.items():
        album = LocalAlbum.from_tracks(track_key(t.track_id for t in tracks), tracks)
        if len(tracks) > 1:
            artist, title, year = names_from_folder(folder)
            album = replace(
                album,
                album=title,
                albumartist=album.albumartist or (artist if not album.artist else ""),
                year=album.year or year,
            )
        add(tracks, album)
    out.sort(key=lambda g: (g.label.casefold(), g.key))
    return out


def folder_of(path: str) -> str:
    """The album folder of a file's displayable path (a disc subfolder counts as its
    parent), as ``libtool.db.albums.album_folder`` does for raw paths."""
    folder = os.path.dirname(path)
    if _DISC_FOLDER.match(os.path.basename(folder)):
        folder = os.path.dirname(folder)
    return folder
