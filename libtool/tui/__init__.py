"""The Textual front end of mlib: a thin layer over ``libtool.service`` (no SQL, no rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from libtool.config import Settings


def run(settings: Settings) -> None:
    """Open the app on the configured library and run it until the user quits."""
    from libtool.service.core import Service
    from libtool.tui.app import make_app

    service = Service(settings)
    try:
        make_app(service).run()
    finally:
        service.close()
