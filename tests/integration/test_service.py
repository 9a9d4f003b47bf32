"""The service layer as a second front end drives it: from worker threads, with events,
cancelled from another thread, while the main thread keeps reading the library."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import mutagen
import pytest

from libtool.config import Settings
from libtool.events import CancelToken, Event, FileOutcome, Progress, throttled
from libtool.scan import pipeline
from libtool.service.core import Service
from tests.audio import AudioFactory
from tests.integration.test_scan import TOTAL, make
from tests.integration.test_scan import big_root as big_root  # a fixture

WAIT = 30  # seconds a test thread may wait for the other one: a bound, never a target


def service_for(db: Path) -> Service:
    return Service(Settings(database=str(db)))


def pause_at(
    condition: Callable[[Event], bool], reached: threading.Event, resume: threading.Event
) -> Callable[[Event], None]:
    """A sink that, at the first event meeting ``condition``, tells the test and waits
    until the test has acted: what happens next no longer races the operation."""
    events: list[Event] = []

    def sink(event: Event) -> None:
        events.append(event)
        if not reached.is_set() and condition(event):
            reached.set()
            assert resume.wait(WAIT), "the test thread never answered"

    sink.events = events  # type: ignore[attr-defined]
    return sink


def in_thread(target: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["result"] = target()
        except BaseException as exc:  # shown by the assertion in the test thread
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def finished(thread: threading.Thread, out: dict[str, object]) -> object:
    thread.join(WAIT)
    assert not thread.is_alive(), "the operation did not stop"
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["result"]


@pytest.mark.slow
def test_scan_cancelled_from_another_thread_keeps_what_it_read_and_resumes(
    big_root: tuple[Path, set[bytes]],
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, _ = big_root
    service = service_for(db_path)
    methods: list[str] = []
    real_context = pipeline.pool_context

    def spy() -> multiprocessing.context.BaseContext:
        ctx = real_context()
        methods.append(ctx.get_start_method())
        return ctx

    monkeypatch.setattr(pipeline, "pool_context", spy)
    reached, resume = threading.Event(), threading.Event()

    def mid_read(event: Event) -> bool:
        if not (isinstance(event, Progress) and event.phase == "read"):
            return False
        if event.done < 5:  # slower than the throttle: the next update passes it too
            time.sleep(0.12)
        return 5 <= event.done < TOTAL

    sink = pause_at(mid_read, reached, resume)
    token = CancelToken()
    thread, out = in_thread(lambda: service.scan([str(root)], jobs=2, events=sink, cancel=token))
    assert reached.wait(WAIT)
    # the main thread reads the library while the scan thread holds a write session (WAL)
    reader = service_for(db_path)
    seen_meanwhile = reader.count_tracks()
    assert 0 <= seen_meanwhile <= TOTAL
    token.cancel()
    resume.set()
    summary = finished(thread, out)
    assert summary.interrupted  # type: ignore[attr-defined]
    assert methods == ["forkserver"]  # threads were running: no fork
    committed = reader.count_tracks()
    assert 0 < committed < TOTAL
    assert committed >= seen_meanwhile

    again = service_for(db_path).scan(jobs=2)
    assert not again.interrupted
    assert again.added == TOTAL - committed
    assert reader.count_tracks() == TOTAL
    listed = {row.values["path"] for row in reader.iter_tracks(columns=("path",))}
    assert len(listed) == TOTAL


def staged_library(audio: AudioFactory, tmp_path: Path, n: int) -> tuple[Service, list[Path]]:
    music = tmp_path / "music"
    files = [
        make(audio, music / f"{i:02d}.flac", "flac", title=f"T{i}", album="A", tracknumber=str(i))
        for i in range(n)
    ]
    service = service_for(tmp_path / "library.db")
    service.scan([str(music)], jobs=1)
    plan = service.plan_edit({"comment": ["changed"]}, "album:A")
    assert service.stage(plan.diffs, "test") == n
    return service, files


def comments(files: list[Path]) -> list[list[str]]:
    return [list(mutagen.File(f).tags.get("COMMENT", [])) for f in files]


def test_write_cancelled_from_another_thread_stops_between_files(
    audio: AudioFactory, tmp_path: Path
) -> None:
    service, files = staged_library(audio, tmp_path, 6)
    before = [f.read_bytes() for f in files]
    reached, resume = threading.Event(), threading.Event()
    sink = pause_at(lambda e: isinstance(e, FileOutcome) and e.ok, reached, resume)
    token = CancelToken()
    thread, out = in_thread(lambda: service.write(events=sink, cancel=token))
    assert reached.wait(WAIT)
    token.cancel()
    resume.set()
    result = finished(thread, out)
    assert result.interrupted and result.ok == 1 and result.failed == 0  # type: ignore[attr-defined]
    written = [i for i, f in enumerate(files) if f.read_bytes() != before[i]]
    assert len(written) == 1
    for i, f in enumerate(files):  # every file is whole: old or new, never half-written
        assert mutagen.File(f) is not None
        assert comments([f]) == ([["changed"]] if i in written else [[]])
    assert not [p for p in files[0].parent.iterdir() if p.name.startswith(".")]  # no temp left
    assert service.pending_count() == (5, 5)
    assert service.history()[0].files_ok == 1

    rest = service.write()
    assert (rest.ok, rest.failed, rest.interrupted) == (5, 0, False)
    assert comments(files) == [["changed"]] * 6
    assert service.pending_count() == (0, 0)


def test_move_cancelled_from_another_thread_keeps_moved_files_undoable(
    audio: AudioFactory, tmp_path: Path
) -> None:
    service, files = staged_library(audio, tmp_path, 4)
    reached, resume = threading.Event(), threading.Event()
    sink = pause_at(lambda e: isinstance(e, FileOutcome), reached, resume)
    token = CancelToken()
    template = "moved/$track $title"
    thread, out = in_thread(lambda: service.move(template=template, events=sink, cancel=token))
    assert reached.wait(WAIT)
    token.cancel()
    resume.set()
    result = finished(thread, out)
    assert result.interrupted and result.ok == 1  # type: ignore[attr-defined]
    assert sum(f.exists() for f in files) == 3
    listed = {row.values["path"] for row in service.iter_tracks(columns=("path",))}
    assert sum("/moved/" in p for p in listed) == 1
    assert all(Path(p).exists() for p in listed)  # the library follows every file

    assert service.move(template=template).ok == 3
    assert not any(f.exists() for f in files)
    undone = service.undo()  # the second move run
    assert undone.ok == 3
    assert sum(f.exists() for f in files) == 3


def test_events_count_files_and_report_failures_with_id_path_and_kind(
    audio: AudioFactory, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    for i in range(3):
        make(audio, music / f"{i}.mp3", title=f"T{i}", album="A")
    (music / "broken.flac").write_bytes(b"fLaC" + b"\0" * 64)
    service = service_for(tmp_path / "library.db")
    events: list[Event] = []
    summary = service.scan([str(music)], jobs=1, events=events.append)
    reads = [e for e in events if isinstance(e, Progress) and e.phase == "read"]
    assert reads[0] == Progress("read", 0, 4) and reads[-1] == Progress("read", 4, 4)
    failures = [e for e in events if isinstance(e, FileOutcome)]
    assert [(f.ok, f.kind, Path(f.path).name) for f in failures] == [
        (False, "corrupt", "broken.flac")
    ]
    assert summary.errors == 1 and summary.added == 3

    plan = service.plan_edit({"comment": ["x"]}, "album:A")
    service.stage(plan.diffs, "test")
    victim = sorted(music.glob("*.mp3"))[1]
    victim.unlink()
    events.clear()
    result = service.write(events=events.append)
    outcomes = [e for e in events if isinstance(e, FileOutcome)]
    assert len(outcomes) == 3 and result.ok == 2 and result.failed == 1
    failed = [o for o in outcomes if not o.ok]
    assert len(failed) == 1
    assert failed[0].kind == "vanished" and failed[0].path == str(victim)
    row = next(service.iter_tracks(f"path:{victim.name}", columns=("path",)))
    assert failed[0].track_id == row.id
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[0] == Progress("write", 0, 3) and progress[-1] == Progress("write", 3, 3)


def test_throttle_passes_first_last_and_every_outcome() -> None:
    now = [0.0]
    seen: list[Event] = []
    post = throttled(seen.append, interval=0.1, clock=lambda: now[0])
    for done in range(1000):
        now[0] = done * 0.001  # 1000 updates in one second
        post(Progress("read", done, 1000))
        if done == 500:
            post(FileOutcome(7, "/m/x.mp3", False, "corrupt", "bad"))
    post(Progress("read", 1000, 1000))
    updates = [e for e in seen if isinstance(e, Progress)]
    assert updates[0].done == 0 and updates[-1].done == 1000
    assert 5 <= len(updates) <= 12  # about one per 0.1 s, not 1001
    assert sum(isinstance(e, FileOutcome) for e in seen) == 1


def test_keyset_pages_cover_every_track_once_in_every_sort(
    audio: AudioFactory, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    shutil.copytree(Path(__file__).resolve().parents[2] / "sample_music", music)
    service = service_for(tmp_path / "library.db")
    service.scan([str(music)], jobs=1)
    total = service.count_tracks()
    for sort in (("title",), ("year", "album"), ("length",), ("albumartist", "track")):
        for descending in (False, True):
            seen: list[int] = []
            after = None
            while True:
                page = service.tracks(sort=sort, descending=descending, after=after, limit=7)
                seen += [r.id for r in page.rows]
                if page.after is None:
                    break
                after = page.after
            assert len(seen) == len(set(seen)) == total
            assert seen == service.track_ids(sort=sort, descending=descending)


def test_track_ids_first_rows_and_a_cancelled_query(tmp_path: Path) -> None:
    from libtool.events import Cancelled
    from tests.factories import add_tracks

    service = service_for(tmp_path / "library.db")
    add_tracks(
        service.library,
        *[
            {"title": [f"Song {n:04d}"], "albumartist": [f"A{n % 7}"], "album": [f"B{n % 3}"]}
            for n in range(3000)
        ],
    )
    every = service.track_ids("so")
    assert len(every) == 3000
    assert service.track_ids("so", limit=150) == every[:150]  # a prefix, same order
    backwards = service.track_ids("so", descending=True)
    assert backwards == every[::-1]
    assert service.track_ids("so", descending=True, limit=10) == backwards[:10]

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):  # the query itself stops, not a check after it
        service.track_ids("so", cancel=token)
    assert service.track_ids("so", cancel=CancelToken()) == every  # the connection is fine
    assert service.count_tracks("so") == 3000


def test_albums_of_an_artist_only_with_present_matching_tracks(tmp_path: Path) -> None:
    from libtool.db.albums import rebuild_albums
    from tests.factories import add_tracks

    service = service_for(tmp_path / "library.db")
    add_tracks(
        service.library,
        {"title": ["x"], "album": ["One"], "albumartist": ["Ann"], "path": b"/music/1/a.mp3"},
        {"title": ["y"], "album": ["Two"], "albumartist": ["Ann"], "path": b"/music/2/b.mp3"},
        {"title": ["z"], "album": ["Two"], "albumartist": ["Bob"], "path": b"/music/3/c.mp3"},
    )
    with service.library.session() as session:
        rebuild_albums(session)
        session.commit()
    assert [a.album for a in service.albums(albumartist="Ann")] == ["One", "Two"]
    assert [a.album for a in service.albums("title:y", albumartist="Ann")] == ["Two"]
    assert [(a.albumartist, a.album) for a in service.albums()] == [
        ("Ann", "One"),
        ("Ann", "Two"),
        ("Bob", "Two"),
    ]
