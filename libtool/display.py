"""The one place that makes untrusted tag text safe to show.

Tags and file names may hold escape sequences, newlines or bidi overrides.
Printed raw they can retitle a terminal, clear it, or reorder a line. Shown
text maps C0/C1 controls and DEL to visible placeholders; stored values keep
the raw text.
"""

from __future__ import annotations

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


def format_value(name: str, value: object) -> str:
    """How a field reads in a template: zero-padded track/disc, m:ss lengths."""
    if value is None:
        return ""
    if name in ("track", "disc") and isinstance(value, int):
        return f"{value:02d}"
    if name == "length" and isinstance(value, float):
        minutes, seconds = divmod(round(value), 60)
        return f"{minutes}:{seconds:02d}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render_template(template: str, values: dict[str, object]) -> str:
    """Fill ``$field`` / ``${field}`` placeholders; unknown names are left as they are."""
    from string import Template

    filled = Template(template).safe_substitute(
        {name: format_value(name, value) for name, value in values.items()}
    )
    return safe_text(filled)
