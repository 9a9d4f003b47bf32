"""String normalisation for MusicBrainz matching."""

from __future__ import annotations

import pytest

from libtool.musicbrainz.normalise import light, normalise, strip_featuring, strip_suffixes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Beatles", "beatles"),
        ("Beatles, The", "beatles"),
        ("Simon & Garfunkel", "simon and garfunkel"),
        ("Simon and Garfunkel", "simon and garfunkel"),
        ("Beyoncé", "beyonce"),
        ("Motörhead", "motorhead"),
        ("Sigur Rós", "sigur ros"),
        ("Abbey Road (Remastered)", "abbey road"),
        ("Nevermind [Deluxe Edition]", "nevermind"),
        ("Help! (2011 Remaster)", "help"),
        ("Yesterday - Remastered 2009", "yesterday"),
        ("Hey Jude (Remastered 2015) [Deluxe Edition]", "hey jude"),
        ("Back in Black (1980)", "back in black"),
        ("Song (feat. Somebody Else)", "song"),
        ("Artist feat. Guest", "artist"),
        ("Artist ft. Guest", "artist"),
        ("Artist featuring Guest", "artist"),
        ("R.E.M.", "rem"),
        ("Don't Stop Me Now", "dont stop me now"),
        ("AC/DC", "ac dc"),
        ("Сплин", "splin"),
        ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
        ("  lots   of\tspace ", "lots of space"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise(text: str | None, expected: str) -> None:
    assert normalise(text) == expected


def test_non_latin_scripts_are_transliterated_consistently() -> None:
    assert normalise("片岡春子") == normalise("片岡 春子") != ""
    assert normalise("Ελληνικά").isascii()


@pytest.mark.parametrize(
    "text", ["Live (Part 1)", "Left Behind", "Softly", "The Edition of Me", "Twenty-One"]
)
def test_what_is_part_of_a_title_stays(text: str) -> None:
    assert strip_suffixes(strip_featuring(text)) == text


def test_a_title_that_is_only_a_note_is_kept() -> None:
    assert strip_suffixes("(Remastered)") == "(Remastered)"
    assert normalise("The") == "the"


def test_light_keeps_case_and_punctuation_for_queries() -> None:
    assert light("  Help!  (2011 Remaster) ") == "Help!"
    assert light("AC/DC feat. X") == "AC/DC"
