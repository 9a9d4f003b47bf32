"""Import contracts: the headless core imports neither Textual nor click (the TUI and the
CLI sit on top of the service layer), and the front ends hold no SQL of their own."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "libtool"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_never_imports_textual() -> None:
    offenders = [
        str(path.relative_to(CORE))
        for path in CORE.rglob("*.py")
        if "tui" not in path.relative_to(CORE).parts
        and any(m == "textual" or m.startswith("textual.") for m in imported_modules(path))
    ]
    assert offenders == []


def test_contract_check_sees_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from textual.app import App\nimport textual\n")
    assert {"textual.app", "textual"} <= imported_modules(probe)


FRONT_ENDS = {"cli.py", "cli_enrich.py", "__main__.py"}


def core_files() -> list[Path]:
    return [
        path
        for path in CORE.rglob("*.py")
        if "tui" not in path.relative_to(CORE).parts and path.name not in FRONT_ENDS
    ]


def test_core_never_imports_click() -> None:
    offenders = [
        str(path.relative_to(CORE))
        for path in core_files()
        if any(m == "click" or m.startswith("click.") for m in imported_modules(path))
    ]
    assert offenders == []


def test_front_ends_hold_no_queries() -> None:
    """The CLI and the TUI call the service; neither imports SQLAlchemy or the models."""
    front = [CORE / name for name in FRONT_ENDS] + list((CORE / "tui").rglob("*.py"))
    offenders = {
        str(path.relative_to(CORE)): sorted(
            m for m in imported_modules(path) if m.startswith(("sqlalchemy", "libtool.db"))
        )
        for path in front
        if path.exists()
    }
    assert {k: v for k, v in offenders.items() if v} == {}
