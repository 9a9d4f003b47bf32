"""Storage rules for ID3v2 (MP3, AIFF, WAV, DSF, DFF, TrueAudio).

mutagen upgrades v2.3 frames to v2.4 when it loads a file (TYER+TDAT -> TDRC,
TORY -> TDOR), so rules speak v2.4 only; saving converts back when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mutagen import id3

from libtool.tags.formats.base import PairRule, clean

UTF8 = id3.Encoding.UTF8

#: ID3v2.4 timestamp frames. mutagen parses their text into timestamps on load and
#: writes back the parsed form, so 'circa 1970' would vanish and '05/17/2001' become
#: '0005-17-2001', even when only the title is written. We load them with plain text
#: frames of the same name instead, which keep the text exactly as the file has it.
TIMESTAMP_FRAMES = ("TDRC", "TDOR", "TDRL", "TDEN", "TDTG")
RAW_TIMESTAMP: dict[str, type[id3.Frame]] = {
    name: type(name, (id3.TextFrame,), {"__doc__": f"{name}, kept as raw text"})
    for name in TIMESTAMP_FRAMES
}
#: Pass as ``known_frames`` when loading ID3 tags. It replaces mutagen's own tables for
#: every version, so the three-letter ID3v2.2 frames must be in it too.
KNOWN_FRAMES: dict[str, type[id3.Frame]] = {**id3.Frames_2_2, **id3.Frames, **RAW_TIMESTAMP}


def normal_key(key: str) -> str:
    """A frame's key (mutagen's HashKey, or a rule's ``TXXX:desc``) as lookups compare it:
    a user frame by its description regardless of case, any other frame by its frame id
    (rules find COMM, USLT and UFID frames among all of that id)."""
    if key[:5].upper() == "TXXX:":
        return "TXXX:" + key[5:].lower()
    return key.split(":", 1)[0]


class Id3ReadView:
    """An ID3 tag for reading: each ``getall`` answered once per file.

    mutagen's ``getall("TXXX")`` scans every frame; the rules ask it once per user-frame
    alias (about 17 times per file), which cost more than the rest of the extraction.
    Rules read from this view (only ``get`` and ``getall``), write to the tags.
    """

    def __init__(self, tags: id3.ID3) -> None:
        self._tags = tags
        self._all: dict[str, list[Any]] = {}
        self._txxx: dict[str, list[Any]] | None = None
        #: A plain dict: mutagen's ``get`` raises and catches KeyError for each absent frame.
        self._frames: dict[str, Any] = {key: tags[key] for key in tags.keys()}  # noqa: SIM118

    def get(self, key: str, default: Any = None) -> Any:
        return self._frames.get(key, default)

    def getall(self, key: str) -> list[Any]:
        found = self._all.get(key)
        if found is None:
            found = self._all[key] = self._tags.getall(key)
        return found

    def user_frames(self, desc: str) -> list[Any]:
        """The TXXX frames whose lower-case description is ``desc``, in the tag's order."""
        index = self._txxx
        if index is None:
            index = self._txxx = {}
            for frame in self.getall("TXXX"):
                index.setdefault(frame.desc.lower(), []).append(frame)
        return index.get(desc, [])


def frame_class(frame_id: str) -> type[id3.Frame]:
    return RAW_TIMESTAMP.get(frame_id) or getattr(id3, frame_id)


def is_clean_timestamp(frame: Any) -> bool:  # Any: mutagen types frames loosely
    """Whether mutagen's timestamp parsing would keep this frame's text unchanged."""

    def same(text: str) -> bool:  # mutagen writes "2001-02-03 04:05" for "...T04:05"
        return id3.ID3TimeStamp(text).text.replace(" ", "T") == text.replace(" ", "T")

    return all(same(str(t)) for t in frame.text)


def as_mutagen_timestamp(frame: Any) -> id3.Frame:
    """The same frame as mutagen's own timestamp class (what ``update_to_v23`` expects)."""
    return getattr(id3, frame.FrameID)(encoding=frame.encoding, text=[str(t) for t in frame.text])


@dataclass(frozen=True)
class Text:
    """A text frame; ``txxx`` are user-frame descriptions other taggers use for the same
    field (beets writes TXXX:ALBUMARTISTSORT where Picard writes TSO2), read after it.

    A write goes to the frame; an alias frame goes only if it repeated the value being
    replaced (one holding something else is the user's data and stays).
    """

    frame: str
    txxx: tuple[str, ...] = ()

    def read(self, tags: id3.ID3) -> list[str]:
        f = tags.get(self.frame)
        if f is not None and (values := clean(list(f.text))):
            return values
        for desc in self.txxx:
            if values := Txxx(desc).read(tags):
                return values
        return []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.frame, *(f"TXXX:{desc}" for desc in self.txxx))

    def write(self, tags: id3.ID3, values: list[str]) -> None:
        old = self.read(tags)
        for desc in self.txxx:
            for alias in Txxx(desc)._frames(tags):
                if old and clean(list(alias.text)) == old:
                    del tags[alias.HashKey]
        tags.delall(self.frame)
        if values:
            tags.add(frame_class(self.frame)(encoding=UTF8, text=list(values)))

    def claims(self, key: str) -> bool:
        return key == self.frame or any(Txxx(desc).claims(key) for desc in self.txxx)


@dataclass(frozen=True)
class Genre(Text):
    """TCON, whose text may hold numeric references such as '(17)' or '17'."""

    def read(self, tags: id3.ID3) -> list[str]:
        f = tags.get(self.frame)
        return clean(f.genres) if f is not None else []


@dataclass(frozen=True)
class Pair(PairRule):
    """One half of an 'n/N' frame (TRCK, TPOS); totals other taggers put in user frames
    (``TXXX:TRACKTOTAL``, ``TXXX:TOTALTRACKS``...) are read too. Keys are frame ids or
    ``TXXX:description``."""

    def _get(self, tags: id3.ID3, key: str) -> list[str]:
        if key.upper().startswith("TXXX:"):
            return Txxx(key[5:]).read(tags)
        f = tags.get(key)
        return clean([str(t) for t in f.text]) if f is not None else []

    def _put(self, tags: id3.ID3, key: str, values: list[str]) -> None:
        if key.upper().startswith("TXXX:"):
            Txxx(key[5:]).write(tags, values)
            return
        tags.delall(key)
        if values:
            tags.add(getattr(id3, key)(encoding=UTF8, text=list(values)))


@dataclass(frozen=True)
class Txxx:
    """A user text frame, matched on its description regardless of case."""

    desc: str

    def _frames(self, tags: id3.ID3 | Id3ReadView) -> list[Any]:
        want = self.desc.lower()
        if isinstance(tags, Id3ReadView):
            return tags.user_frames(want)
        return [f for f in tags.getall("TXXX") if f.desc.lower() == want]

    def read(self, tags: id3.ID3 | Id3ReadView) -> list[str]:
        for f in self._frames(tags):
            return clean(list(f.text))
        return []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (f"TXXX:{self.desc}",)

    def write(self, tags: id3.ID3, values: list[str]) -> None:
        old = self.read(tags)  # frames repeating the value being replaced go; others stay
        for f in self._frames(tags):
            if clean(list(f.text)) == old:
                del tags[f.HashKey]
        if values:
            tags.add(id3.TXXX(encoding=UTF8, desc=self.desc, text=list(values)))

    def claims(self, key: str) -> bool:
        return key.lower() == f"txxx:{self.desc.lower()}"


@dataclass(frozen=True)
class Ufid:
    owner: str

    def read(self, tags: id3.ID3) -> list[str]:
        f = tags.get(f"UFID:{self.owner}")
        if f is None:
            return []
        return clean([f.data.decode("ascii", "replace")])

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (f"UFID:{self.owner}",)

    def write(self, tags: id3.ID3, values: list[str]) -> None:
        tags.delall(f"UFID:{self.owner}")
        if values:
            tags.add(id3.UFID(owner=self.owner, data=values[0].encode("ascii", "replace")))

    def claims(self, key: str) -> bool:
        return key == f"UFID:{self.owner}"


@dataclass(frozen=True)
class Described:
    """COMM or USLT with an empty description (any language); written as 'eng'."""

    frame: str

    def _frames(self, tags: id3.ID3) -> list[Any]:
        return [f for f in tags.getall(self.frame) if f.desc == ""]

    def _source(self, tags: id3.ID3) -> Any:
        """The frame read: English first, else the first in another language."""
        frames = sorted(self._frames(tags), key=lambda f: f.lang != "eng")
        return frames[0] if frames else None

    @staticmethod
    def _text(frame: Any) -> list[str]:
        return clean(frame.text if isinstance(frame.text, list) else [frame.text])

    def read(self, tags: id3.ID3) -> list[str]:
        source = self._source(tags)
        return self._text(source) if source is not None else []

    @property
    def read_keys(self) -> tuple[str, ...]:
        return (self.frame,)

    def write(self, tags: id3.ID3, values: list[str]) -> None:
        """Replace the frame read, in its language; frames in other languages stay."""
        source = self._source(tags)
        lang = source.lang if source is not None else "eng"
        if source is not None:
            old = self._text(source)
            for f in self._frames(tags):
                if f.lang == lang or self._text(f) == old:
                    del tags[f.HashKey]
        if values:
            cls = getattr(id3, self.frame)
            text = list(values) if self.frame == "COMM" else "\n".join(values)
            tags.add(cls(encoding=UTF8, lang=lang, desc="", text=text))

    def claims(self, key: str) -> bool:
        return key.startswith(f"{self.frame}::")
