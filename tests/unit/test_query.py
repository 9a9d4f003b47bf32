"""The query language, compiled to SQL and run against a real SQLite library."""

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
        {
            "title": ["Come Together"],
            "artist": ["The Beatles"],
            "album": ["Abbey Road"],
            "date": ["1969-09-26"],
            "genre": ["Rock"],
            "track": ["1"],
        },
        {
            "title": ["Something"],
            "artist": ["The Beatles"],
            "album": ["Abbey Road"],
            "date": ["1969"],
            "genre": ["Rock", "Pop"],
            "track": ["2"],
        },
        {
            "title": ["So What"],
            "artist": ["Miles Davis"],
            "album": ["Kind of Blue"],
            "date": ["1959"],
            "genre": ["Jazz"],
            "track": ["1"],
        },
        {
            "title": ["École de nuit"],
            "artist": ["Zoë Ångström"],
            "album": ["Café 50% off"],
            "date": ["1995-01-01"],
            "genre": ["Électronique"],
            "track": ["7"],
        },
        {"title": ["夜明けの歌"], "artist": ["Orquesta Añil"], "album": ["Río"], "track": ["3"]},
        {"title": ["Gone"], "artist": ["Ghost"], "album": ["Vanished"], "missing": True},
    )
    return library


def titles(library, query) -> set[str]:  # type: ignore[no-untyped-def]
    with library.session() as session:
        return set(session.scalars(select(Track.title).where(compile_query(query))))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Come Together", "Something", "So What", "École de nuit", "夜明けの歌"}),
        ("beatles", {"Come Together", "Something"}),
        ("BEATLES abbey", {"Come Together", "Something"}),
        ("beatles blue", set()),
        ("so", {"So What", "Something"}),  # short word: LIKE path, not the trigram index
        ("AB", {"Come Together", "Something"}),  # ASCII short word: SQLite's LIKE, any case
        ("oe", {"École de nuit"}),  # short word on non-ASCII text: folded, Zoë holds "oe"
        ("artist:ñi", {"夜明けの歌"}),  # a field term folds the value and the column
        ("artist:NI", {"夜明けの歌"}),
        ("miles blue so", {"So What"}),  # two words in one FTS query, and a short word
        ("abbey ^together road", {"Something"}),
        ("école", {"École de nuit"}),  # Unicode case folding through FTS5
        ("ÉCOLE", {"École de nuit"}),
        ("明けの", {"夜明けの歌"}),
        ("artist:miles", {"So What"}),
        ("artist:=Miles", set()),
        ('"artist:=Miles Davis"', {"So What"}),
        ("album:50%", {"École de nuit"}),  # % is literal, not a wildcard
        ("year:1960..1970", {"Come Together", "Something"}),
        ("year:..1960", {"So What"}),
        ("year:1990..", {"École de nuit"}),
        ("year:1959", {"So What"}),
        ("^beatles", {"So What", "École de nuit", "夜明けの歌"}),
        ("^genre:rock year:..2000", {"So What", "École de nuit"}),
        ("genre:pop", {"Something"}),  # a second value of a multi-valued field
        ("title::^So", {"Something", "So What"}),
        ("title::^S.*g$", {"Something"}),
        ("track:1", {"Come Together", "So What"}),
        ("missing:true", {"Gone"}),
        ("year::^19[56]", {"Come Together", "Something", "So What"}),  # regex on a number
        ("track:0.5..1.5", {"Come Together", "So What"}),  # decimal range
        ("gone", set()),  # missing tracks are hidden unless asked for
    ],
)
def test_query(lib, query: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert titles(lib, query) == expected


def test_quoted_term_with_spaces(lib) -> None:  # type: ignore[no-untyped-def]
    assert titles(lib, '"album:abbey road" "title:come together"') == {"Come Together"}
    assert titles(lib, ["album:abbey road"]) == {"Come Together", "Something"}


def test_fts_index_follows_updates(lib) -> None:  # type: ignore[no-untyped-def]
    with lib.session() as session:
        track = session.scalars(select(Track).where(Track.title == "So What")).one()
        track.title = "Freddie Freeloader"
        session.commit()
    assert titles(lib, "freeloader") == {"Freddie Freeloader"}
    assert titles(lib, "what") == set()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("colour:red", "unknown field"),
        ("year:abc", "not a number"),
        ("title::(", "bad regular expression"),
        ('"unclosed', "bad query"),
        ("missing:maybe", "true/false"),
    ],
)
def test_bad_queries_are_usage_errors(lib, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match=message):
        titles(lib, query)


def test_words_that_look_like_urls_are_bare_words() -> None:
    assert parse("https://example.org")[0].field is None


def test_compiled_to_sql_not_python(lib) -> None:  # type: ignore[no-untyped-def]
    sql = str(compile_query("beatles year:1960..1970 ^genre:jazz").compile())
    assert "tracks_fts MATCH" in sql
    assert "tracks.year >=" in sql
    assert "NOT" in sql
