"""Import contract of libtool.musicbrainz: headless, musicbrainzngs in one module only, and
nothing from the rest of libtool but the version, the error base and the cancel token."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "libtool" / "musicbrainz"
ALLOWED_LIBTOOL = {"libtool", "libtool.errors", "libtool.events"}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_musicbrainz_package_is_headless_and_self_contained() -> None:
    for path in PACKAGE.glob("*.py"):
        for name in imports(path):
            top = name.split(".")[0]
            assert top not in {"textual", "click", "sqlalchemy", "rich"}, (path.name, name)
            if top == "libtool" and not name.startswith("libtool.musicbrainz"):
                assert name in ALLOWED_LIBTOOL, (path.name, name)


def test_only_the_adapter_imports_musicbrainzngs() -> None:
    users = {
        path.name
        for path in PACKAGE.glob("*.py")
        if any(n.split(".")[0] == "musicbrainzngs" for n in imports(path))
    }
    assert users == {"mbngs.py"}
