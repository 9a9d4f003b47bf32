"""Shared fixtures: real audio files, a real on-disk library, the mlib CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from libtool.db.session import Library, open_library
from tests.audio import AudioFactory, have_ffmpeg

REPO = Path(__file__).resolve().parents[1]
SAMPLE_MUSIC = REPO / "sample_music"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if have_ffmpeg():
        return
    skip = pytest.mark.skip(reason="ffmpeg is needed to make test audio (apt-get install ffmpeg)")
    for item in items:
        if "audio" in item.fixturenames:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def audio(tmp_path_factory: pytest.TempPathFactory) -> AudioFactory:
    """Makes real, untagged audio files in any supported format."""
    return AudioFactory(tmp_path_factory.mktemp("audio-cache"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.db"


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    lib = open_library(str(db_path))
    yield lib
    lib.close()


def run_mlib(
    *args: str | os.PathLike[str],
    db: Path | None = None,
    input: str | None = None,
    env: dict[str, str] | None = None,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run the real mlib command in a subprocess (as a user would)."""
    full_env = {**os.environ, **(env or {})}
    if "MLIB_CONFIG" not in (env or {}):
        full_env.pop("MLIB_CONFIG", None)  # never the developer's own config
    if db is not None:
        full_env["MLIB_DB"] = str(db)
        if "XDG_CONFIG_HOME" not in (env or {}):
            full_env["XDG_CONFIG_HOME"] = str(Path(db).parent / "config")
    result = subprocess.run(
        [sys.executable, "-m", "libtool", *map(str, args)],
        capture_output=True,
        text=True,
        input=input,
        env=full_env,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"mlib {args} exited {result.returncode}\n"
            f"stdout:{result.stdout}\nstderr:{result.stderr}"
        )
    return result


@pytest.fixture
def mlib(db_path: Path):  # type: ignore[no-untyped-def]
    """``mlib('scan', folder)`` runs the CLI in a subprocess against this test's library."""

    def call(*args: str | os.PathLike[str], **kwargs):  # type: ignore[no-untyped-def]
        return run_mlib(*args, db=db_path, **kwargs)

    return call
