"""TUI test fixtures: a real library scanned from real, tagged audio files."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from libtool.config import Settings
from libtool.service.core import Service
from libtool.tui.app import LibraryApp, make_app
from tests.audio import AudioFactory

HOSTILE_TITLES = ["[bold]x", "[@click=app.quit]", "\x1b]0;pwned\x07Hi"]
HOSTILE_ARTIST = "AC/DC [/foo]"
HOSTILE_ALBUM = "Greatest Hits [Remastered]"


@pytest.fixture(autouse=True)
def _tui_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never the developer's own tui.json; no animations; no cursor blink."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("MLIB_CONFIG", raising=False)


def tag(path: Path, **values: str) -> Path:
    import mutagen

    audio = mutagen.File(path, easy=True)
    assert audio is not None
    if audio.tags is None:
        audio.add_tags()
    for key, value in values.items():
        audio[key] = value
    audio.save()
    return path


def build_music(root: Path, audio: AudioFactory) -> Path:
    """Two albums: a hostile one (mp3, track 3 missing) and a plain one (flac)."""
    hostile = root / "hostile"
    for n, (number, title) in enumerate(zip(("1", "2", "4"), HOSTILE_TITLES, strict=True)):
        tag(
            audio.make(hostile / f"{n}.mp3", "mp3"),
            title=title,
            artist=HOSTILE_ARTIST,
            album=HOSTILE_ALBUM,
            albumartist=HOSTILE_ARTIST,
            tracknumber=number,
            date="1980",
        )
    kind = root / "kind"
    for number, title in (("1", "So What"), ("2", "Freddie Freeloader"), ("3", "")):
        values = {"artist": "Miles Davis", "album": "Kind of Blue", "tracknumber": number}
        values["albumartist"] = "Miles Davis"
        values["date"] = "1959"
        if title:
            values["title"] = title
        tag(audio.make(kind / f"{number}.flac", "flac"), **values)
    return root


@pytest.fixture
def music(tmp_path: Path, audio: AudioFactory) -> Path:
    return build_music(tmp_path / "music", audio)


@pytest.fixture
def service(tmp_path: Path, music: Path) -> Iterator[Service]:
    svc = Service(Settings(database=str(tmp_path / "library.db")))
    svc.scan([str(music)], jobs=1)
    yield svc
    svc.close()


@pytest.fixture
def empty_service(tmp_path: Path) -> Iterator[Service]:
    svc = Service(Settings(database=str(tmp_path / "empty.db")))
    yield svc
    svc.close()


def new_app(service: Service, **kwargs: Any) -> LibraryApp:
    kwargs.setdefault("poll_interval", None)
    kwargs.setdefault("search_delay", 0.05)
    kwargs.setdefault("cursor_blink", False)
    return make_app(service, **kwargs)


async def settle(app: LibraryApp, pilot: Any, rounds: int = 3) -> None:
    """Let timers, workers and the messages they post finish."""
    for _ in range(rounds):
        await pilot.pause(0.06)
        await app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(app: LibraryApp) -> str:
    """What the terminal shows, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def run_app(app: LibraryApp, body: Callable[[Any], Awaitable[None]]) -> None:
    """Run ``body(pilot)`` against ``app`` at 120x40 (no pytest-asyncio needed)."""

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            await body(pilot)

    asyncio.run(main())
