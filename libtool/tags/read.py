"""Read one audio file: stream info, canonical fields, and every other tag.

This runs inside scan worker processes, so it returns a plain, picklable
``TrackRecord`` (``libtool.tags.record``).
The format class is chosen from the extension first (much cheaper than
mutagen's content sniffing) with sniffing as the fallback, so a FLAC file
named ``.mp3`` is still read correctly.
"""

from __future__ import annotations

import errno
import hashlib
import math
import os
import stat
from dataclasses import replace
from typing import Any, NamedTuple

import mutagen
from mutagen import (
    aac,
    ac3,
    aiff,
    asf,
    dsdiff,
    dsf,
    flac,
    monkeysaudio,
    mp3,
    mp4,
    musepack,
    oggopus,
    oggspeex,
    oggvorbis,
    optimfrog,
    smf,
    tak,
    trueaudio,
    wave,
    wavpack,
)
from mutagen._vorbis import VCommentDict
from mutagen.apev2 import APEBinaryValue, APEExtValue, APETextValue, APEv2
from mutagen.asf import ASFTags
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Cover, MP4FreeForm, MP4Tags

from libtool.errors import FileError
from libtool.scan.walk import AUDIO_EXTENSIONS
from libtool.tags.fields import DERIVED_YEARS, FIELD_BY_NAME, parse_year, value_typer
from libtool.tags.formats import apev2 as ape_rules
from libtool.tags.formats import asf as asf_rules
from libtool.tags.formats import id3 as id3_rules
from libtool.tags.formats import mp4 as mp4_rules
from libtool.tags.formats import vorbis as vorbis_rules
from libtool.tags.formats.asf import attr_text
from libtool.tags.formats.base import KeyedRule, Rule, binary_summary, safe_str
from libtool.tags.formats.id3 import KNOWN_FRAMES, Id3ReadView
from libtool.tags.formats.mp4 import Mp4ReadView, freeform_text
from libtool.tags.formats.vorbis import ReadView
from libtool.tags.record import TYPED_FIELDS, StreamFacts, StreamInfo, TrackRecord
from libtool.tags.tagmap import RULES

#: Extension -> mutagen class tried first.
BY_EXTENSION: dict[str, type[mutagen.FileType]] = {
    ".mp3": mp3.MP3,
    ".mp2": mp3.MP3,
    ".flac": flac.FLAC,
    ".ogg": oggvorbis.OggVorbis,
    ".oga": oggvorbis.OggVorbis,
    ".opus": oggopus.OggOpus,
    ".spx": oggspeex.OggSpeex,
    ".m4a": mp4.MP4,
    ".m4b": mp4.MP4,
    ".m4p": mp4.MP4,
    ".m4r": mp4.MP4,
    ".mp4": mp4.MP4,
    ".3gp": mp4.MP4,
    ".3g2": mp4.MP4,
    ".alac": mp4.MP4,
    ".aac": aac.AAC,
    ".adts": aac.AAC,
    ".adif": aac.AAC,
    ".ac3": ac3.AC3,
    ".eac3": ac3.AC3,
    ".ec3": ac3.AC3,
    ".wma": asf.ASF,
    ".asf": asf.ASF,
    ".aif": aiff.AIFF,
    ".aiff": aiff.AIFF,
    ".aifc": aiff.AIFF,
    ".wav": wave.WAVE,
    ".wave": wave.WAVE,
    ".dsf": dsf.DSF,
    ".dff": dsdiff.DSDIFF,
    ".ape": monkeysaudio.MonkeysAudio,
    ".wv": wavpack.WavPack,
    ".mpc": musepack.Musepack,
    ".mp+": musepack.Musepack,
    ".mpp": musepack.Musepack,
    ".tak": tak.TAK,
    ".tta": trueaudio.TrueAudio,
    ".ofr": optimfrog.OptimFROG,
    ".ofs": optimfrog.OptimFROG,
    ".mid": smf.SMF,
    ".midi": smf.SMF,
}
assert {e.encode() for e in BY_EXTENSION} == AUDIO_EXTENSIONS, "walk and tags disagree"
ID3_FILE_TYPES = (mp3.MP3, trueaudio.TrueAudio, aiff.AIFF, wave.WAVE, dsf.DSF, dsdiff.DSDIFF)

FORMAT_NAMES = {
    "MP3": "MP3",
    "FLAC": "FLAC",
    "OggVorbis": "Ogg Vorbis",
    "OggOpus": "Opus",
    "OggSpeex": "Speex",
    "OggFLAC": "Ogg FLAC",
    "OggTheora": "Ogg Theora",
    "MP4": "MP4",
    "AAC": "AAC",
    "AC3": "AC3",
    "ASF": "ASF",
    "AIFF": "AIFF",
    "WAVE": "WAV",
    "DSF": "DSF",
    "DSDIFF": "DFF",
    "MonkeysAudio": "APE",
    "WavPack": "WavPack",
    "Musepack": "Musepack",
    "TAK": "TAK",
    "TrueAudio": "TrueAudio",
    "OptimFROG": "OptimFROG",
    "SMF": "MIDI",
}

_PICTURE_KEYS = {"metadata_block_picture", "coverart"}


class ReadError(FileError):
    """A file that could not be read."""


def container_of(tags: Any) -> str | None:
    """Which storage rules apply to a mutagen tag object."""
    if isinstance(tags, ID3):
        return "id3"
    if isinstance(tags, VCommentDict):
        return "vorbis"
    if isinstance(tags, MP4Tags):
        return "mp4"
    if isinstance(tags, ASFTags):
        return "asf"
    if isinstance(tags, APEv2):
        return "apev2"
    return None


def open_audio(path: bytes, fileobj: Any = None) -> mutagen.FileType:
    """The mutagen object for ``path``; raises ReadError with a readable reason."""
    ext = os.path.splitext(path)[1].lower().decode("ascii", "replace")
    cls = BY_EXTENSION.get(ext)
    first_error: Exception | None = None
    target = fileobj if fileobj is not None else path
    if cls is not None:
        try:
            return cls(target, **_load_options(cls))
        except Exception as exc:  # any parse failure falls back to content sniffing
            first_error = exc
            if fileobj is not None:
                fileobj.seek(0)
    try:
        audio = _sniff(path, fileobj)
        if audio is not None:  # load again, as the class itself, with our options
            if fileobj is not None:
                fileobj.seek(0)
            audio = type(audio)(target, **_load_options(type(audio)))
    except Exception as exc:
        raise ReadError("corrupt", _describe(first_error or exc)) from exc
    if audio is None:
        if first_error is not None:
            raise ReadError("corrupt", _describe(first_error))
        raise ReadError("unsupported", "not a recognised audio file")
    return audio


def _sniff(path: bytes, fileobj: Any) -> mutagen.FileType | None:
    """What the content says the file is. Given only a file object, mutagen cannot let a
    misleading extension (a FLAC named .mp3) outweigh the content."""
    if fileobj is not None:
        fileobj.seek(0)
        return mutagen.File(fileobj)
    with os.fdopen(os.open(path, os.O_RDONLY), "rb") as handle:  # .name is an int: no extension
        return mutagen.File(handle)


def _load_options(cls: type[mutagen.FileType]) -> dict[str, Any]:
    """Keyword arguments for loading ``cls``: ID3 files keep timestamp text verbatim."""
    if issubclass(cls, ID3_FILE_TYPES):
        return {"known_frames": KNOWN_FRAMES}
    return {}


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    if not text or text.lower() in ("error", type(exc).__name__.lower()):
        text = "truncated or corrupt tag or stream data"
    return f"{type(exc).__name__}: {text}" if not isinstance(exc, ReadError) else text


def read_track(path: bytes) -> TrackRecord:
    """Everything the library stores about one file.

    Only regular files are opened (a FIFO named ``x.mp3`` must not block).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except PermissionError as exc:
        raise ReadError("permission", f"permission denied: {exc.strerror}") from exc
    except FileNotFoundError as exc:
        raise ReadError("vanished", "file vanished during the scan") from exc
    except OSError as exc:
        kind = "io" if exc.errno != errno.ELOOP else "symlink-loop"
        raise ReadError(kind, f"cannot open: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as fileobj:  # mutagen names fileobj.name (the fd) in errors
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError("not-regular", "not a regular file")
        if st.st_size == 0:
            raise ReadError("empty", "empty file")
        try:
            audio = open_audio(path, fileobj)
        except ReadError as exc:
            # mutagen names the file object, here a bare descriptor number ("'6' is not...")
            message = exc.message.replace(f"'{fd}' ", "", 1)
            raise ReadError(exc.kind, message) from exc
        except OSError as exc:
            raise ReadError("io", f"read error: {exc.strerror or exc}") from exc
    return flag_problems(record_of(audio, st))


def record_of(audio: mutagen.FileType, st: os.stat_result) -> TrackRecord:
    """The record of a loaded file whose stat is ``st``, its stream problems not yet flagged."""
    info = stream_info(audio)
    tags = read_tags(audio)
    return TrackRecord(
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,
        info.format,
        info.codec,
        info.length,
        info.bitrate,
        info.sample_rate,
        info.channels,
        info.bits_per_sample,
        tags.tag_format,
        tags.has_picture,
        tags.raw,
        tags.extras,
        *_typed_values(tags.raw),  # positionally: keywords cost ~2 us per record
    )


#: Reserved key in a record's extras: what looks wrong with the file (a list of text).
#: No tag key can clash: Vorbis and ID3 keys cannot hold "~", and mutagen's own keys do not.
PROBLEMS_KEY = "~problems"
#: Below this no codec carries audio (Speex's lowest mode is 2.15 kbit/s, Opus's 6 kbit/s).
MIN_BITRATE = 1000
#: Headers, tags and pictures add bytes, never seconds; this much room covers estimates.
SLACK = 2.0
_PCM_FORMATS = {"WAV", "AIFF"}
_NO_SIZE_CHECK = {"MIDI"}  # a note list: minutes of music in a few bytes


def _size_text(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.0f} {unit}"
    return f"{size}-byte"


def stream_problems(facts: StreamFacts, size: int) -> list[str]:
    """What is implausible about the stream facts mutagen gave, against the file's size.

    The values themselves are stored as they come; this only says which to distrust.
    """
    problems: list[str] = []
    fmt = facts.format
    length, bitrate = facts.length, facts.bitrate
    rate, channels = facts.sample_rate, facts.channels
    bits = facts.bits_per_sample
    if length is None or not math.isfinite(length) or length <= 0:
        problems.append("no length (mutagen gives none)")
        length = None
    if fmt in _NO_SIZE_CHECK:
        return problems
    if length is not None and length * MIN_BITRATE > size * 8 * SLACK:
        problems.append(f"implausible length {length:.0f} s for a {_size_text(size)} file")
    elif (
        length is not None
        and fmt in _PCM_FORMATS
        and rate
        and channels
        and bits
        and length * rate * channels * bits / 8 > size * 1.1 + 65536
    ):
        problems.append(f"implausible length {length:.0f} s for a {_size_text(size)} {fmt} file")
    if bitrate:
        ceiling = rate * channels * 64 * 1.5 if rate and channels else 200_000_000
        if bitrate > ceiling:  # more than 64-bit samples at the stream's own rate
            problems.append(f"implausible bitrate {bitrate // 1000} kbit/s")
        elif length is not None and bitrate * length / 8 > size * SLACK + (1 << 20):
            problems.append(
                f"bitrate {bitrate // 1000} kbit/s over {length:.0f} s "
                f"needs more than the {_size_text(size)} file holds"
            )
    return problems


def flag_problems(record: TrackRecord) -> TrackRecord:
    """The record, with its stream problems (if any) under ``extras[PROBLEMS_KEY]``."""
    problems = stream_problems(record, record.size)
    if problems:
        return replace(record, extras={**record.extras, PROBLEMS_KEY: problems})
    return record


def stream_info(audio: mutagen.FileType) -> StreamInfo:
    info = audio.info
    kind = type(audio).__name__
    codec = getattr(info, "codec", None) or getattr(info, "codec_name", None)
    length = getattr(info, "length", None)
    sample_rate = int(getattr(info, "sample_rate", 0) or 0) or None
    if sample_rate is None and kind == "OggOpus":
        sample_rate = 48000  # Opus always decodes at 48 kHz (RFC 7845); mutagen gives no rate
    return StreamInfo(
        format=FORMAT_NAMES.get(kind, kind),
        codec=safe_str(codec) if codec else None,
        length=float(length) if length is not None else None,
        bitrate=int(getattr(info, "bitrate", 0) or 0) or None,
        sample_rate=sample_rate,
        channels=int(getattr(info, "channels", 0) or 0) or None,
        bits_per_sample=int(getattr(info, "bits_per_sample", 0) or 0) or None,
    )


class Tags(NamedTuple):
    """What ``read_tags`` found in a file's tag."""

    tag_format: str | None
    has_picture: bool
    raw: dict[str, list[str]]  # canonical field -> raw values
    extras: dict[str, list[str]]  # every other tag, as text


def read_tags(audio: mutagen.FileType) -> Tags:
    """Canonical raw values, extras, picture presence and tag container."""
    tags: Any = audio.tags  # Any: each container's tag class reads differently
    container = container_of(tags)
    raw: dict[str, list[str]] = {}
    extras: dict[str, list[str]] = {}
    has_picture = bool(getattr(audio, "pictures", None))
    if container == "vorbis":
        tags = ReadView(tags)  # reading only: an index instead of a scan per key
    if container is not None:
        rules = RULES[container]
        view = _READ_VIEWS[container](tags) if container in _READ_VIEWS else tags
        keys = _keys(tags, container)
        plan = _PLANS[container]
        for name, rule in plan.rules_for(keys):
            values = rule.read(view)
            if values:
                raw[name] = values
        claimed = _CLAIMED[container]
        may_be_unreadable = container == "apev2"  # asked only where it can be so
        for key in keys:
            is_claimed = claimed.get(key)
            if is_claimed is None:
                is_claimed = any(rule.claims(key) for rule in rules.values())
                if len(claimed) < _CLAIMED_MAX:  # keys holding binary data (PRIV) are unique
                    claimed[key] = is_claimed
            if is_claimed and not (may_be_unreadable and _unreadable_value(tags, container, key)):
                continue
            values, is_picture = _extra_values(tags, container, key)
            has_picture = has_picture or is_picture
            if values:
                shown = id3_key(key, tags[key]) if container == "id3" else key
                extras[safe_str(shown)] = values
        for key, blobs in _failed_atoms(tags, container).items():
            extras.setdefault(safe_str(key), [binary_summary(b, "unparsed atom") for b in blobs])
    return Tags(_tag_format(tags, container), has_picture, raw, extras)


#: Per container, whether a raw key belongs to a canonical field. ``claims`` depends on
#: the key alone and asking every rule cost more per file than reading the fields; the
#: cache is bounded by how many distinct keys a library uses.
_CLAIMED: dict[str, dict[str, bool]] = {container: {} for container in RULES}
_CLAIMED_MAX = 20_000
#: Read-only indexes over a loaded tag, for containers whose lookups scan every frame.
_READ_VIEWS: dict[str, Any] = {"id3": Id3ReadView, "mp4": Mp4ReadView}


class ReadPlan:
    """Which of a container's rules can find anything in a file, from the keys it holds.

    Most files hold 6-12 keys, and evaluating every rule (~36 fields, several aliases
    each) cost more than the rest of the extraction. A rule is evaluated only when the
    file holds one of its ``read_keys`` (``KeyedRule``), compared through the container's
    ``normal_key`` as its lookups compare keys; a rule that does not declare them is
    always evaluated.
    Rules run in field order, as before, so ``raw`` is ordered the same.
    """

    def __init__(self, rules: dict[str, Rule], normal_key: Any) -> None:
        self.rules: tuple[tuple[str, Rule], ...] = tuple(rules.items())
        self.normal_key = normal_key
        always: list[int] = []
        by_key: dict[str, list[int]] = {}
        for index, (_, rule) in enumerate(self.rules):
            if isinstance(rule, KeyedRule):
                for key in {normal_key(k) for k in rule.read_keys}:
                    by_key.setdefault(key, []).append(index)
            else:
                always.append(index)
        self.always = tuple(always)
        self.by_key = {key: tuple(indexes) for key, indexes in by_key.items()}

        #: Raw key layout -> rules: files from one tagger share a few layouts. Bounded.
        self._cache: dict[tuple[str, ...], list[tuple[str, Rule]]] = {}

    def rules_for(self, keys: list[str]) -> list[tuple[str, Rule]]:
        """The rules to evaluate for a file holding the raw keys ``keys``, in field order."""
        layout = tuple(keys)
        found = self._cache.get(layout)
        if found is not None:
            return found
        wanted = set(self.always)
        by_key, normal = self.by_key, self.normal_key
        for key in keys:
            hit = by_key.get(normal(key))
            if hit:
                wanted.update(hit)
        rules = self.rules
        found = [rules[index] for index in sorted(wanted)]
        if len(self._cache) < _LAYOUTS_MAX:
            self._cache[layout] = found
        return found


#: How each container's lookups compare raw keys (the form of its rules' ``read_keys``).
NORMAL_KEYS: dict[str, Any] = {
    "id3": id3_rules.normal_key,
    "vorbis": vorbis_rules.normal_key,
    "mp4": mp4_rules.normal_key,
    "asf": asf_rules.normal_key,
    "apev2": ape_rules.normal_key,
}
_LAYOUTS_MAX = 2_000
_PLANS: dict[str, ReadPlan] = {c: ReadPlan(RULES[c], NORMAL_KEYS[c]) for c in RULES}


def typed_columns(raw: dict[str, list[str]]) -> dict[str, Any]:
    """Typed column values for every canonical field (None when absent)."""
    return dict(zip(TYPED_FIELDS, _typed_values(raw), strict=True))


#: Where each typed column (``TYPED_FIELDS``) sits in a record's typed values.
_TYPED_INDEX = {name: index for index, name in enumerate(TYPED_FIELDS)}
_DERIVED_INDEX = tuple(
    (_TYPED_INDEX[year], _TYPED_INDEX[date]) for year, date in DERIVED_YEARS.items()
)
_NO_VALUES = (None,) * len(TYPED_FIELDS)
_TYPERS = {name: (_TYPED_INDEX[name], value_typer(f)) for name, f in FIELD_BY_NAME.items()}


def _typed_values(raw: dict[str, list[str]]) -> list[Any]:
    """The typed columns' values, in ``TYPED_FIELDS`` order (None when absent)."""
    columns: list[Any] = list(_NO_VALUES)  # typed_value of no values is None
    for name, values in raw.items():
        index, typed = _TYPERS[name]
        columns[index] = typed(values)
    for year, date in _DERIVED_INDEX:
        columns[year] = parse_year(columns[date]) if columns[date] else None
    return columns


def _tag_format(tags: Any, container: str | None) -> str | None:
    if container == "id3":
        if getattr(tags, "_header", True) is None:  # no ID3v2 header: what we read was ID3v1
            return "id3v1"
        version = getattr(tags, "version", (2, 4, 0))
        return f"id3v2.{version[1]}" if version[0] == 2 else "id3v1"
    return container


def _keys(tags: Any, container: str) -> list[str]:
    if container == "asf":
        return list(dict.fromkeys(k for k, _ in tags))
    return list(tags.keys())


def _unreadable_value(tags: Any, container: str, key: str) -> bool:
    """A canonical key whose value no rule can read as text (an APEv2 binary or external
    item): it is kept among the extras, so it does not vanish from view."""
    return container == "apev2" and not isinstance(tags[key], APETextValue)


def _failed_atoms(tags: Any, container: str) -> dict[str, list[bytes]]:
    """MP4 atoms mutagen could not parse; it keeps them (and writes them back) aside."""
    if container != "mp4":
        return {}
    failed = getattr(tags, "_failed_atoms", None)
    return dict(failed) if isinstance(failed, dict) else {}


def _extra_values(tags: Any, container: str, key: str) -> tuple[list[str], bool]:
    """A non-canonical tag as text, binary data summarised; and whether it is a picture.

    Every value type mutagen can hand back is expected here (bools, integers, pairs,
    bytes, typed attributes, frames of any class): an odd value is summarised, never
    allowed to fail the whole file.
    """
    try:
        if container == "id3":
            return _id3_extra(tags[key])
        if container == "vorbis":
            values = tags[key]
            if key.lower() in _PICTURE_KEYS:
                return [f"<picture, {sum(len(v) for v in values)} base64 chars>"], True
            return [safe_str(v) for v in values], False
        if container == "mp4":
            values = _as_list(tags[key])
            if key == "covr":
                return [f"<picture, {len(v)} bytes>" for v in values], True
            return [_mp4_text(v) for v in values], False
        if container == "asf":
            values = _as_list(tags[key])
            if key == "WM/Picture":
                return [f"<picture, {len(_asf_bytes(v))} bytes>" for v in values], True
            return [attr_text(v) for v in values], False
        return _ape_extra(key, tags[key])
    except Exception as exc:  # a value no rule foresaw: summarised, the file still reads
        return [f"<unreadable value: {type(exc).__name__}>"], False


def _as_list(value: Any) -> list[Any]:
    """mutagen gives most values as lists, but some as a bare value (MP4 ``pgap``: a bool)."""
    if isinstance(value, list | tuple) and not _is_pair(value):
        return list(value)
    return [value]


def _is_pair(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, int) for v in value)


def _id3_extra(frame: Any) -> tuple[list[str], bool]:
    """One ID3 frame of any class as text: text, URLs, counters; binary data summarised."""
    name = frame.FrameID
    if name in ("APIC", "PIC"):
        return [f"<picture {frame.mime}, {len(frame.data)} bytes>"], True
    if name == "SYLT":  # text is [(text, time), ...]
        return [safe_str("\n".join(str(text) for text, _ in frame.text))], False
    if name in ("TIPL", "TMCL", "IPLS"):  # [[role, name], ...]
        return [safe_str(f"{role}: {who}") for role, who in frame.people], False
    if hasattr(frame, "text") and not hasattr(frame, "data"):
        text = frame.text if isinstance(frame.text, list) else [frame.text]
        return [safe_str(t) for t in text], False
    if hasattr(frame, "url"):  # W*** and WXXX
        return [safe_str(frame.url)], False
    data = getattr(frame, "data", None)
    if isinstance(data, bytes):  # GEOB, PRIV, UFID, MCDI, ENCR, GRID, SYTC, ...
        if name == "UFID" and data.isascii() and data.decode("ascii").isprintable():
            return [data.decode("ascii")], False
        if name == "GEOB":
            label = f"object {frame.mime} {frame.filename!r}".replace("  ", " ")
            return [safe_str(binary_summary(data, label))], False
        return [binary_summary(data)], False
    if name in ("CHAP", "CTOC"):  # mutagen describes them and their sub-frames well
        return [safe_str(frame._pprint())], False
    return [_frame_fields(frame)], False


def _frame_fields(frame: Any) -> str:
    """Any other frame (RVA2, POPM, ETCO, OWNE, SEEK...) as ``name=value`` pairs."""
    parts = []
    for spec in (*frame._framespec, *frame._optionalspec):
        value = getattr(frame, spec.name, None)
        if value is None or spec.name == "encoding":
            continue
        if isinstance(value, bytes):
            value = binary_summary(value)
        parts.append(f"{spec.name}={value}")
    return safe_str(" ".join(parts) or f"<{frame.FrameID}>")


def id3_key(key: str, frame: Any) -> str:
    """An ID3 frame's key without the binary data mutagen puts in some (PRIV, COMR...).

    A digest of the full key keeps two such frames apart.
    """
    printable = frame.FrameID != "PRIV" and not any(
        ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in key
    )
    if printable:
        return key
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if frame.FrameID == "PRIV":
        return f"PRIV:{frame.owner}:#{digest}"
    readable = key[: next(i for i, c in enumerate(key) if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0)]
    return f"{readable.rstrip(':')}:#{digest}"


def _ape_extra(key: str, value: Any) -> tuple[list[str], bool]:
    if isinstance(value, APEBinaryValue):
        return [binary_summary(bytes(value.value or b""))], key.lower().startswith("cover art")
    if isinstance(value, APETextValue):
        return [safe_str(v) for v in value], False
    if isinstance(value, APEExtValue):  # a link to external data: keep the locator
        return [f"<external {safe_str(value.value)}>"], False
    return [safe_str(getattr(value, "value", value))], False


def _asf_bytes(attr: Any) -> bytes:
    value = getattr(attr, "value", attr)
    return value if isinstance(value, bytes) else b""


def _mp4_text(value: Any) -> str:
    """One MP4 value of any type: text, bool, int, (n, N) pair, freeform data, cover."""
    if isinstance(value, MP4Cover):
        return f"<picture, {len(value)} bytes>"
    if isinstance(value, MP4FreeForm):
        return freeform_text(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return binary_summary(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return "/".join(str(v) for v in value)
    return safe_str(value)
