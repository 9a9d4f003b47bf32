"""Pilot tests of every TUI flow, on a real library scanned from real audio files."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

import mutagen
from textual.widgets import DataTable, Input, Label, OptionList, Tree

from libtool.service.core import Service
from libtool.tui.app import LibraryApp
from libtool.tui.screens import (
    ConfirmScreen,
    EditScreen,
    ExportScreen,
    HelpScreen,
    HistoryScreen,
    PendingScreen,
    ProblemsScreen,
)
from tests.tui.conftest import (
    HOSTILE_ALBUM,
    HOSTILE_ARTIST,
    new_app,
    run_app,
    screen_text,
    settle,
)


def titles(app: LibraryApp) -> list[Any]:
    return [r.values["title"] for r in app.service.rows_for(app.tracks.ids, columns=["title"])]


async def search(app: LibraryApp, pilot: Any, text: str, typed: bool = True) -> None:
    """Type ``text`` into the search box (or paste it at once)."""
    search_box = app.query_one("#search", Input)
    if not search_box.has_focus:
        await pilot.press("slash")
    if typed:
        search_box.value = ""
        await pilot.press(*text)
    else:
        search_box.value = text
    await settle(app, pilot)


def test_browse_tree_expand_album_tracks(service: Service) -> None:
    app = new_app(service)

    async def body(pilot: Any) -> None:
        assert len(app.tracks.ids) == 6
        tree = app.query_one("#nav", Tree)
        miles = next(n for n in tree.root.children if "Miles" in str(n.label))
        miles.expand()
        await settle(app, pilot)
        assert [str(c.label) for c in miles.children] == ["Kind of Blue (1959)"]
        tree.select_node(miles.children[0])
        await settle(app, pilot)
        assert app.source.kind == "album"
        assert titles(app) == ["So What", "Freddie Freeloader", None]
        text = screen_text(app)
        assert "So What" in text and "3 tracks" in text and "Kind of Blue" in text
        await pilot.press("down")  # the detail pane follows the cursor
        await settle(app, pilot)
        detail = str(app.query_one("#detail").render())
        assert "Freddie Freeloader" in detail and "FLAC" in detail

    run_app(app, body)


def test_sort_by_header_click_and_keys(service: Service) -> None:
    app = new_app(service)

    async def body(pilot: Any) -> None:
        await pilot.click("#track-header", offset=(8, 0))  # the Title column
        await settle(app, pilot)
        shown = titles(app)
        assert shown[0] is None and shown[1:] == sorted(shown[1:])
        await pilot.click("#track-header", offset=(8, 0))  # again: reversed
        await settle(app, pilot)
        assert titles(app) == list(reversed(shown))
        await pilot.press("S")
        await settle(app, pilot)
        assert titles(app) == shown

    run_app(app, body)


def test_search_follows_typing_and_keeps_results_on_bad_query(service: Service) -> None:
    app = new_app(service)

    async def body(pilot: Any) -> None:
        await search(app, pilot, "artist:miles")
        assert len(app.tracks.ids) == 3
        assert "3 tracks" in screen_text(app)
        await search(app, pilot, 'artist:miles "', typed=False)
        error = app.query_one("#query-error", Label)
        assert error.has_class("shown") and "bad query" in str(error.render())
        assert len(app.tracks.ids) == 3  # the previous results stay
        await search(app, pilot, "nosuchfield:x", typed=False)
        assert "unknown field" in str(error.render())
        await search(app, pilot, "year:1950..1960")
        assert not error.has_class("shown") and len(app.tracks.ids) == 3

    run_app(app, body)


def test_single_edit_stages_a_change(service: Service) -> None:
    app = new_app(service)

    async def body(pilot: Any) -> None:
        await search(app, pilot, "so what")
        await pilot.press("enter", "e")
        await settle(app, pilot)
        assert isinstance(app.screen, EditScreen)
        app.screen.query_one("#field-title", Input).value = "So What (take 2)"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, EditScreen)
        [change] = service.status()
        assert (change.field, change.old, change.new) == (
            "title",
            ["So What"],
            ["So What (take 2)"],
        )
        assert "1 pending changes on 1 tracks" in screen_text(app)

    run_app(app, body)


async def edit_all(app: Any, pilot: Any, query: str) -> EditScreen:
    """Search, select every track found, and open the bulk edit screen."""
    await search(app, pilot, query)
    await pilot.press("enter", "ctrl+a", "e")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, EditScreen)
    return screen


def test_bulk_edit_mixed_values_and_validation(service: Service) -> None:
    app = new_app(service)

    async def body(pilot: Any) -> None:
        screen = await edit_all(app, pilot, "artist:miles")
        title = screen.query_one("#field-title", Input)
        assert title.value == "" and title.placeholder == "(mixed)"
        assert screen.query_one("#field-album", Input).value == "Kind of Blue"
        screen.query_one("#field-track", Input).value = "seven"
        await pilot.pause()
        assert "whole number" in str(screen.query_one("#error-track", Label).render())
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen and service.status() == []  # nothing staged
        screen.query_one("#field-track", Input).value = ""  # back to (mixed)
        screen.query_one("#field-track", Input).value = "1"
        screen.query_one("#field-track", Input).value = (
            screen.initial["track"]  # unchanged again: stays per track
        )
        screen.query_one("#field-genre", Input).value = "Jazz"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        diffs = service.status()
        assert {d.field for d in diffs} == {"genre"} and len(diffs) == 3
        assert not any(d.field == "title" for d in diffs)  # mixed titles kept per track

    run_app(app, body)


def test_bulk_edit_clears_a_field_on_every_track_even_a_mixed_one(service: Service) -> None:
    ids = service.track_ids("artist:miles")
    # what `mlib modify artist:miles title! album!` would stage
    expected = {
        (d.track_id, d.field, tuple(d.old), tuple(d.new))
        for d in service.plan_edit({"title": [], "album": []}, ids=ids).diffs
    }
    assert {f for _, f, _, _ in expected} == {"title", "album"}
    app = new_app(service)

    async def body(pilot: Any) -> None:
        screen = await edit_all(app, pilot, "artist:miles")
        title = screen.query_one("#field-title", Input)
        assert title.placeholder == "(mixed)" and title.has_focus
        await pilot.press("ctrl+r")  # clear the focused field: the mixed titles
        assert title.placeholder == "(cleared)" and title.value == ""
        assert "cleared" in str(screen.query_one("#error-title", Label).render())
        await pilot.click("#clear-album")  # and the album, by its button
        assert screen.query_one("#field-album", Input).value == ""
        await pilot.click("#clear-genre")  # typing a value takes a clearing back
        screen.query_one("#field-genre", Input).value = "Jazz"
        await pilot.pause()
        assert "genre" not in screen.cleared
        screen.query_one("#field-genre", Input).value = screen.initial["genre"]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, EditScreen)
        staged = {(d.track_id, d.field, tuple(d.old), tuple(d.new)) for d in service.status()}
        assert staged == expected

    run_app(app, body)


def test_pending_screen_discards_field_track_and_all(service: Service) -> None:
    ids = service.track_ids("artist:miles")
    service.stage(service.plan_edit({"genre": ["Jazz"], "comment": ["c"]}, ids=ids).diffs, "t")
    app = new_app(service)

    async def body(pilot: Any) -> None:
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PendingScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 6
        await pilot.press("d")
        assert len(service.status()) == 5 and table.row_count == 5
        await pilot.press("t")
        assert len(service.status()) == 4
        await pilot.press("A")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert service.status() == []
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, PendingScreen), app.screen
        assert "no pending changes" in screen_text(app)

    run_app(app, body)


def _title_in_file(path: str) -> list[str]:
    audio = mutagen.File(path, easy=True)
    return list(audio.get("title", []))


def test_write_with_confirmation_then_undo_and_history(service: Service) -> None:
    [tid] = service.track_ids('"title:so what"')
    path = service.track(tid).path
    service.stage(service.plan_edit({"title": ["So What (edit)"]}, ids=[tid]).diffs, "t")
    app = new_app(service)

    async def body(pilot: Any) -> None:
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "So What (edit)" in screen_text(app)
        await pilot.press("n")  # declined: nothing written
        await settle(app, pilot)
        assert _title_in_file(path) == ["So What"]
        await pilot.press("w")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot, rounds=5)
        assert _title_in_file(path) == ["So What (edit)"]
        assert service.status() == []
        assert any("files written" in n.message for n in app._notifications)
        await pilot.press("u")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot, rounds=5)
        assert _title_in_file(path) == ["So What"]
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        assert "undoes run 1" in screen_text(app)
        await pilot.press("u")  # undo the undo (the highlighted, newest run)
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot, rounds=5)
        assert _title_in_file(path) == ["So What (edit)"]

    run_app(app, body)


def test_rescan_picks_up_new_files_and_can_be_cancelled(service: Service, music: Path) -> None:
    import shutil

    from tests.tui.conftest import tag

    app = new_app(service)

    async def body(pilot: Any) -> None:
        shutil.copy(music / "kind" / "1.flac", music / "kind" / "9.flac")
        tag(music / "kind" / "9.flac", title="Nine")
        await pilot.press("r")
        await settle(app, pilot, rounds=6)
        assert not app.job_running and len(app.tracks.ids) == 7
        assert any("1 added" in n.message for n in app._notifications)
        # cancel: a scan that waits for the token, then runs (and stops) with it set
        real_scan = service.scan
        started = threading.Event()

        def slow_scan(*args: Any, **kwargs: Any) -> Any:
            started.set()
            kwargs["cancel"].wait(10)
            return real_scan(*args, full=True, **kwargs)

        service.scan = slow_scan  # type: ignore[method-assign]
        await pilot.press("r")
        started.wait(5)
        assert app.job_running and app.query_one("#job").has_class("running")
        await pilot.press("down")  # the UI stays responsive meanwhile
        await pilot.press("escape")
        await settle(app, pilot, rounds=6)
        assert not app.job_running and app.is_running
        assert any("interrupted" in n.message for n in app._notifications)

    run_app(app, body)


def test_external_scan_shows_up_on_poll(service: Service, music: Path, tmp_path: Path) -> None:
    import shutil

    app = new_app(service)

    async def body(pilot: Any) -> None:
        shutil.copy(music / "kind" / "1.flac", music / "kind" / "8.flac")
        other = Service(service.settings)  # another "process" scanning the same library
        other.scan(jobs=1)
        other.close()
        app.check_external()
        await settle(app, pilot, rounds=4)
        assert len(app.tracks.ids) == 7

    run_app(app, body)


def test_problems_view_jumps_to_tracks(service: Service) -> None:
    app = new_app(service)

    async def body(pilot: Any) -> None:
        await pilot.press("x")
        await settle(app, pilot, rounds=4)
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        text = screen_text(app)
        assert "Tracks without a title: 1" in text
        assert "missing track numbers 3" in text and HOSTILE_ALBUM in text
        options = screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        index = next(i for i, p in enumerate(prompts) if "without a title" in p)
        options.highlighted = index
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ProblemsScreen)
        assert app.source.query == "'title::^$'" and len(app.tracks.ids) == 1
        await pilot.press("x")
        await settle(app, pilot, rounds=4)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        options.highlighted = next(i for i, p in enumerate(prompts) if "missing track" in p)
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(app.tracks.ids) == 3
        assert app.query_one("#search", Input).value.startswith("'album:=")

    run_app(app, body)


def test_export_selection_and_query_to_csv(service: Service, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    app = new_app(service, export_default=str(target))

    async def body(pilot: Any) -> None:
        await search(app, pilot, "artist:miles")
        await pilot.press("enter", "space", "space")  # select the first two
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
        assert sorted(r["title"] for r in rows) == ["Freddie Freeloader", "So What"]
        await pilot.press("escape")  # clear the selection: export the whole list
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
        assert len(rows) == 3

    run_app(app, body)


def test_hostile_text_shown_literally(service: Service) -> None:
    app = new_app(service)

    async def body(pilot: Any) -> None:
        tree = app.query_one("#nav", Tree)
        node = next(n for n in tree.root.children if "AC/DC" in str(n.label))
        node.expand()
        await settle(app, pilot)
        tree.select_node(node.children[0])
        await settle(app, pilot)
        await pilot.click("#nav")  # a click on a tree label must not run an action
        await pilot.click("#tracks", offset=(30, 1))
        await settle(app, pilot)
        text = screen_text(app)
        assert HOSTILE_ARTIST in text and HOSTILE_ALBUM in text
        assert "[bold]x" in text and "[@click=app.quit]" in text
        assert "␛]0;pwned␇Hi" in text and "\x1b" not in text
        app.notify("x", markup=False)
        await pilot.press("e")  # the edit form shows the raw value, escapes as typed text
        await settle(app, pilot)
        assert isinstance(app.screen, EditScreen)
        await pilot.press("escape", "x")
        await settle(app, pilot, rounds=4)
        assert HOSTILE_ALBUM in screen_text(app)
        await pilot.press("escape", "ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"AC/DC")
        await settle(app, pilot, rounds=4)
        assert HOSTILE_ARTIST in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.is_running

    run_app(app, body)


def test_help_theme_remembered_and_empty_library(
    empty_service: Service, music: Path, tmp_path: Path
) -> None:
    from libtool.tui import settings

    app = new_app(empty_service)

    async def body(pilot: Any) -> None:
        assert app.query_one("#welcome").has_class("shown")
        assert "Your library is empty" in screen_text(app)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        app.theme = "nord"
        await pilot.pause()
        assert settings.load()["theme"] == "nord"
        assert str(settings.settings_path()).startswith(str(tmp_path))
        app.query_one("#scan-path", Input).value = str(music)
        app.query_one("#scan-path", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot, rounds=6)
        assert not app.query_one("#welcome").has_class("shown")
        assert len(app.tracks.ids) == 6

    run_app(app, body)
    again = new_app(empty_service)

    async def check(pilot: Any) -> None:
        assert again.theme == "nord"

    run_app(again, check)
