"""The one place that makes untrusted tag text safe to show.

Tags and file names may hold escape sequences, newlines or bidi overrides.
Printed raw they can retitle a terminal, clear it, or reorder a line. Shown
text maps C0/C1 controls and DEL to visible placeholders; stored values keep
the raw text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from string import Template

from libtool.errors import UsageError
from libtool.pathutil import cell_to_path, display_path

_TABLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ ... ␟
_TABLE[0x7F] = "\u2421"  # ␡
_TABLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})
#: Bidi controls and marks: they reorder how a line reads without being visible.
BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_TABLE.update({code: f"\\u{code:04x}" for code in BIDI_CONTROLS})


def safe_text(value: object) -> str:
    """Text with every control character replaced by a visible stand-in."""
    if value is None:
        return ""
    return str(value).translate(_TABLE)


_JSON_SAFE: dict[int, str] = {
    code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0), *BIDI_CONTROLS)
}


def json_line(values: dict[str, object]) -> str:
    """One JSON object on one line; C1 controls and bidi overrides stay escaped."""
    import json

    return json.dumps(values, ensure_ascii=False, default=str).translate(_JSON_SAFE)


def template_names(template: str) -> list[str]:
    """The ``$name`` / ``${name}`` placeholders of a template, in order; a malformed
    one (a lone ``$``, an unclosed ``${``) is a UsageError."""
    names = []
    for m in Template.pattern.finditer(template):
        if m.group("invalid") is not None:
            where = m.start("invalid")
            raise UsageError(
                f"bad template {template!r}: stray '$' at position {where + 1} "
                "(write $$ for a dollar sign)"
            )
        name = m.group("named") or m.group("braced")
        if name:
            names.append(name)
    return names


def check_template(template: str, known: Iterable[str], what: str = "template") -> None:
    """A UsageError naming the first placeholder that is not one of the ``known`` fields."""
    allowed = set(known)
    for name in template_names(template):
        if name not in allowed:
            close = [k for k in sorted(allowed) if k.startswith(name[:3])][:5]
            hint = f" (did you mean {', '.join('$' + c for c in close)}?)" if close else ""
            raise UsageError(f"unknown field ${name} in the {what}{hint}")


def title_or_filename(title: object, path: object) -> str:
    """The title, or for an untagged track its file name without the extension (as
    beets and players show it)."""
    if title not in (None, "") or path in (None, "", b""):
        return "" if title is None else str(title)
    text = shown_path(path)
    return os.path.splitext(os.path.basename(text))[0]


def shown_path(path: object) -> str:
    """A path as people see it in every command (``pathutil.display_path``), given its raw
    bytes or its reversible cell (``path_to_cell``: the ``file://`` form of a path that is
    not UTF-8, which machine output keeps)."""
    if isinstance(path, str):
        path = cell_to_path(path)
    return display_path(path) if isinstance(path, bytes) else str(path)


def format_value(name: str, value: object) -> str:
    """How a field reads in a template: zero-padded track/disc, m:ss lengths, and
    paths as people see them everywhere else."""
    if value is None:
        return ""
    if isinstance(value, bytes) or name == "path":
        return shown_path(value)
    if name in ("track", "disc") and isinstance(value, int):
        return f"{value:02d}"
    if name == "length" and isinstance(value, float):
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes}:{seconds:02d}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render_template(template: str, values: dict[str, object]) -> str:
    """Fill ``$field`` / ``${field}`` placeholders; unknown names are left as they are
    (``check_template`` rejects them first). A missing title falls back to the file name
    when the values hold a path."""
    shown = {name: format_value(name, value) for name, value in values.items()}
    if "path" in values and "title" in values:
        shown["title"] = title_or_filename(values["title"], values["path"])
    return safe_text(Template(template).safe_substitute(shown))
