"""Real audio files for tests, made here with ffmpeg (a short tone per format).

Each format is encoded once per test session into a cache folder and then
copied, so tests get fresh, untagged, real files cheaply.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

#: extension -> ffmpeg output arguments (audio codec and container)
FORMATS: dict[str, list[str]] = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "32k"],
    "flac": ["-c:a", "flac"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "0"],
    "opus": ["-c:a", "libopus", "-b:a", "16k"],
    "spx": ["-c:a", "libspeex", "-f", "ogg"],
    "m4a": ["-c:a", "aac", "-b:a", "32k"],
    "alac.m4a": ["-c:a", "alac"],
    "aiff": ["-c:a", "pcm_s16be"],
    "wav": ["-c:a", "pcm_s16le"],
    "wma": ["-c:a", "wmav2", "-b:a", "32k"],
    "wv": ["-c:a", "wavpack"],
    "tta": ["-c:a", "tta"],
    "ac3": ["-c:a", "ac3", "-b:a", "64k"],
}
#: extension -> the tag container libtool should use for it
CONTAINER = {
    "mp3": "id3",
    "flac": "vorbis",
    "ogg": "vorbis",
    "opus": "vorbis",
    "spx": "vorbis",
    "m4a": "mp4",
    "alac.m4a": "mp4",
    "aiff": "id3",
    "wav": "id3",
    "wma": "asf",
    "wv": "apev2",
    "tta": "id3",
}
TAGGABLE = tuple(CONTAINER)
#: encoders that only take some sample rates
RATE = {"opus": 48000, "ac3": 48000, "wma": 22050, "spx": 16000}


def have_ffmpeg() -> bool:
    return shutil.which("ffmpeg") is not None


class AudioFactory:
    """Makes untagged audio files; ``make(dest, 'flac')`` copies a cached encode."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)

    def template(self, ext: str, seconds: float = 1.0) -> Path:
        name = f"tone-{seconds:g}s.{ext}"
        out = self.cache / name
        if not out.exists():
            real_ext = ext.split(".")[-1]
            tmp = self.cache / f"tmp-{name}.{real_ext}"
            cmd = [
                "ffmpeg",
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:duration={seconds}:sample_rate={RATE.get(ext, 16000)}",
                "-ac",
                "1",
                *FORMATS[ext],
                "-map_metadata",
                "-1",
                "-fflags",
                "+bitexact",
                str(tmp),
            ]
            subprocess.run(cmd, check=True)
            _strip_tags(tmp)
            tmp.replace(out)
        return out

    def make(self, dest: Path, ext: str, seconds: float = 1.0) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template(ext, seconds), dest)
        return dest


def _strip_tags(path: Path) -> None:
    """Remove whatever tags the encoder wrote (e.g. an encoder comment)."""
    import mutagen

    audio = mutagen.File(path)
    if audio is not None and audio.tags is not None:
        audio.delete()


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def _replace_id3(mp3: Path, header: bytes, body: bytes) -> Path:
    """Put a hand-built ID3v2 tag (header version bytes + frames) in front of the audio."""
    from mutagen.id3 import ID3, ID3NoHeaderError

    raw = mp3.read_bytes()
    try:
        start = ID3(mp3).size
    except ID3NoHeaderError:
        start = 0
    mp3.write_bytes(b"ID3" + header + b"\x00" + _syncsafe(len(body)) + body + raw[start:])
    return mp3


def with_raw_id3v24(mp3: Path, frames: list[tuple[str, str]]) -> Path:
    """Replace an MP3's tag with hand-built ID3v2.4 text frames, byte for byte.

    mutagen cannot write text it would not itself produce (it re-parses
    timestamps), so odd but real-world frames are made here directly.
    """
    body = b"".join(
        fid.encode() + _syncsafe(len(data)) + b"\x00\x00" + data
        for fid, text in frames
        for data in [b"\x03" + text.encode("utf-8")]
    )
    return _replace_id3(mp3, b"\x04\x00", body)


def with_raw_id3v22(mp3: Path, frames: list[tuple[str, str]]) -> Path:
    """Replace an MP3's tag with an ID3v2.2 tag (three-letter frames), which mutagen
    reads but cannot write."""
    body = b"".join(
        fid.encode() + len(data).to_bytes(3, "big") + data
        for fid, text in frames
        for data in [b"\x00" + text.encode("latin-1")]
    )
    return _replace_id3(mp3, b"\x02\x00", body)
