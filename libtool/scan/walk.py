"""The file-system side of a scan: which audio files are under a root, and their stamps.

Kept free of SQLAlchemy and mutagen so that a rescan that finds nothing changed
(``libtool.scan.quick``) starts fast.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass, field
from stat import S_ISDIR, S_ISREG

from libtool.pathutil import is_under

#: The extensions scanned as audio: every one mutagen reads (``libtool.tags.read`` picks a
#: mutagen class for each; a test checks this against mutagen's own file types). Video
#: containers mutagen also opens (.m4v, .wmv, .ogv, .mpg) are not music, and are left out.
AUDIO_EXTENSIONS = frozenset(
    ext.encode()
    for ext in (
        ".mp3",
        ".mp2",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".spx",
        ".m4a",
        ".m4b",
        ".m4p",
        ".m4r",
        ".mp4",
        ".3gp",
        ".3g2",
        ".alac",
        ".aac",
        ".adts",
        ".adif",
        ".ac3",
        ".eac3",
        ".ec3",
        ".wma",
        ".asf",
        ".aif",
        ".aiff",
        ".aifc",
        ".wav",
        ".wave",
        ".dsf",
        ".dff",
        ".ape",
        ".wv",
        ".mpc",
        ".mp+",
        ".mpp",
        ".tak",
        ".tta",
        ".ofr",
        ".ofs",
        ".mid",
        ".midi",
    )
)

#: progress(phase, done, total): phase is "walk" (total unknown: 0) or "read" (total None
#: while the walk goes on).
ProgressCallback = Callable[[str, int, int | None], None]


@dataclass
class ScanSummary:
    added: int = 0
    updated: int = 0
    missing: int = 0
    unchanged: int = 0
    errors: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    run_id: int | None = None
    notes: list[str] = field(default_factory=list)
    skipped: int = 0  # files seen that are not audio (cover.jpg, .cue, .txt); Walk.skipped

    def line(self) -> str:
        skipped = f", {self.skipped} skipped (not audio)" if self.skipped else ""
        text = (
            f"{self.added} added, {self.updated} updated, {self.missing} missing, "
            f"{self.unchanged} unchanged, {self.errors} errors{skipped} in {self.seconds:.2f}s"
        )
        return text + (" (interrupted: progress so far is saved)" if self.interrupted else "")


#: (size, mtime_ns, ctime_ns): a file whose stamp is unchanged is not read again. ctime
#: is there because taggers can keep a file's mtime (and its size, inside padding).
Stamp = tuple[int, int, int]

#: What a walk without stamps (``iter_walk``) gives a regular file: no file has its size.
NO_STAMP: Stamp = (-1, -1, -1)

#: (st_dev, st_ino): a folder's identity, so a folder reached twice (by a link) is walked once.
FolderId = tuple[int, int]


@dataclass
class Walk:
    files: dict[bytes, Stamp] = field(default_factory=dict)
    unreadable: list[bytes] = field(default_factory=list)
    problems: list[tuple[bytes, str, str]] = field(default_factory=list)  # path, kind, message
    skipped: int = 0  # files seen that are not audio (cover.jpg, .cue, .txt...)


def normalise_root(path: str | bytes) -> bytes:
    raw = os.fsencode(path)
    return os.path.normpath(os.path.abspath(raw))


def walk_tree(
    top: bytes, ignore: tuple[str, ...] = (), report: ProgressCallback | None = None
) -> Walk:
    """Every audio file under ``top`` with its stamp (size, mtime_ns, ctime_ns).

    Hidden entries and ignore patterns are skipped, symlinked folders are
    followed once (loops end), and only regular files are listed; anything
    else that looks like audio is reported as a problem instead of opened.
    """
    walk = Walk()
    for found in _folders(top, walk, ignore, report):
        walk.files.update(found)
    return walk


def iter_walk(
    top: bytes,
    walk: Walk,
    ignore: tuple[str, ...] = (),
    report: ProgressCallback | None = None,
    *,
    stamps: bool = True,
) -> Iterator[tuple[bytes, Stamp]]:
    """``walk_tree`` as it goes: each audio file and its stamp, as soon as it is found, so
    a scan can read files while it is still looking for more. Unreadable folders,
    problems and skipped files are recorded in ``walk`` (its ``files`` is left alone).

    Without ``stamps`` (nothing to compare them with: a first or full scan) a file that
    its folder entry shows to be a regular file, not a link, is not stat'ed, and comes
    with ``NO_STAMP``: the walk's thread took 0.61-0.75 CPU-s per 100,000 files with
    those stats, 0.32-0.34 without. Links, folders and anything else are stat'ed as
    before, so the same files are listed, but for one case: a plain file that cannot be
    stat'ed (gone since its folder was listed, or in a folder that can be listed but
    not searched) is listed too, and its reader records why it cannot be opened, instead
    of the walk recording an "io" problem.
    """
    for found in _folders(top, walk, ignore, report, stamps):
        yield from found


def walk_top(top: bytes, ignore: tuple[str, ...] = ()) -> tuple[Walk, list[bytes], set[FolderId]]:
    """``top``'s own audio files, its subfolders, and the folders seen so far: the start
    of a walk shared out between processes (``walk_subtrees`` does the rest)."""
    walk = Walk()
    folders: list[bytes] = []
    seen = _identify_top(top, walk)
    items = _entries(top, walk) if seen is not None else None
    if seen is None or items is None:
        return walk, folders, seen or set()
    walk.files.update(_list_folder(items, walk, ignore, seen, folders))
    return walk, folders, seen


def walk_subtrees(folders: list[bytes], ignore: tuple[str, ...], seen: set[FolderId]) -> Walk:
    """Every audio file under ``folders`` (from ``walk_top``), as ``walk_tree`` finds them;
    ``seen`` grows by every folder visited."""
    walk = Walk()
    for found in _walk_stack(list(folders), walk, ignore, None, seen):  # serial order
        walk.files.update(found)
    return walk


def _folders(
    top: bytes,
    walk: Walk,
    ignore: tuple[str, ...],
    report: ProgressCallback | None,
    stamps: bool = True,
) -> Iterator[list[tuple[bytes, Stamp]]]:
    """The audio files of each folder under ``top`` in turn, with their stamps."""
    seen = _identify_top(top, walk)
    if seen is not None:
        yield from _walk_stack([top], walk, ignore, report, seen, stamps)


def _identify_top(top: bytes, walk: Walk) -> set[FolderId] | None:
    """The folders seen at the start of a walk (``top`` itself), or None if it cannot be."""
    try:
        st = os.stat(top)
    except OSError as exc:
        walk.unreadable.append(top)
        walk.problems.append((top, "unreadable-folder", f"cannot read folder: {exc.strerror}"))
        return None
    return {(st.st_dev, st.st_ino)}


def _entries(folder: bytes, walk: Walk) -> list[os.DirEntry[bytes]] | None:
    """What ``folder`` holds, or None (recorded in ``walk``) if it cannot be read."""
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError as exc:
        walk.unreadable.append(folder)
        walk.problems.append((folder, "unreadable-folder", f"cannot read folder: {exc.strerror}"))
        return None


def _walk_stack(
    stack: list[bytes],
    walk: Walk,
    ignore: tuple[str, ...],
    report: ProgressCallback | None,
    seen: set[FolderId],
    stamps: bool = True,
) -> Iterator[list[tuple[bytes, Stamp]]]:
    """Depth first from the folders on ``stack`` (the last one first)."""
    found = 0
    while stack:
        items = _entries(stack.pop(), walk)
        if items is None:
            continue
        here = _list_folder(items, walk, ignore, seen, stack, stamps)
        found += len(here)
        yield here
        if report is not None:
            report("walk", found, 0)


def _list_folder(
    items: list[os.DirEntry[bytes]],
    walk: Walk,
    ignore: tuple[str, ...],
    seen: set[FolderId],
    stack: list[bytes],
    stamps: bool = True,
) -> list[tuple[bytes, Stamp]]:
    """One folder's audio files and stamps; its subfolders go on ``stack``.

    The hot loop of a no-change rescan, so it stats only what it must: audio files
    (for their stamps, unless ``stamps`` is off: see ``iter_walk``), folders (for their
    identity, to end symlink loops) and symlinks; any other file is counted as skipped
    from its directory entry alone.
    """
    here: list[tuple[bytes, Stamp]] = []
    for entry in items:
        name = entry.name
        if name[:1] == b"." or (ignore and _ignored(name, ignore)):
            continue
        dot = name.rfind(b".")  # never 0: hidden names are gone
        audio = dot > 0 and name[dot:].lower() in AUDIO_EXTENSIONS
        if audio and not stamps:
            try:  # from the entry's type (not a link): no stat
                if entry.is_file(follow_symlinks=False):
                    here.append((entry.path, NO_STAMP))
                    continue
            except OSError:  # (a file system that gives no types: as below)
                pass
        if not audio and not entry.is_symlink():
            try:
                folder = entry.is_dir()  # from the entry's type: no stat
            except OSError:
                continue
            if not folder:
                walk.skipped += 1
                continue
        try:
            st = entry.stat()  # follows symlinks
        except OSError as exc:
            if audio:
                kind = "broken-link" if entry.is_symlink() else "io"
                walk.problems.append((entry.path, kind, f"cannot stat: {exc.strerror}"))
            continue
        if S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key not in seen:
                seen.add(key)
                stack.append(entry.path)
            continue
        if not audio:
            walk.skipped += 1
            continue
        if not S_ISREG(st.st_mode):
            walk.problems.append((entry.path, "not-regular", "not a regular file"))
            continue
        here.append((entry.path, (st.st_size, st.st_mtime_ns, st.st_ctime_ns)))
    return here


def _ignored(name: bytes, patterns: tuple[str, ...]) -> bool:
    if not patterns:
        return False
    text = os.fsdecode(name)
    return any(fnmatch.fnmatch(text, pattern) for pattern in patterns)


@dataclass
class Changes:
    """What a scan must do, given a walk and what the library knows."""

    unchanged: int = 0
    to_read: list[bytes] = field(default_factory=list)  # new, changed, or back from missing
    still_failing: list[bytes] = field(default_factory=list)  # the same broken file as before
    vanished: list[bytes] = field(default_factory=list)  # present in the library, not on disk
    errors_gone: list[bytes] = field(default_factory=list)  # recorded failures no longer there


def classify(
    walk: Walk,
    known: Mapping[bytes, tuple[Stamp, bool]],
    failed: Mapping[bytes, Stamp],
    *,
    full: bool = False,
) -> Changes:
    """Compare a walk with the library: ``known`` maps a track's path to (stamp, missing),
    ``failed`` a failed file's path to its stamp. The rules live in ``decide`` and
    ``gone``, shared with the streaming scan (``libtool.scan.pipeline``)."""
    changes = Changes()
    for path, stamp in walk.files.items():
        verdict = decide(path, stamp, known, failed, full)
        if verdict is UNCHANGED:
            changes.unchanged += 1
        elif verdict is STILL_FAILING:
            changes.still_failing.append(path)
        else:
            changes.to_read.append(path)
    changes.vanished = gone(known, walk.files, walk.unreadable)
    changes.errors_gone = [path for path in failed if path not in walk.files]
    return changes


def nothing_changed(
    walk: Walk, present: Mapping[bytes, Stamp], failed: Mapping[bytes, Stamp]
) -> list[bytes] | None:
    """The still-failing paths if ``classify`` would find nothing to do, else None.

    ``present`` maps each present (not missing) track under the walked root to its
    stamp, ``failed`` each recorded failure under it. This is the no-change rescan's
    test, on whole dicts at C speed instead of a rule per file: with the still-failing
    files set aside, the walk must be exactly the present tracks, stamps and all.
    (A track marked missing whose file is back is then an extra path: a change.)
    """
    files = walk.files
    still_failing = [path for path, stamp in failed.items() if files.get(path) == stamp]
    if len(still_failing) != len(failed):  # a failure fixed, changed or gone: a change
        return None
    if still_failing:
        files = dict(files)
        for path in still_failing:
            del files[path]
    return still_failing if files == present else None


#: What ``decide`` says of one walked file.
UNCHANGED, STILL_FAILING, TO_READ = "unchanged", "still failing", "to read"


def decide(
    path: bytes,
    stamp: Stamp,
    known: Mapping[bytes, tuple[Stamp, bool]],
    failed: Mapping[bytes, Stamp],
    full: bool,
) -> str:
    """Whether one walked file is unchanged, the same broken file as before, or to be read
    (new, changed, back from missing, or everything with ``full``)."""
    row = known.get(path)
    if row is not None and not full and not row[1] and row[0] == stamp:
        return UNCHANGED
    if not full and failed.get(path) == stamp:
        return STILL_FAILING
    return TO_READ


def gone(
    known: Mapping[bytes, tuple[Stamp, bool]],
    walked: Container[bytes],
    unreadable: list[bytes],
) -> list[bytes]:
    """The present tracks the walk did not find (what is under an unreadable folder is not
    known to be gone)."""
    return [
        path
        for path, (_, missing) in known.items()
        if not missing and path not in walked and not any(is_under(path, d) for d in unreadable)
    ]
