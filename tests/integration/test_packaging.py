"""A plain (non-editable) install carries the migrations and migrates its database on its own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        cwd=build,
        timeout=300,
        env={**os.environ, "PIP_NO_INPUT": "1"},
    )
    return next(out.glob("libtool_music-*.whl"))


def test_wheel_contains_the_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "libtool/migrations/env.py" in names
    assert "libtool/migrations/script.py.mako" in names
    assert any(n.startswith("libtool/migrations/versions/0001_") for n in names)
    assert any(n.startswith("libtool/migrations/versions/0002_") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "mlib = libtool.__main__:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_package_migrates_a_new_database(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    db = tmp_path / "lib.db"
    env = {**os.environ, "PYTHONPATH": str(target), "MLIB_DB": str(db)}
    env.pop("MLIB_CONFIG", None)
    code = "import libtool, sys; print(libtool.__file__); from libtool.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "scan", str(REPO / "sample_music")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(target))  # the installed copy, not the source tree
    assert "added" in result.stdout
    with sqlite3.connect(db) as conn:
        (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        (count,) = conn.execute("SELECT count(*) FROM tracks").fetchone()
    from libtool.db.session import SCHEMA_HEAD

    assert version == SCHEMA_HEAD
    assert count > 0


def test_wheel_ships_every_package_of_the_source_tree(wheel: Path) -> None:
    """A subpackage left out of pyproject's list would install an mlib that cannot start."""
    source = Path(__file__).resolve().parents[2] / "libtool"
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in source.rglob("__init__.py"):
        shipped = "libtool/" + init.relative_to(source).as_posix()
        assert shipped in names, shipped
