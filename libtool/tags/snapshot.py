"""A tag block as raw entries, exactly: what a write changed, so undo can give it back.

Canonical values are not enough to undo a write: ``tracknumber=4/11`` and
``TRACKNUMBER=4`` + ``TRACKTOTAL=11`` mean the same, as do ``DESCRIPTION`` and
``COMMENT``, and an empty WMA attribute means nothing at all. So every write compares
the tag's raw entries before and after (ID3 frames by their key, Vorbis comments and
ASF attributes by key with their positions, MP4 atoms, APEv2 items) and records the
entries that differ, in full, plus whether the block existed at all (and the ID3
version and ID3v1 trailer). Undo puts exactly those entries back and checks the result
entry for entry.

Entries are plain JSON: frame fields by name, text as text, small binary values in
base64. Large binary values (pictures) are compared by digest; rules never write them,
so they are never among the entries a write changes.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from mutagen import aiff, dsdiff, dsf, mp3, trueaudio, wave
from mutagen.apev2 import APEValue
from mutagen.asf import ASFValue
from mutagen.id3 import ID3, ID3TimeStamp
from mutagen.mp4 import MP4Cover, MP4FreeForm

from libtool.tags.formats.id3 import frame_class
from libtool.tags.read import container_of

#: Binary values up to this size are kept whole; larger ones (pictures) by digest only.
MAX_KEPT_BYTES = 4096
_ID3V1_SIZE = 128
#: ID3 files whose tag may sit at the very end too, as an ID3v1 trailer.
_ID3V1_TYPES = (mp3.MP3, trueaudio.TrueAudio)
#: ID3 containers that live in a chunk: no ID3v1 trailer.
_CHUNKED = (aiff.AIFF, wave.WAVE, dsf.DSF, dsdiff.DSDIFF)

Entry = list[Any]  # the raw items under one key, as JSON


class NotRestorable(Exception):
    """An entry holds a value only known by its digest: it cannot be put back."""


@dataclass
class TagState:
    """A loaded file's tag: its raw entries by key, and facts about the block itself."""

    container: str | None
    entries: dict[str, Entry]
    #: position of every item in a list-shaped tag (Vorbis, ASF): key -> [index, ...]
    positions: dict[str, list[int]]
    meta: dict[str, Any]


# ----------------------------------------------------------------------------- values


def _json(value: Any) -> Any:
    """Any mutagen value as JSON that compares equal exactly when the values are equal."""
    if value is None or isinstance(value, bool | str | float):
        return value
    if isinstance(value, int):
        return int(value)  # IntEnum (ID3 encodings, picture types) as its number
    if isinstance(value, bytes):
        if len(value) <= MAX_KEPT_BYTES:
            return {"b64": base64.b64encode(value).decode("ascii")}
        return {"sha1": hashlib.sha1(value).hexdigest(), "len": len(value)}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, ID3TimeStamp):  # as text: the same frame loaded as raw text
        return value.text
    if isinstance(value, ID3):  # CHAP / CTOC sub-frames
        return {"frames": {k: _frame_json(f) for k, f in value.items()}}
    return {"repr": repr(value)}


def _value(data: Any) -> Any:
    """The inverse of ``_json`` for what can be put back."""
    if isinstance(data, list):
        return [_value(v) for v in data]
    if isinstance(data, dict):
        if "b64" in data:
            return base64.b64decode(data["b64"])
        raise NotRestorable(str(data)[:80])
    return data


def _frame_json(frame: Any) -> dict[str, Any]:
    specs = (*frame._framespec, *frame._optionalspec)
    fields = {s.name: _json(getattr(frame, s.name, None)) for s in specs}
    return {"id": frame.FrameID, "f": fields}


def _frame(data: dict[str, Any]) -> Any:
    fields = {name: _value(v) for name, v in data["f"].items() if v is not None}
    return frame_class(data["id"])(**fields)


def _mp4_json(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"bool": value}
    items = value if isinstance(value, list) else [value]
    if items and all(isinstance(v, MP4FreeForm) for v in items):
        return {"ff": [[_json(bytes(v)), v.dataformat, v.version] for v in items]}
    if items and all(isinstance(v, MP4Cover) for v in items):
        return {"covr": [[_json(bytes(v)), v.imageformat] for v in items]}
    if all(isinstance(v, str) for v in items):
        return {"text": list(items)}
    if all(isinstance(v, tuple) for v in items):
        return {"pairs": [list(v) for v in items]}
    if all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        return {"ints": list(items)}
    return {"repr": repr(value)}


def _mp4_value(data: dict[str, Any]) -> Any:
    if "bool" in data:
        return data["bool"]
    if "text" in data:
        return list(data["text"])
    if "pairs" in data:
        return [tuple(p) for p in data["pairs"]]
    if "ints" in data:
        return list(data["ints"])
    if "ff" in data:
        return [MP4FreeForm(_value(b), dataformat=f, version=v) for b, f, v in data["ff"]]
    if "covr" in data:
        return [MP4Cover(_value(b), imageformat=f) for b, f in data["covr"]]
    raise NotRestorable(str(data)[:80])


def _asf_json(key: str, attr: Any) -> list[Any]:
    return [key, attr.TYPE, _json(attr.value), attr.language, attr.stream]


def _ape_json(key: str, value: Any) -> list[Any]:
    return [key, value.kind, _json(value.value)]


# ------------------------------------------------------------------------------ state


def capture(audio: Any) -> TagState:
    """The raw entries of a loaded file's tag, and whether it has a tag block at all."""
    tags: Any = audio.tags
    container = container_of(tags)
    entries: dict[str, Entry] = {}
    positions: dict[str, list[int]] = {}
    meta: dict[str, Any] = {"exists": tags is not None}
    if container == "id3":
        header = getattr(tags, "_header", True)
        meta["id3"] = None if header is None else f"2.{tags.version[1]}"
        for key, frame in tags.items():
            entries[key] = [_frame_json(frame)]
    elif container in ("vorbis", "asf"):
        for index, (key, value) in enumerate(list.__iter__(tags)):
            folded = key.lower()
            item = [key, value] if container == "vorbis" else _asf_json(key, value)
            entries.setdefault(folded, []).append(item)
            positions.setdefault(folded, []).append(index)
    elif container == "mp4":
        for key, value in tags.items():
            entries[key] = [_mp4_json(value)]
    elif container == "apev2":
        for key, value in tags.items():
            entries[key.lower()] = [_ape_json(key, value)]
    if isinstance(audio, _ID3V1_TYPES) or (container == "id3" and not isinstance(audio, _CHUNKED)):
        meta["id3v1"] = _id3v1(audio.filename)
    return TagState(container, entries, positions, meta)


def _id3v1(path: Any) -> str | None:
    """The file's ID3v1 trailer (base64), if it has one."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        if handle.tell() < _ID3V1_SIZE:
            return None
        handle.seek(-_ID3V1_SIZE, 2)
        data = handle.read(_ID3V1_SIZE)
    return base64.b64encode(data).decode("ascii") if data[:3] == b"TAG" else None


def changes(before: TagState, after: TagState) -> dict[str, Any]:
    """What a write changed, as JSON: the differing entries on both sides, and the block."""
    keys = sorted(k for k in {*before.entries, *after.entries} if _differs(before, after, k))
    return {
        "container": before.container or after.container,
        "before": _side(before, keys),
        "after": _side(after, keys),
    }


def _differs(before: TagState, after: TagState, key: str) -> bool:
    return before.entries.get(key) != after.entries.get(key)


def _side(state: TagState, keys: list[str]) -> dict[str, Any]:
    return {
        "meta": state.meta,
        "entries": {k: state.entries[k] for k in keys if k in state.entries},
        "positions": {k: state.positions[k] for k in keys if k in state.positions},
        "keys": keys,
    }


def is_empty(snapshot: dict[str, Any]) -> bool:
    """Whether the write changed nothing at all (no entry, same block)."""
    return (
        not snapshot["before"]["keys"] and snapshot["before"]["meta"] == (snapshot["after"]["meta"])
    )


def matches(state: TagState, side: dict[str, Any]) -> bool:
    """Whether the file's tag holds exactly ``side``'s entries (for the keys it names)
    and the same block (existence, ID3 version, ID3v1 trailer)."""
    if not _same_meta(state.meta, side["meta"]):
        return False
    return all(state.entries.get(k) == side["entries"].get(k) for k in side["keys"])


def _same_meta(now: dict[str, Any], wanted: dict[str, Any]) -> bool:
    if wanted.get("id3") == "2.2":  # mutagen cannot write v2.2: it comes back as v2.4
        wanted = {**wanted, "id3": "2.4"}
    return {k: now.get(k) for k in wanted} == wanted


def put_back(audio: Any, side: dict[str, Any]) -> None:
    """Replace the entries ``side`` names with its versions of them (absent: removed), in
    the loaded tag, at their old positions in list-shaped tags."""
    tags: Any = audio.tags
    container = container_of(tags)
    keys = set(side["keys"])
    entries = side["entries"]
    if container == "id3":
        for key in keys:
            if key in tags:
                del tags[key]
        for key in sorted(keys & set(entries)):
            for data in entries[key]:
                tags.add(_frame(data))
    elif container in ("vorbis", "asf"):
        kept = [(k, v) for k, v in list.__iter__(tags) if k.lower() not in keys]
        placed = sorted(
            (index, item)
            for key in keys & set(entries)
            for index, item in zip(side["positions"][key], entries[key], strict=True)
        )
        for index, item in placed:
            kept.insert(index, _list_item(container, item))
        list.__init__(tags, kept)
    elif container == "mp4":
        for key in keys:
            tags.pop(key, None)
        for key in keys & set(entries):
            tags[key] = _mp4_value(entries[key][0])
    elif container == "apev2":
        for key in keys:
            if key in tags:
                del tags[key]
        for key in keys & set(entries):
            real, kind, value = entries[key][0]
            tags[real] = APEValue(_value(value), kind)


def _list_item(container: str, item: list[Any]) -> tuple[str, Any]:
    if container == "vorbis":
        return item[0], item[1]
    key, kind, value, language, stream = item
    return key, ASFValue(_value(value), kind, language=language, stream=stream)


def other_differences(a: TagState, b: TagState, keys: list[str]) -> list[str]:
    """Keys outside ``keys`` whose entries differ between ``a`` and ``b``."""
    skip = set(keys)
    return sorted(k for k in {*a.entries, *b.entries} if k not in skip and _differs(a, b, k))


def restore_id3v1(path: Any, trailer: str | None) -> None:
    """Put an ID3v1 trailer back byte for byte (or take away one the file did not have)."""
    current = _id3v1(path)
    if current == trailer:
        return
    with open(path, "rb+") as handle:
        handle.seek(0, 2)
        end = handle.tell()
        if current is not None:
            end -= _ID3V1_SIZE
            handle.truncate(end)
        if trailer is not None:
            handle.seek(end)
            handle.write(base64.b64decode(trailer))
