"""SVG snapshots of the main screens, on a library of fixed rows (deterministic paths)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from libtool.config import Settings
from libtool.service.core import Service
from tests.factories import add_tracks
from tests.tui.conftest import new_app

SIZE = (120, 40)


@pytest.fixture
def fixed_service(tmp_path: Path) -> Iterator[Service]:
    svc = Service(Settings(database=str(tmp_path / "snap.db")))
    rows = []
    for n, title in enumerate(["So What", "Freddie Freeloader", "Blue in Green"], start=1):
        rows.append(
            {
                "title": [title],
                "artist": ["Miles Davis"],
                "album": ["Kind of Blue"],
                "albumartist": ["Miles Davis"],
                "track": [str(n)],
                "date": ["1959"],
                "path": f"/music/kind/{n}.flac".encode(),
            }
        )
    rows.append(
        {
            "title": ["[bold]x"],
            "artist": ["AC/DC [/foo]"],
            "album": ["Greatest Hits [Remastered]"],
            "track": ["1"],
            "path": b"/music/hostile/1.mp3",
        }
    )
    add_tracks(svc.library, *rows)
    yield svc
    svc.close()


async def _settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def test_browse(snap_compare: Any, fixed_service: Service) -> None:
    assert snap_compare(new_app(fixed_service), terminal_size=SIZE, run_before=_settle)


def test_edit_modal(snap_compare: Any, fixed_service: Service) -> None:
    async def before(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("ctrl+a", "e")
        await _settle(pilot)

    assert snap_compare(new_app(fixed_service), terminal_size=SIZE, run_before=before)


def test_pending(snap_compare: Any, fixed_service: Service) -> None:
    ids = fixed_service.track_ids("artist:miles")
    plan = fixed_service.plan_edit({"genre": ["Jazz"]}, ids=ids)
    fixed_service.stage(plan.diffs, "test")

    async def before(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("p")
        await _settle(pilot)

    assert snap_compare(new_app(fixed_service), terminal_size=SIZE, run_before=before)


def test_help(snap_compare: Any, fixed_service: Service) -> None:
    async def before(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")
        await _settle(pilot)

    assert snap_compare(new_app(fixed_service), terminal_size=SIZE, run_before=before)
