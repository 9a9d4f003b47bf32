"""Settings precedence: flags > environment > config file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from libtool.config import default_database_path, load_settings
from libtool.errors import UsageError


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert settings.database == str(default_database_path())
    assert settings.mb_host == "musicbrainz.org" and settings.mb_https is True


def test_precedence(tmp_path: Path) -> None:
    cfg = write(
        tmp_path,
        '[library]\ndatabase = "/from/file.db"\nroots = ["~/Music"]\nignore = ["*.tmp"]\n'
        '[scan]\njobs = 3\n[musicbrainz]\nhost = "mb.local:5000"\nhttps = false\n'
        'rate_limit = 2\ncontact = "me@example.org"\n',
    )
    s = load_settings(config=cfg, env={})
    assert (s.database, s.roots, s.ignore, s.jobs) == ("/from/file.db", ["~/Music"], ["*.tmp"], 3)
    assert (s.mb_host, s.mb_https, s.mb_rate_limit) == ("mb.local:5000", False, 2)
    assert load_settings(config=cfg, env={"MLIB_DB": "/from/env.db"}).database == "/from/env.db"
    flag = load_settings(config=cfg, database="/from/flag.db", env={"MLIB_DB": "/from/env.db"})
    assert flag.database == "/from/flag.db"
    assert load_settings(env={"MLIB_CONFIG": cfg}).database == "/from/file.db"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[library]\ncolour = 1\n", "unknown setting"),
        ("[scan]\njobs = true\n", "wrong type"),
        ("[scan]\njobs = 0\n", "between 1 and 256"),
        ("[library]\nroots = [1]\n", "list of strings"),
        ("not toml ===", "cannot read"),
    ],
)
def test_bad_config_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_settings(config=write(tmp_path, text), env={})


def test_missing_explicit_config(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load_settings(config=str(tmp_path / "nope.toml"), env={})
