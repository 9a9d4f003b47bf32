"""End to end in a real terminal: mlib in tmux, search, edit a title, write, quit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import mutagen
import pytest

from libtool.config import Settings
from libtool.service.core import Service
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(*args: str) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10)
    return done.stdout


def _wait_for(session: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; screen:\n{screen}")


def test_search_edit_write_quit_in_tmux(tmp_path: Path, music: Path) -> None:
    db = tmp_path / "tmux.db"
    service = Service(Settings(database=str(db)))
    service.scan([str(music)], jobs=1)
    [tid] = service.track_ids('"title:so what"')
    path = service.track(tid).path
    service.close()
    session = f"mlib-test-{uuid.uuid4().hex[:8]}"
    env = {
        "TEXTUAL_ANIMATIONS": "none",
        "PYTHONPATH": str(REPO),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{k}={v!s}" for k, v in env.items())
    command = f"cd {tmp_path} && env {exports} {sys.executable} -m libtool --db {db}"
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        _tmux("resize-window", "-t", session, "-x", "120", "-y", "40")
        _wait_for(session, "6 tracks")
        time.sleep(1.5)  # the first frame is up; let the app settle before typing (slow CI)
        _tmux("send-keys", "-t", session, "/")
        time.sleep(1.0)  # typed before the search box has focus, "h" would open History
        _tmux("send-keys", "-t", session, "-l", "so what")
        _wait_for(session, "1 tracks")
        _tmux("send-keys", "-t", session, "Enter")
        time.sleep(1.0)  # focus moves to the list; a loaded machine needs a moment
        _tmux("send-keys", "-t", session, "e")
        _wait_for(session, "Save (ctrl+s)")
        _tmux("send-keys", "-t", session, "-l", " (live)")
        _tmux("send-keys", "-t", session, "C-s")
        _wait_for(session, "1 pending changes on 1 tracks")
        _tmux("send-keys", "-t", session, "w")
        _wait_for(session, "Write 1 changes to 1 files?")
        _tmux("send-keys", "-t", session, "y")
        _wait_for(session, "no pending changes")
        _tmux("send-keys", "-t", session, "C-q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and session in _tmux("list-sessions"):
            time.sleep(0.1)
    finally:
        if session in _tmux("list-sessions"):
            _tmux("kill-session", "-t", session)
    audio = mutagen.File(path, easy=True)
    assert audio["title"] == ["So What (live)"]
    assert os.path.exists(db)
