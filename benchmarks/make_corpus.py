"""Generate an N-file tagged audio corpus for the scan benchmarks.

A few short mono templates per format (mp3, flac, ogg, m4a, opus) are encoded
once with ffmpeg and cached; each corpus file is a copy of one template with
its own tags (title, artist, album, albumartist, track, date, genre) written by
mutagen, so no two files are byte-identical. Files go into an
``Artist/Album (year)/NN Title.ext`` tree, ten tracks per album, one format per
album. Copies are tagged in memory and written once, by one process per core.

    python benchmarks/make_corpus.py 10000                 # -> benchmarks/corpus/n10000
    python benchmarks/make_corpus.py 2500 --out /tmp/c2500

An existing corpus with the same size and layout version is kept as it is
(``--force`` rebuilds it). The marker file ``.corpus.json`` is hidden, so
neither mlib nor beets treats it as part of the library.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE / "corpus"
DEFAULT_TEMPLATES = HERE / "out" / "templates"
LAYOUT_VERSION = 1
MARKER = ".corpus.json"

TRACKS_PER_ALBUM = 10
ALBUMS_PER_ARTIST = 5
FORMATS = ("mp3", "flac", "ogg", "m4a", "opus")
#: extension -> ffmpeg codec arguments and sample rate
ENCODE: dict[str, tuple[list[str], int]] = {
    "mp3": (["-c:a", "libmp3lame", "-b:a", "32k"], 22050),
    "flac": (["-c:a", "flac"], 22050),
    "ogg": (["-c:a", "libvorbis", "-q:a", "0"], 22050),
    "m4a": (["-c:a", "aac", "-b:a", "32k"], 22050),
    "opus": (["-c:a", "libopus", "-b:a", "16k"], 48000),
}
#: (frequency Hz, seconds): a few templates per format so lengths and bytes differ
VARIANTS = ((440, 1.0), (330, 1.2), (550, 0.8))
GENRES = ("Rock", "Jazz", "Electronic", "Classical", "Folk", "Hip-Hop", "Ambient", "Blues")


def encode_templates(folder: Path) -> dict[str, list[Path]]:
    """ffmpeg-encode (once, cached) every template; tags the encoder wrote are stripped."""
    if shutil.which("ffmpeg") is None:
        sys.exit("make_corpus: ffmpeg is needed to encode the templates")
    import mutagen

    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}
    for ext in FORMATS:
        codec, rate = ENCODE[ext]
        for freq, seconds in VARIANTS:
            path = folder / f"tone-{freq}-{seconds:g}s.{ext}"
            if not path.exists():
                tmp = path.with_name(f"tmp-{path.name}")
                subprocess.run(
                    [
                        "ffmpeg",
                        "-nostdin",
                        "-hide_banner",
                        "-loglevel",
                        "error",
                        "-y",
                        "-f",
                        "lavfi",
                        "-i",
                        f"sine=frequency={freq}:duration={seconds}:sample_rate={rate}",
                        "-ac",
                        "1",
                        *codec,
                        "-map_metadata",
                        "-1",
                        "-fflags",
                        "+bitexact",
                        str(tmp),
                    ],
                    check=True,
                )
                audio = mutagen.File(tmp)
                if audio is not None and audio.tags is not None:
                    audio.delete()
                tmp.replace(path)
            out.setdefault(ext, []).append(path)
    return out


def plan(n: int) -> list[tuple[str, str, dict[str, str], int]]:
    """(relative path, format, tags, template variant) for every file, deterministically."""
    files = []
    for i in range(n):
        album_no, track = divmod(i, TRACKS_PER_ALBUM)
        artist_no = album_no // ALBUMS_PER_ARTIST
        ext = FORMATS[album_no % len(FORMATS)]
        artist = f"Artist {artist_no:04d}"
        album = f"Album {album_no:05d}"
        year = 1960 + (album_no * 7) % 64
        # every 9th album is a compilation: track artists differ from the album artist
        compilation = album_no % 9 == 8
        track_artist = f"Guest {(i * 31) % 997:03d}" if compilation else artist
        albumartist = "Various Artists" if compilation else artist
        title = f"Song {i:06d} in {('A', 'B', 'C', 'D', 'E', 'F', 'G')[i % 7]}"
        tags = {
            "title": title,
            "artist": track_artist,
            "album": album,
            "albumartist": albumartist,
            "tracknumber": f"{track + 1}/{TRACKS_PER_ALBUM}",
            "date": f"{year}-{1 + album_no % 12:02d}-{1 + album_no % 28:02d}",
            "genre": GENRES[album_no % len(GENRES)],
        }
        folder = f"{albumartist if compilation else artist}/{album} ({year})"
        rel = f"{folder}/{track + 1:02d} {title}.{ext}"
        files.append((rel, ext, tags, i % len(VARIANTS)))
    return files


_TEMPLATE_BYTES: dict[tuple[str, int], bytes] = {}
_TEMPLATES: dict[str, list[str]] = {}
_OUT = ""


def _init(templates: dict[str, list[str]], out: str) -> None:
    global _OUT
    _TEMPLATES.update(templates)
    _OUT = out


def _easy_class(ext: str) -> type:
    from mutagen.easymp4 import EasyMP4
    from mutagen.flac import FLAC
    from mutagen.mp3 import EasyMP3
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    return {"mp3": EasyMP3, "flac": FLAC, "ogg": OggVorbis, "m4a": EasyMP4, "opus": OggOpus}[ext]


def _write(batch: list[tuple[str, str, dict[str, str], int]]) -> int:
    """Copy the template of each file into memory, tag it there, write it once."""
    made_dirs: set[str] = set()
    for rel, ext, tags, variant in batch:
        key = (ext, variant)
        data = _TEMPLATE_BYTES.get(key)
        if data is None:
            data = _TEMPLATE_BYTES[key] = Path(_TEMPLATES[ext][variant]).read_bytes()
        buf = io.BytesIO(data)
        audio = _easy_class(ext)(buf)
        if audio.tags is None:
            audio.add_tags()
        for name, value in tags.items():
            audio[name] = value
        buf.seek(0)
        audio.save(buf)
        dest = os.path.join(_OUT, rel)
        folder = os.path.dirname(dest)
        if folder not in made_dirs:
            os.makedirs(folder, exist_ok=True)
            made_dirs.add(folder)
        with open(dest, "wb") as fh:
            fh.write(buf.getvalue())
    return len(batch)


def make_corpus(
    n: int,
    out: Path,
    *,
    templates: Path = DEFAULT_TEMPLATES,
    jobs: int | None = None,
    force: bool = False,
    quiet: bool = False,
) -> Path:
    """Build (or reuse) an ``n``-file corpus in ``out``; returns ``out``."""
    out = out.resolve()
    marker = out / MARKER
    wanted = {"files": n, "layout": LAYOUT_VERSION, "formats": list(FORMATS)}
    if not force and marker.exists():
        try:
            if {k: v for k, v in json.loads(marker.read_text()).items() if k in wanted} == wanted:
                if not quiet:
                    print(f"make_corpus: reusing {out} ({n} files)")
                return out
        except (OSError, ValueError):
            pass
    started = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    tpl = {ext: [str(p) for p in paths] for ext, paths in encode_templates(templates).items()}
    files = plan(n)
    # one batch per album keeps directory creation local to one worker
    batches = [files[i : i + TRACKS_PER_ALBUM * 4] for i in range(0, n, TRACKS_PER_ALBUM * 4)]
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and n >= 200:
        ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ctx.Pool(jobs, initializer=_init, initargs=(tpl, str(out))) as pool:
            written = sum(pool.imap_unordered(_write, batches))
    else:
        _init(tpl, str(out))
        written = sum(map(_write, batches))
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps(dict(wanted, seconds=round(seconds, 2)), indent=1) + "\n")
    if not quiet:
        print(f"make_corpus: wrote {written} files to {out} in {seconds:.1f}s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=int, help="number of files (e.g. 10000)")
    parser.add_argument("--out", type=Path, help=f"corpus folder (default {DEFAULT_ROOT}/nFILES)")
    parser.add_argument(
        "--templates",
        type=Path,
        default=DEFAULT_TEMPLATES,
        help="cache folder for the ffmpeg-encoded templates",
    )
    parser.add_argument("--jobs", "-j", type=int, help="worker processes (default: cores)")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    if args.files < 1:
        parser.error("files must be at least 1")
    out = args.out or DEFAULT_ROOT / f"n{args.files}"
    make_corpus(args.files, out, templates=args.templates, jobs=args.jobs, force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
