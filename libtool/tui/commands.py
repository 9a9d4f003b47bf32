"""The command palette (ctrl+p): library actions, and jump to an album artist or album.
Names are shown as ``Content`` built from ``safe_text`` (the stock highlighter parses
markup), and help lines never contain tag text (the palette parses them as markup)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from libtool.display import safe_text

if TYPE_CHECKING:
    from libtool.tui.app import LibraryApp

ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Rescan the library", "Look for new, changed and vanished files", "rescan"),
    ("Write pending changes", "Write every pending change to the files (asks first)", "write"),
    ("Undo the last run", "Restore the files of the latest write run (asks first)", "undo"),
    ("Pending changes", "List, and discard, changes not yet written", "pending"),
    ("History", "Write runs; undo any of them", "history"),
    ("Problems", "Missing files, empty fields, album gaps, unreadable files", "problems"),
    ("Export to CSV", "Export the selection or the current list", "export"),
    ("Edit tags", "Edit the selected tracks", "edit"),
    ("Select all", "Select every track in the list", "select_all"),
    ("Help", "Keys and the query language", "help"),
)


def highlighted(matcher: Matcher, label: str) -> Content:
    """``label`` (already safe) with the matched characters styled, never parsed as markup."""
    result = Content(label)
    score, offsets = matcher.fuzzy_search.match(matcher.query, label)
    if score:
        for offset in offsets:
            if not label[offset].isspace():
                result = result.stylize(matcher.match_style, offset, offset + 1)
    return result


class LibraryCommands(Provider):
    """Library actions and navigation targets for the palette."""

    async def startup(self) -> None:
        app: LibraryApp = self.app  # type: ignore[assignment]
        service = app.service
        self.artists = await asyncio.to_thread(service.album_artists)
        self.albums = await asyncio.to_thread(service.albums)

    def _run(self, action: str) -> None:
        self.app.call_later(self.app.run_action, action)

    async def discover(self) -> Hits:
        for title, help, action in ACTIONS:
            yield DiscoveryHit(Content(title), partial(self._run, action), text=title, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app: LibraryApp = self.app  # type: ignore[assignment]
        for title, help, action in ACTIONS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score, highlighted(matcher, title), partial(self._run, action), title, help
                )
        for artist in self.artists:
            label = "Artist: " + (safe_text(artist.name) if artist.name else "(no album artist)")
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score * 0.9,
                    highlighted(matcher, label),
                    partial(app.show_artist, artist.name),
                    label,
                    f"{artist.albums} albums",
                )
        for album in self.albums:
            by = safe_text(album.albumartist) if album.albumartist else "(no album artist)"
            label = f"Album: {safe_text(album.album)} — {by}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score * 0.8,
                    highlighted(matcher, label),
                    partial(app.show_album, album.id, album.album),
                    label,
                    f"{album.track_count} tracks",
                )
