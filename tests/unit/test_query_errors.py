"""Malformed query terms give one clear UsageError; quotes and case work as beets users expect."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from libtool.db.models import Track
from libtool.db.query import compile_query, parse
from libtool.errors import UsageError
from tests.factories import add_tracks


@pytest.fixture
def lib(library):  # type: ignore[no-untyped-def]
    add_tracks(
        library,
        {"title": ["Come Together"], "album": ["The Album"], "comment": ["x"]},
        {"title": ["Something"], "album": ["Abbey Road"]},
        {"title": ["it's fine"], "album": ["Other"]},
    )
    return library


def titles(library, query) -> set[str]:  # type: ignore[no-untyped-def]
    with library.session() as session:
        return set(session.scalars(select(Track.title).where(compile_query(query))))


@pytest.mark.parametrize(
    "query",
    ["title::^come", "title::^COME", "title::TOGETHER$", "album::^the.ALBUM$", "title::(?s)^come"],
)
def test_regex_terms_ignore_case(lib, query: str) -> None:  # type: ignore[no-untyped-def]
    assert titles(lib, query) == {"Come Together"}
    assert titles(lib, [query]) == {"Come Together"}


@pytest.mark.parametrize(
    "query",
    [
        'album:"the album"',
        "album:'the album'",
        '"album:the album"',
        'album:="The Album"',
        'album:"THE ALBUM"',
    ],
)
def test_quotes_inside_a_term(lib, query: str) -> None:  # type: ignore[no-untyped-def]
    assert titles(lib, query) == {"Come Together"}


@pytest.mark.parametrize("word", ['album:"the album"', "album:'the album'", 'album:="The Album"'])
def test_quotes_inside_a_term_passed_by_the_shell(lib, word: str) -> None:  # type: ignore[no-untyped-def]
    assert titles(lib, [word]) == {"Come Together"}


def test_apostrophes_in_words_from_the_shell_stay(lib) -> None:  # type: ignore[no-untyped-def]
    assert titles(lib, ["it's"]) == {"it's fine"}
    assert titles(lib, ["title:it's"]) == {"it's fine"}


def test_empty_field_is_found_with_exact_or_regex(lib) -> None:  # type: ignore[no-untyped-def]
    assert titles(lib, "comment:=") == {"Something", "it's fine"}
    assert titles(lib, "comment::^$") == {"Something", "it's fine"}
    assert titles(lib, "^comment:=") == {"Come Together"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('album:"the album', "no closing quotation"),
        ('"unclosed', "no closing quotation"),
        (['album:"the album'], "no closing quotation"),
        ("^", "must be followed by a term"),
        (["^"], "must be followed by a term"),
        ("^^jazz", "negates twice"),
        (":", "no field name"),
        (":rock", "no field name"),
        ("^:rock", "no field name"),
        ("album:", "has no value"),
        ("year:", "has no value"),
        ("title::", "has no value"),
        ("^genre:", "has no value"),
    ],
)
def test_malformed_terms_are_one_line_usage_errors(lib, query, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match=message) as info:
        titles(lib, query)
    assert "\n" not in str(info.value)


def test_field_without_value_error_says_how_to_find_empty_fields() -> None:
    with pytest.raises(UsageError, match=r"album:= \(or album::\^\$\)"):
        parse("album:")
