"""Pilot tests of the MusicBrainz review: look up an album from the library, read the
candidates, the breakdown and the per-track diff, accept or skip; the queue filled by
``mlib enrich``; offline. Against the local WS/2 server over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from libtool.config import Settings
from libtool.service.core import Service
from libtool.service.enrichment import EnrichOptions, enrich, list_proposals
from libtool.tui.review import ReviewScreen
from tests.audio import AudioFactory
from tests.integration.test_enrich import TIDEWATER, catalogue, make_album
from tests.mbserver import MBServer
from tests.tui.conftest import new_app, run_app, screen_text, settle

TYPO_TITLES = ["Low Water", "Salt Marsh", "The Long Peir", "Fog Signal"]


@pytest.fixture(scope="module")
def server() -> Iterator[MBServer]:
    with MBServer(catalogue(), rate_limit=None) as srv:
        yield srv


def _service(tmp_path: Path, audio: AudioFactory, host: str) -> Service:
    music = tmp_path / "music"
    make_album(
        audio,
        music / "Marrow Lane" / "Tidewater Sessions",
        TYPO_TITLES,
        artist="Marrow Lane",
        album="Tidewater Sessions",
    )
    settings = Settings(database=str(tmp_path / "library.db"))
    settings.mb_host, settings.mb_https, settings.mb_rate_limit = host, False, 0
    svc = Service(settings)
    svc.scan([str(music)], jobs=1)
    return svc


@pytest.fixture
def mb_service(tmp_path: Path, audio: AudioFactory, server: MBServer) -> Iterator[Service]:
    svc = _service(tmp_path, audio, server.host)
    yield svc
    svc.close()


def cells(table: DataTable[Any]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def test_look_up_an_album_review_and_accept(mb_service: Service) -> None:
    app = new_app(mb_service)

    async def body(pilot: Any) -> None:
        await pilot.press("m")
        await settle(app, pilot, rounds=6)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        candidates = cells(screen.query_one("#review-candidates", DataTable))
        assert candidates and "Tidewater Sessions - Marrow Lane" in candidates[0][1]
        breakdown = str(screen.query_one("#review-breakdown", Static).render())
        assert "Score" in breakdown
        diff = cells(screen.query_one("#review-diff", DataTable))
        assert ["title", "The Long Peir", "The Long Pier"] in [row[1:] for row in diff]
        assert any(row[1] == "mb_albumid" and row[3] == TIDEWATER for row in diff)
        await pilot.press("a")
        await settle(app, pilot, rounds=6)
        staged = {(c.field, tuple(c.new)) for c in mb_service.status()}
        assert ("title", ("The Long Pier",)) in staged
        assert ("mb_albumid", (TIDEWATER,)) in staged
        [p] = list_proposals(mb_service, ["applied"])
        assert p.label == "Marrow Lane - Tidewater Sessions"
        assert "No albums await review" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, ReviewScreen)
        assert "pending changes on 4 tracks" in screen_text(app)

    run_app(app, body)


def test_queue_filled_by_enrich_and_skip(mb_service: Service) -> None:
    result = enrich(mb_service, (), EnrichOptions())  # as `mlib enrich` does, no --apply
    assert result.proposed == 1
    app = new_app(mb_service)

    async def body(pilot: Any) -> None:
        await pilot.press("M")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        queue = cells(screen.query_one("#review-queue", DataTable))
        assert [row[0] for row in queue] == ["Marrow Lane - Tidewater Sessions"]
        await pilot.press("k")
        await settle(app, pilot)
        assert list_proposals(mb_service, ["pending"]) == []
        assert [p.status for p in list_proposals(mb_service)] == ["skipped"]
        assert mb_service.status() == []

    run_app(app, body)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_offline_says_so_and_the_app_stays_usable(tmp_path: Path, audio: AudioFactory) -> None:
    svc = _service(tmp_path, audio, f"127.0.0.1:{_closed_port()}")
    app = new_app(svc)

    async def body(pilot: Any) -> None:
        await pilot.press("m")
        await settle(app, pilot, rounds=6)
        assert isinstance(app.screen, ReviewScreen)
        message = str(app.screen.query_one("#review-message", Static).render())
        assert "unreachable" in message.lower()
        assert "library is unchanged" in message
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, ReviewScreen)
        await pilot.press("slash", *"fog")
        await settle(app, pilot)
        assert "Fog Signal" in screen_text(app)
        assert svc.status() == [] and list_proposals(svc) == []

    run_app(app, body)
    svc.close()


def test_review_snapshot(snap_compare: Any, mb_service: Service) -> None:
    enrich(mb_service, (), EnrichOptions())

    async def open_review(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("M")
        await settle(pilot.app, pilot)

    assert snap_compare(new_app(mb_service), terminal_size=(120, 40), run_before=open_review)
