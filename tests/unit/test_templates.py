"""Templates: unknown fields are named errors, paths render as text, untitled tracks show
their file name."""

from __future__ import annotations

import pytest

from libtool.columns import ALBUM_FIELDS
from libtool.columns import ALL_COLUMNS as TRACK_FIELDS
from libtool.display import (
    check_template,
    format_value,
    render_template,
    template_names,
    title_or_filename,
)
from libtool.errors import UsageError


@pytest.mark.parametrize(
    ("template", "bad"),
    [("$bogus", "$bogus"), ("$artist - ${titel}", "$titel"), ("$title $tracks", "$tracks")],
)
def test_unknown_fields_are_named(template: str, bad: str) -> None:
    with pytest.raises(UsageError, match=f"unknown field \\{bad} in the --format template"):
        check_template(template, TRACK_FIELDS, "--format template")


def test_close_names_are_suggested() -> None:
    with pytest.raises(UsageError, match=r"did you mean \$title"):
        check_template("$titel", TRACK_FIELDS)


@pytest.mark.parametrize(
    "template",
    ["$artist - $album - $title", "${track}. $title ($length) $path $$5", "", "$year $size"],
)
def test_known_fields_pass(template: str) -> None:
    check_template(template, TRACK_FIELDS)


def test_album_fields() -> None:
    check_template("$albumartist - $album ($year, $tracks) $path", ALBUM_FIELDS)
    with pytest.raises(UsageError, match=r"\$title"):
        check_template("$title", ALBUM_FIELDS)


@pytest.mark.parametrize("template", ["cost: $", "${title", "$ title"])
def test_malformed_placeholders_are_errors(template: str) -> None:
    with pytest.raises(UsageError, match="stray"):
        check_template(template, TRACK_FIELDS)


def test_template_names() -> None:
    assert template_names("$a ${b}c $$d $e_1") == ["a", "b", "e_1"]


def test_bytes_paths_render_as_text() -> None:
    assert format_value("path", b"/music/caf\xe9.mp3") == "/music/caf\\xe9.mp3"
    assert render_template("$path", {"path": b"/m/\xc3\xa9.flac"}) == "/m/é.flac"
    assert "b'" not in render_template("$path $mb_albumid", {"path": b"/x", "mb_albumid": b"y"})


@pytest.mark.parametrize("title", [None, ""])
def test_missing_title_falls_back_to_the_file_name(title: object) -> None:
    values = {"artist": None, "album": None, "title": title, "path": "/music/x/03 Song.mp3"}
    assert render_template("$artist - $album - $title", values) == " -  - 03 Song"
    assert title_or_filename(title, b"/m/caf\xe9.v1.flac") == "caf\\xe9.v1"


def test_a_real_title_wins() -> None:
    assert render_template("$title", {"title": "Real", "path": "/m/file.mp3"}) == "Real"
    assert render_template("$title", {"title": None}) == ""  # no path: nothing to fall back on
