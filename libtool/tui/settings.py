"""The TUI's own small preferences (the theme), in ``user_config_dir('mlib')/tui.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import platformdirs


def settings_path() -> Path:
    return Path(platformdirs.user_config_dir("mlib")) / "tui.json"


def load() -> dict[str, Any]:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(**values: Any) -> None:
    """Merge ``values`` into the file; a failure to save a preference is not an error."""
    path = settings_path()
    data = {**load(), **values}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
