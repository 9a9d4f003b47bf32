"""Untrusted text is made safe to print; templates fill fields."""

from __future__ import annotations

import json

from libtool.display import format_value, json_line, render_template, safe_text


def test_controls_become_visible() -> None:
    shown = safe_text("a\x1b]0;pwned\x07b\nc\r\x7f\x9b\u202e\u200f\u061c")
    assert all(not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0) for ch in shown)
    assert not {"\u202e", "\u200f", "\u061c"} & set(shown)
    assert shown.startswith("a\u241b]0;pwned\u2407b\u240a")


def test_ordinary_unicode_is_untouched() -> None:
    text = "Zoë Ångström — 夜明けの歌 🌞 \u05e9\u05dc\u05d5\u05dd [bold]x[/]"
    assert safe_text(text) == text


def test_json_line_escapes_but_round_trips() -> None:
    value = {"title": "x\x1b[2J\x85\u202ey", "n": 1}
    line = json_line(value)
    assert "\n" not in line and "\x1b" not in line and "\x85" not in line
    assert json.loads(line) == value


def test_template() -> None:
    values = {"track": 3, "title": "T\nx", "length": 125.4, "album": None}
    assert render_template("$track. $title ($length) [$album] $nope", values) == (
        "03. T\u240ax (2:05) [] $nope"
    )
    assert format_value("bpm", 120) == "120"
