"""How the track list and the detail pane load: a first screenful, then the rest; a newer
search replaces an older one; the detail pane looks up only the track the cursor rests on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from libtool.config import Settings
from libtool.service.core import Service
from libtool.tui.app import FIRST_ROWS
from tests.factories import add_tracks
from tests.tui.conftest import new_app, run_app, screen_text, settle

COUNT = FIRST_ROWS * 2 + 17


@pytest.fixture
def many(tmp_path: Path) -> Iterator[Service]:
    svc = Service(Settings(database=str(tmp_path / "many.db")))
    add_tracks(
        svc.library,
        *[
            {
                "title": [f"Song {n:04d}"],
                "artist": ["Someone"],
                "albumartist": [f"Artist {n // 40:02d}"],
                "album": [f"Album {n // 10:03d}"],
                "track": [str(n % 10 + 1)],
                "path": f"/music/{n // 10:03d}/{n:04d}.mp3".encode(),
            }
            for n in range(COUNT)
        ],
    )
    yield svc
    svc.close()


def record_lists(app: Any) -> list[int]:
    """The length of every list the track list is given, in order."""
    sizes: list[int] = []
    original = app.tracks.set_ids

    def set_ids(ids: list[int], *, keep_cursor: bool = False) -> None:
        sizes.append(len(ids))
        original(ids, keep_cursor=keep_cursor)

    app.tracks.set_ids = set_ids
    return sizes


def test_a_search_shows_a_first_screenful_then_every_match(many: Service) -> None:
    app = new_app(many, search_delay=0)

    async def body(pilot: Any) -> None:
        assert app.tracks.ids == many.track_ids()
        assert f"{COUNT:,} tracks" in screen_text(app)
        sizes = record_lists(app)
        app.tracks.move_to(3)
        await pilot.press("slash")
        await pilot.press("s", "o", "n")
        await settle(app, pilot)
        # each keystroke: the first rows at once, then all of them
        assert sizes[-2:] == [FIRST_ROWS, COUNT]
        assert app.tracks.ids == many.track_ids("son")
        assert app.list_complete and f"{COUNT:,} tracks" in screen_text(app)
        assert app.tracks.cursor == 0  # a new search starts at the top

        sizes.clear()
        app.query_one("#search", Input).value = "Song 012"  # fewer than a screenful
        await settle(app, pilot)
        few = many.track_ids("Song 012")
        assert 0 < len(few) < FIRST_ROWS
        assert sizes == [len(few)]  # one query: the first screenful was all of it
        assert app.tracks.ids == few

    run_app(app, body)


def test_the_rest_of_a_list_keeps_the_cursor_where_the_user_moved_it(many: Service) -> None:
    app = new_app(many, search_delay=0)
    chosen: list[int | None] = []

    async def body(pilot: Any) -> None:
        original = app.tracks.set_ids

        def set_ids(ids: list[int], *, keep_cursor: bool = False) -> None:
            original(ids, keep_cursor=keep_cursor)
            if len(ids) == FIRST_ROWS:  # the user moves while the rest is on its way
                app.tracks.move_to(42)
                chosen.append(app.tracks.current_id)

        app.tracks.set_ids = set_ids  # type: ignore[method-assign]
        app.query_one("#search", Input).value = "song"
        await settle(app, pilot)
        assert len(chosen) == 1
        assert len(app.tracks.ids) == COUNT
        assert app.tracks.current_id == chosen[0] and app.tracks.cursor == 42

    run_app(app, body)


def test_a_newer_search_wins_over_one_still_running(many: Service) -> None:
    app = new_app(many, search_delay=0)

    async def body(pilot: Any) -> None:
        search = app.query_one("#search", Input)
        for text in ("s", "so", "son", "song 0", "song 02"):
            search.value = text  # no waiting: each replaces the one before
        await settle(app, pilot)
        assert app.tracks.ids == many.track_ids("song 02")
        assert f"{len(app.tracks.ids)} tracks" in screen_text(app)
        assert "query song 02" in screen_text(app)

    run_app(app, body)


def test_the_detail_pane_looks_up_only_the_track_the_cursor_rests_on(many: Service) -> None:
    app = new_app(many)
    looked_up: list[int] = []
    original = many.track

    def track(track_id: int) -> Any:
        looked_up.append(track_id)
        return original(track_id)

    many.track = track  # type: ignore[method-assign]

    async def body(pilot: Any) -> None:
        looked_up.clear()
        for _ in range(12):  # a held-down key: moves faster than the pane's delay
            app.tracks.action_cursor(1)
        app.tracks.action_page(1)
        await settle(app, pilot)
        assert looked_up == [app.tracks.current_id]
        detail = str(app.query_one("#detail").render())
        title = many.rows_for([app.tracks.current_id or 0], columns=["title"])[0]
        assert title.values["title"] in detail

    run_app(app, body)


def test_select_all_on_a_first_screenful_selects_the_whole_list(many: Service) -> None:
    app = new_app(many, search_delay=0)
    selected_early: list[int] = []

    async def body(pilot: Any) -> None:
        original = app.tracks.set_ids

        def set_ids(ids: list[int], *, keep_cursor: bool = False) -> None:
            original(ids, keep_cursor=keep_cursor)
            if len(ids) == FIRST_ROWS:  # ctrl+a before the rest has arrived
                app.tracks.action_select_all()
                selected_early.append(len(app.tracks.selected))

        app.tracks.set_ids = set_ids  # type: ignore[method-assign]
        app.query_one("#search", Input).value = "song"
        await settle(app, pilot)
        assert selected_early == [FIRST_ROWS]
        assert app.tracks.selected == set(many.track_ids("song"))
        assert f"{COUNT:,} selected" in screen_text(app)
        app.tracks.move_to(5)
        app.tracks.action_toggle_selection()  # one unselected: no longer "all"
        app.refresh_all(keep_cursor=True)
        await settle(app, pilot)
        assert len(app.tracks.selected) == COUNT - 1

    run_app(app, body)
