#!/usr/bin/env python3
"""Regenerate the libtool demo library in ``sample_music/`` from scratch.

All audio is synthesised locally with ffmpeg (sine tones and seeded pink
noise); all tags are written with mutagen using explicit frames/keys, with
deliberate mess that ``mlib`` is meant to cope with (see README.md).

Usage::

    python sample_music/make_samples.py

Needs ``ffmpeg`` on PATH (encoders: libmp3lame, flac, libvorbis, libopus,
aac, pcm_s16be/le, wmav2, wavpack, mjpeg) and ``mutagen``.  The generated
subfolders are deleted and recreated on every run; README.md and this script
are left alone.  Output is byte-for-byte deterministic as far as ffmpeg's
``+bitexact`` flags allow.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.aiff import AIFF
from mutagen.apev2 import APEv2
from mutagen.asf import ASF, ASFDWordAttribute, ASFUnicodeAttribute
from mutagen.flac import FLAC, VCFLACDict
from mutagen.id3 import (
    APIC,
    COMM,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TPE1,
    TRCK,
    TXXX,
    TYER,
    Encoding,
    PictureType,
)
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE
from mutagen.wavpack import WavPack

ROOT = Path(__file__).resolve().parent

DEAD_WEATHER = Path("The Dead Weather") / "Sea of Cowards (2010)"
JT_BRUCE = Path("JT Bruce") / "Ruined Subjects"
ANIL = Path("Orquesta Añil") / "Canciones del Río (2018)"
LANTERN = Path("Lantern Coast") / "Night Ferry"
LOOSE = Path("Loose")

# Top-level folders owned (deleted and recreated) by this script.
GENERATED_DIRS: tuple[str, ...] = (
    "The Dead Weather",
    "JT Bruce",
    "Orquesta Añil",
    "Lantern Coast",
    "Loose",
)

# ---------------------------------------------------------------------------
# ffmpeg helpers
# ---------------------------------------------------------------------------

BITEXACT: tuple[str, ...] = (
    "-map_metadata", "-1",
    "-fflags", "+bitexact",
    "-flags:a", "+bitexact",
)  # fmt: skip

MP3_ARGS = ("-c:a", "libmp3lame", "-b:a", "32k", "-ar", "22050", "-ac", "1",
            "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3")  # fmt: skip
FLAC_ARGS = ("-c:a", "flac", "-sample_fmt", "s16", "-ar", "8000", "-ac", "1",
             "-f", "flac")  # fmt: skip
VORBIS_ARGS = ("-c:a", "libvorbis", "-q:a", "0", "-ar", "22050", "-ac", "1",
               "-f", "ogg")  # fmt: skip
OPUS_ARGS = ("-c:a", "libopus", "-b:a", "16k", "-ar", "16000", "-ac", "1",
             "-f", "opus")  # fmt: skip
AAC_ARGS = ("-c:a", "aac", "-b:a", "32k", "-ar", "22050", "-ac", "2",
            "-f", "ipod")  # fmt: skip
AIFF_ARGS = ("-c:a", "pcm_s16be", "-ar", "8000", "-ac", "1", "-f", "aiff")
WAV_ARGS = ("-c:a", "pcm_s16le", "-ar", "8000", "-ac", "1", "-f", "wav")
WMA_ARGS = ("-c:a", "wmav2", "-b:a", "32k", "-ar", "22050", "-ac", "1",
            "-f", "asf")  # fmt: skip
WV_ARGS = ("-c:a", "wavpack", "-ar", "8000", "-ac", "1", "-f", "wv")


def run_ffmpeg(args: Sequence[str]) -> None:
    """Run ffmpeg quietly, raising with its stderr on failure."""
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
           *args]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        msg = f"ffmpeg failed ({result.returncode}): {' '.join(cmd)}\n"
        raise RuntimeError(msg + result.stderr)


def tone(freq: float, seconds: float) -> str:
    """lavfi source: a plain sine tone."""
    return f"sine=frequency={freq}:sample_rate=44100:duration={seconds}"


def noise(seed: int, seconds: float) -> str:
    """lavfi source: seeded (hence reproducible) pink noise."""
    return f"anoisesrc=color=pink:seed={seed}:amplitude=0.25:sample_rate=44100:duration={seconds}"


def make_audio(dest: Path, source: str, codec_args: Sequence[str]) -> None:
    """Synthesise ``source`` (a lavfi graph) into ``dest`` with no tags."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(["-f", "lavfi", "-i", source, *BITEXACT, *codec_args, str(dest)])


def make_jpeg(dest: Path, colour: str, size: int = 16) -> None:
    """A tiny solid-colour JPEG (used as folder.jpg and an APIC picture)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg([
        "-f", "lavfi", "-i", f"color=c={colour}:s={size}x{size}:d=1",
        "-frames:v", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
        "-pix_fmt", "yuvj420p", "-f", "image2", "-c:v", "mjpeg", str(dest),
    ])  # fmt: skip


def make_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """Build a minimal truecolour PNG by hand (zlib + struct, no Pillow)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return (
            struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # Simple diagonal stripes so the picture is not a single flat colour.
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: None
        for x in range(width):
            shade = 0.6 if (x + y) % 4 < 2 else 1.0
            rows.extend(int(c * shade) for c in rgb)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------------------
# Manifest of what was made (printed and checked at the end)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    """One generated file and the mess it deliberately carries."""

    path: Path
    fmt: str
    mess: str
    readable: bool = True


MANIFEST: list[Made] = []


def record(path: Path, fmt: str, mess: str, *, readable: bool = True) -> None:
    MANIFEST.append(Made(path, fmt, mess, readable))


# ---------------------------------------------------------------------------
# 1. The Dead Weather - Sea of Cowards: MP3, ID3v2.4, messy
# ---------------------------------------------------------------------------

# MusicBrainz release 8eb2b179-643d-3507-b64c-29fcc6745156 (positions 1-11).
# Note: MusicBrainz spells 4 and 6 with U+2019; these "rips" use ASCII "'".
SEA_OF_COWARDS: tuple[str, ...] = (
    "Blue Blood Blues",
    "Hustle and Cuss",
    "The Difference Between Us",
    "I'm Mad",
    "Die by the Drop",
    "I Can't Hear You",
    "Gasoline",
    "No Horse",
    "Looking at the Invisible Man",
    "Jawbreaker",
    "Old Mary",
)
# Inconsistent TRCK styles, as left behind by different rippers/taggers.
SOC_TRCK: dict[int, str] = {4: "04", 5: "5", 9: "09", 11: "11"}
SOC_TYPO: dict[int, str] = {2: "Hustle and Cus"}
SOC_UNTITLED = 7


def build_dead_weather() -> None:
    folder = ROOT / DEAD_WEATHER
    for pos, real_title in enumerate(SEA_OF_COWARDS, start=1):
        title = SOC_TYPO.get(pos, real_title)
        untitled = pos == SOC_UNTITLED
        name = f"Track {pos:02d}.mp3" if untitled else f"{pos:02d} - {title}.mp3"
        path = folder / name
        make_audio(path, tone(220.0 + 20.0 * pos, 1.5), MP3_ARGS)

        tags = ID3()
        if pos != SOC_UNTITLED:
            tags.add(TIT2(encoding=Encoding.UTF8, text=[title]))
        tags.add(TPE1(encoding=Encoding.UTF8, text=["The Dead Weather"]))
        tags.add(TALB(encoding=Encoding.UTF8, text=["Sea of Cowards"]))
        tags.add(TDRC(encoding=Encoding.UTF8, text=["2010-05-10"]))
        tags.add(TRCK(encoding=Encoding.UTF8, text=[SOC_TRCK.get(pos, f"{pos}/11")]))
        tags.add(TCON(encoding=Encoding.UTF8, text=["Garage Rock"]))
        # Deliberately no TPE2 (album artist) and no MusicBrainz IDs.
        tags.save(path, v2_version=4)

        mess = ["ID3v2.4, no album artist"]
        if pos in SOC_TRCK:
            mess.append(f'TRCK "{SOC_TRCK[pos]}"')
        if pos in SOC_TYPO:
            mess.append(f'title typo (real: "{real_title}")')
        if pos == SOC_UNTITLED:
            mess.append(f'no TIT2 at all (real: "{real_title}")')
        if "'" in title:
            mess.append("ASCII ' where MusicBrainz has U+2019")
        record(path, "MP3", "; ".join(mess))

    cover = folder / "folder.jpg"
    make_jpeg(cover, "0x8b1a1a")
    record(cover, "JPEG", "non-audio file inside an album folder", readable=False)


# ---------------------------------------------------------------------------
# 2. JT Bruce - Ruined Subjects: FLAC, tidy-ish, multi-valued GENRE
# ---------------------------------------------------------------------------

# MusicBrainz release 833d4c3a-2635-4b7a-83c4-4e560588f23a (titles verbatim,
# including MusicBrainz's own "In The Clounds").
RUINED_SUBJECTS: tuple[str, ...] = (
    "Pollux", "Vega", "Deneb", "Sirius", "Descent", "The Grand Machine",
    "In The Clounds", "Paranoia", "Cubic", "Separation", "Retarded Retard",
    "Umlaut Ampersand", "Trees", "The Multiverse", "Flux's Curiosity",
    "Infinimarch", "Deathboat", "Painter's Vista", "The City",
    "New Beginning", "Memories of Onus",
)  # fmt: skip


def build_jt_bruce() -> None:
    folder = ROOT / JT_BRUCE
    total = len(RUINED_SUBJECTS)
    for pos, title in enumerate(RUINED_SUBJECTS, start=1):
        path = folder / f"JT Bruce - Ruined Subjects - {pos:02d} {title}.flac"
        source = tone(110.0 * (1 + pos % 7), 1) if pos % 3 else noise(pos, 1)
        make_audio(path, source, FLAC_ARGS)

        audio = FLAC(path)
        audio.clear_pictures()
        if audio.tags is None:
            audio.add_tags()
        assert isinstance(audio.tags, VCFLACDict)
        audio.tags.clear()
        audio["TITLE"] = title
        audio["ARTIST"] = "JT Bruce"
        audio["ALBUMARTIST"] = "JT Bruce"
        audio["ALBUM"] = "Ruined Subjects"
        audio["DATE"] = "2011-08-09"
        audio["TRACKNUMBER"] = str(pos)
        audio["TRACKTOTAL"] = str(total)
        audio["GENRE"] = ["Progressive Metal", "Instrumental"]
        audio.save()
        record(path, "FLAC", "clean; two GENRE entries; TRACKTOTAL separate")


# ---------------------------------------------------------------------------
# 3. Orquesta Añil - Canciones del Río: 2 discs, Ogg Vorbis + Opus, Unicode
# ---------------------------------------------------------------------------

ANIL_DISCS: dict[int, tuple[str, str, tuple[str, ...]]] = {
    1: ("ogg", "Ogg Vorbis", ("Amanecer en Añil", "夜明けの歌", "Río Abajo")),
    2: ("opus", "Opus", ("Sol 🌞", "Canción de la Niña", "Último Tren")),
}


def build_anil() -> None:
    for disc, (ext, fmt, titles) in ANIL_DISCS.items():
        folder = ROOT / ANIL / f"Disc {disc}"
        for pos, title in enumerate(titles, start=1):
            path = folder / f"{pos:02d} - {title}.{ext}"
            freq = 330.0 + 55.0 * (disc * 3 + pos)
            audio: OggVorbis | OggOpus
            if ext == "ogg":
                make_audio(path, tone(freq, 2), VORBIS_ARGS)
                audio = OggVorbis(path)
            else:
                make_audio(path, tone(freq, 2), OPUS_ARGS)
                audio = OggOpus(path)
            assert audio.tags is not None
            audio.tags.clear()
            audio["TITLE"] = title
            audio["ARTIST"] = "Orquesta Añil"
            audio["ALBUMARTIST"] = "Orquesta Añil"
            audio["ALBUM"] = "Canciones del Río"
            audio["DATE"] = "2018-03-21"
            audio["GENRE"] = "Latin"
            audio["TRACKNUMBER"] = str(pos)
            audio["TRACKTOTAL"] = str(len(titles))
            audio["DISCNUMBER"] = str(disc)
            audio["DISCTOTAL"] = str(len(ANIL_DISCS))
            audio.save()
            mess = "two-disc set in Disc N/ subfolders; accents in artist/album"
            if not title.isascii():
                mess += "; non-ASCII title and filename"
            if "🌞" in title:
                mess += " (emoji, astral plane)"
            if "夜" in title:
                mess += " (Japanese)"
            record(path, fmt, mess)


# ---------------------------------------------------------------------------
# 4. Lantern Coast - Night Ferry: M4A (AAC), cover art, freeform barcode
# ---------------------------------------------------------------------------

LANTERN_TRACKS: tuple[tuple[str, str], ...] = (
    ("Harbour Lights", "Lantern Coast"),
    ("Night Ferry", "Lantern Coast feat. Mira Solberg"),
    ("Salt & Static", "Lantern Coast"),
)
LANTERN_BARCODE = "5012345678900"  # invented, valid EAN-13 check digit


def build_lantern() -> None:
    folder = ROOT / LANTERN
    cover = make_png(8, 8, (40, 90, 160))
    total = len(LANTERN_TRACKS)
    for pos, (title, artist) in enumerate(LANTERN_TRACKS, start=1):
        path = folder / f"{pos:02d} {title}.m4a"
        make_audio(path, tone(392.0 + 49.0 * pos, 2), AAC_ARGS)

        audio = MP4(path)
        if audio.tags is None:
            audio.add_tags()
        assert audio.tags is not None
        audio.tags.clear()
        audio["\xa9nam"] = [title]
        audio["\xa9ART"] = [artist]
        audio["aART"] = ["Lantern Coast"]
        audio["\xa9alb"] = ["Night Ferry"]
        audio["\xa9day"] = ["2021-09-17"]
        audio["\xa9gen"] = ["Dream Pop"]
        audio["trkn"] = [(pos, total)]
        audio["disk"] = [(1, 1)]
        audio["----:com.apple.iTunes:BARCODE"] = [MP4FreeForm(LANTERN_BARCODE.encode("ascii"))]
        audio["covr"] = [MP4Cover(cover, imageformat=MP4Cover.FORMAT_PNG)]
        audio.save()
        mess = "trkn/disk atoms; freeform BARCODE; embedded PNG covr"
        if artist != "Lantern Coast":
            mess += "; track artist differs from album artist (feat.)"
        record(path, "M4A (AAC)", mess)


# ---------------------------------------------------------------------------
# 5. Loose/ - odd singles, odd formats, broken files
# ---------------------------------------------------------------------------

HOSTILE_TITLE = "Greatest Hits [Remastered] [bold red]x[/]"


def loose_mp3_v23(folder: Path) -> None:
    path = folder / "Mirela Dunn - Paper Boats.mp3"
    make_audio(path, noise(7, 2), MP3_ARGS)
    jpeg = folder / ".apic-tmp.jpg"
    make_jpeg(jpeg, "0x2e8b57")
    picture = jpeg.read_bytes()
    jpeg.unlink()

    tags = ID3()
    # Only v2.3-native frames (TYER, not TDRC).  update_to_v23() is *not*
    # called on purpose: it would normalise the raw "(17)" genre to "Rock".
    tags.add(TIT2(encoding=Encoding.UTF16, text=["Paper Boats"]))
    tags.add(TPE1(encoding=Encoding.UTF16, text=["Mirela Dunn"]))
    tags.add(TALB(encoding=Encoding.UTF16, text=["Demo Tape"]))
    tags.add(TYER(encoding=Encoding.UTF16, text=["1998"]))
    tags.add(TRCK(encoding=Encoding.UTF16, text=["1"]))
    tags.add(TCON(encoding=Encoding.LATIN1, text=["(17)"]))
    tags.add(TXXX(encoding=Encoding.UTF16, desc="CATALOGNUMBER", text=["DEMO-001"]))
    tags.add(COMM(encoding=Encoding.UTF16, lang="eng", desc="", text=["ripped from tape"]))
    tags.add(
        APIC(
            encoding=Encoding.UTF16,
            mime="image/jpeg",
            type=PictureType.COVER_FRONT,
            desc="Cover",
            data=picture,
        )
    )
    tags.save(path, v2_version=3)
    record(
        path,
        "MP3",
        'ID3v2.3; APIC JPEG; TXXX:CATALOGNUMBER; numeric genre "(17)" (= Rock)',
    )


def loose_aiff(folder: Path) -> None:
    path = folder / "Greatest Hits [Remastered].aiff"
    make_audio(path, tone(523.25, 1), AIFF_ARGS)
    audio = AIFF(path)
    if audio.tags is None:
        audio.add_tags()
    assert audio.tags is not None
    audio.tags.add(TIT2(encoding=Encoding.UTF8, text=[HOSTILE_TITLE]))
    audio.tags.add(TPE1(encoding=Encoding.UTF8, text=["Nobody In Particular"]))
    audio.tags.add(TALB(encoding=Encoding.UTF8, text=["Greatest Hits"]))
    audio.tags.add(TRCK(encoding=Encoding.UTF8, text=["1"]))
    audio.save(v2_version=4)
    record(
        path,
        "AIFF",
        "ID3 chunk; title contains Rich-style markup [bold red]...[/] and "
        "square brackets (also in filename)",
    )


def loose_wav(folder: Path) -> None:
    path = folder / "Zoe Angstrom Trio - Either-Or.wav"
    make_audio(path, tone(293.66, 1), WAV_ARGS)
    audio = WAVE(path)
    if audio.tags is None:
        audio.add_tags()
    assert audio.tags is not None
    audio.tags.add(TIT2(encoding=Encoding.UTF8, text=["Either/Or?"]))
    audio.tags.add(TPE1(encoding=Encoding.UTF8, text=["Zoë Ångström Trio"]))
    audio.tags.add(TALB(encoding=Encoding.UTF8, text=["Small Hours"]))
    audio.tags.add(TRCK(encoding=Encoding.UTF8, text=["3"]))
    audio.tags.add(TDRC(encoding=Encoding.UTF8, text=["2003"]))
    audio.save(v2_version=4)
    record(
        path,
        "WAV",
        'ID3 "id3 " chunk; title has "/" and "?" (unsafe in paths); '
        "accented artist vs ASCII filename",
    )


def loose_wma(folder: Path) -> None:
    path = folder / "04 Winter Radio.wma"
    make_audio(path, tone(349.23, 2), WMA_ARGS)
    audio = ASF(path)
    assert audio.tags is not None
    audio.tags.clear()
    audio["Title"] = [ASFUnicodeAttribute("Winter Radio")]
    audio["Author"] = [ASFUnicodeAttribute("Static Orchard")]
    audio["WM/AlbumTitle"] = [ASFUnicodeAttribute("Long Wave")]
    audio["WM/AlbumArtist"] = [ASFUnicodeAttribute("Static Orchard")]
    audio["WM/TrackNumber"] = [ASFDWordAttribute(4)]
    audio["WM/Year"] = [ASFUnicodeAttribute("2005")]
    audio["WM/Genre"] = [ASFUnicodeAttribute("Indie")]
    audio.save()
    record(path, "WMA (ASF)", "ASF attributes; WM/TrackNumber is a DWORD, no total")


def loose_wavpack(folder: Path) -> None:
    path = folder / "Tidal Clock - Lowlands.wv"
    make_audio(path, noise(11, 1), WV_ARGS)
    audio = WavPack(path)
    if audio.tags is not None:
        audio.delete()
    audio.add_tags()
    assert isinstance(audio.tags, APEv2)
    audio["Title"] = "Lowlands"
    audio["Artist"] = "Tidal Clock"
    audio["Album"] = "Estuary"
    audio["Track"] = "2/5"
    audio["Year"] = "2014"
    audio["Genre"] = "Ambient"
    audio.save()
    record(path, "WavPack", 'APEv2 tags; Track "2/5"')


def loose_vinyl_flac(folder: Path) -> Path:
    path = folder / "A1 - Needle Drop.flac"
    make_audio(path, tone(196.0, 1), FLAC_ARGS)
    audio = FLAC(path)
    if audio.tags is None:
        audio.add_tags()
    assert isinstance(audio.tags, VCFLACDict)
    audio.tags.clear()
    audio["TITLE"] = "Needle Drop"
    audio["ARTIST"] = "The Groove Merchants"
    audio["ALBUM"] = "Live at the Basement"
    audio["DATE"] = "1977"
    audio["TRACKNUMBER"] = "A1"
    audio["MEDIA"] = '12" Vinyl'
    audio["COMMENT"] = "vinyl rip; side A, track 1"
    audio.save()
    record(path, "FLAC", 'vinyl-style TRACKNUMBER "A1" (not an integer)')
    return path


def loose_broken(folder: Path, donor: Path) -> None:
    path = folder / "broken.flac"
    head = donor.read_bytes()[:200]
    # Deterministic garbage: the head cuts the VORBIS_COMMENT block short.
    garbage = bytes((i * 97 + 13) % 256 for i in range(4096))
    path.write_bytes(head + garbage)
    record(
        path,
        "FLAC (corrupt)",
        "first 200 bytes of a real FLAC + 4 KiB garbage; must fail to open",
        readable=False,
    )

    fake = folder / "notes.mp3"
    fake.write_text(
        "This is not an MP3. It is a text file with the wrong extension,\n"
        "left here to check that mlib reports it instead of crashing.\n",
        encoding="utf-8",
    )
    record(fake, "text", "plain text with an .mp3 extension", readable=False)


def build_loose() -> None:
    folder = ROOT / LOOSE
    folder.mkdir(parents=True, exist_ok=True)
    loose_mp3_v23(folder)
    loose_aiff(folder)
    loose_wav(folder)
    loose_wma(folder)
    loose_wavpack(folder)
    donor = loose_vinyl_flac(folder)
    loose_broken(folder, donor)


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

BUILDERS: tuple[Callable[[], None], ...] = (
    build_dead_weather,
    build_jt_bruce,
    build_anil,
    build_lantern,
    build_loose,
)


def check_tools() -> None:
    if shutil.which("ffmpeg") is None:
        sys.exit("make_samples.py: ffmpeg not found on PATH")


def clean() -> None:
    for name in GENERATED_DIRS:
        target = ROOT / name
        if target.exists():
            shutil.rmtree(target)


def describe(path: Path) -> tuple[str, str]:
    """(mutagen class, short tag summary) or ("unreadable", reason)."""
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError as exc:
        return "unreadable", type(exc).__name__
    if audio is None:
        return "unreadable", "not recognised"
    easy_keys = ("TIT2", "\xa9nam", "TITLE", "Title")
    title = "<no title>"
    if audio.tags is not None:
        for key in easy_keys:
            try:
                value = audio.tags[key]
            except (KeyError, ValueError):  # ValueError: invalid Vorbis key
                continue
            title = str(value[0] if isinstance(value, list) else value)
            break
    return type(audio).__name__, title


def main() -> int:
    check_tools()
    clean()
    for build in BUILDERS:
        build()

    problems: list[str] = []
    total = 0
    print(f"{'file':<72} {'format':<15} {'bytes':>7}  mutagen / title")
    for item in MANIFEST:
        rel = item.path.relative_to(ROOT).as_posix()
        size = item.path.stat().st_size
        total += size
        kind, detail = describe(item.path)
        opened = kind != "unreadable"
        if item.readable != opened:
            problems.append(f"{rel}: expected readable={item.readable}, got {kind}")
        print(f"{rel:<72} {item.fmt:<15} {size:>7}  {kind}: {detail}")
    print(f"{len(MANIFEST)} files, {total} bytes ({total / 1024:.0f} KiB)")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
