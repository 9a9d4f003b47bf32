"""Settings: defaults < TOML config file < environment < command-line flags.

The config file lives in the platformdirs user config folder (``--config``
or ``MLIB_CONFIG`` name another); the database defaults to ``library.db`` in
the user data folder (``--db`` or ``MLIB_DB`` name another, as a path or a
SQLAlchemy URL).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from libtool.errors import UsageError

APP = "mlib"
DEFAULT_TEMPLATE = "$albumartist/$album/$disc-$track $title"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "library.db"


@dataclass
class Settings:
    database: str = field(default_factory=lambda: str(default_database_path()))
    roots: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    jobs: int | None = None  # scan worker processes; None = one per core
    mb_host: str = "musicbrainz.org"
    mb_https: bool = True
    mb_rate_limit: float = 1.0  # seconds between requests
    mb_contact: str = ""
    mb_cache_days: float = 30.0  # answers older than this are fetched again
    mb_min_score: float = 96.0  # enrich --apply applies matches scoring at least this
    mb_preferred_countries: list[str] = field(default_factory=list)  # e.g. ["GB", "XE"]
    mb_preferred_media: list[str] = field(default_factory=list)  # e.g. ["CD", "Digital Media"]
    mb_preferred_types: list[str] = field(default_factory=list)  # e.g. ["Album", "EP"]
    mb_prefer_original: bool = False  # the original release over a reissue, in a near-tie
    id3v23: bool = False  # write ID3v2.3 even to v2.4 files (v2.3 files always stay v2.3)
    move_template: str = DEFAULT_TEMPLATE
    config_file: Path | None = None


#: TOML key -> (Settings attribute, expected type)
KEYS: dict[tuple[str, str], tuple[str, type | tuple[type, ...]]] = {
    ("library", "database"): ("database", str),
    ("library", "roots"): ("roots", list),
    ("library", "ignore"): ("ignore", list),
    ("scan", "jobs"): ("jobs", int),
    ("musicbrainz", "host"): ("mb_host", str),
    ("musicbrainz", "https"): ("mb_https", bool),
    ("musicbrainz", "rate_limit"): ("mb_rate_limit", (int, float)),
    ("musicbrainz", "contact"): ("mb_contact", str),
    ("musicbrainz", "cache_days"): ("mb_cache_days", (int, float)),
    ("musicbrainz", "min_score"): ("mb_min_score", (int, float)),
    ("musicbrainz", "preferred_countries"): ("mb_preferred_countries", list),
    ("musicbrainz", "preferred_media"): ("mb_preferred_media", list),
    ("musicbrainz", "preferred_types"): ("mb_preferred_types", list),
    ("musicbrainz", "prefer_original"): ("mb_prefer_original", bool),
    ("write", "id3v23"): ("id3v23", bool),
    ("move", "template"): ("move_template", str),
}


def load_settings(
    *, config: str | None = None, database: str | None = None, env: dict[str, str] | None = None
) -> Settings:
    env = dict(os.environ) if env is None else env
    settings = Settings()
    explicit = config or env.get("MLIB_CONFIG")
    path = Path(explicit).expanduser() if explicit else default_config_path()
    if explicit and not path.is_file():
        raise UsageError(f"config file not found: {path}")
    if path.is_file():
        _apply_file(settings, path)
        settings.config_file = path
    if env.get("MLIB_MUSICBRAINZ_HOST"):
        settings.mb_host = env["MLIB_MUSICBRAINZ_HOST"]
    if env.get("MLIB_DB"):
        settings.database = env["MLIB_DB"]
    if database:
        settings.database = database
    return settings


def _checked(value: Any) -> Any:
    """A config value whose type was checked against KEYS (isinstance cannot tell mypy)."""
    return value


def _apply_file(settings: Settings, path: Path) -> None:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read config file {path}: {exc}") from exc
    for section, values in data.items():
        if not isinstance(values, dict):
            raise UsageError(f"{path}: [{section}] must be a table")
        for key, value in values.items():
            target = KEYS.get((section, key))
            if target is None:
                known = ", ".join(f"{s}.{k}" for s, k in KEYS)
                raise UsageError(f"{path}: unknown setting {section}.{key} (known: {known})")
            attr, kind = target
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise UsageError(f"{path}: {section}.{key} has the wrong type")
            value = _checked(value)
            lists = ("roots", "ignore", "mb_preferred_countries", "mb_preferred_media")
            if (attr in lists or attr == "mb_preferred_types") and not all(
                isinstance(v, str) for v in value
            ):
                raise UsageError(f"{path}: {section}.{key} must be a list of strings")
            if attr == "jobs" and not 1 <= value <= 256:
                raise UsageError(f"{path}: scan.jobs must be between 1 and 256")
            if attr in ("mb_rate_limit", "mb_cache_days") and value < 0:
                raise UsageError(f"{path}: {section}.{key} cannot be negative")
            if attr == "mb_min_score" and not 0 <= value <= 100:
                raise UsageError(f"{path}: musicbrainz.min_score must be between 0 and 100")
            setattr(settings, attr, value)
