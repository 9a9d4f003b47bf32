"""String normalisation for matching tags against MusicBrainz.

``normalise`` is the strong form used for comparing ("The Beatles" and "beatles" are equal);
``light`` only drops edition suffixes and tidies spaces, for search queries.
"""

from __future__ import annotations

import re
import unicodedata

from unidecode import unidecode

# Words that mark a bracketed or dashed suffix as an edition note rather than part of a title.
_EDITION_WORDS = (
    r"remaster(?:ed)?|re-?master(?:ed)?|deluxe|edition|expanded|anniversary|bonus|reissue"
    r"|re-?issue|mono|stereo|explicit|clean|digital|special|limited|collector'?s"
    r"|(?:album|single|lp) version"
    r"|legacy|super|extended|original mix|\d{4}\s+mix"
)
_FEAT = r"(?:feat\.?|ft\.|featuring|with(?=\s))"  # "with" only inside brackets, see below
_BRACKETED = re.compile(
    rf"\s*[\(\[][^\(\)\[\]]*\b(?:{_EDITION_WORDS})\b[^\(\)\[\]]*[\)\]]\s*$", re.IGNORECASE
)
_BRACKETED_YEAR = re.compile(r"\s*[\(\[]\s*\d{4}\s*[\)\]]\s*$")
_BRACKETED_FEAT = re.compile(rf"\s*[\(\[]\s*{_FEAT}\s[^\)\]]*[\)\]]", re.IGNORECASE)
_DASHED = re.compile(rf"\s+[-–—]\s+[^-–—]*\b(?:{_EDITION_WORDS})\b[^-–—]*$", re.IGNORECASE)
_TRAILING_FEAT = re.compile(r"\s+(?:feat\.?|ft\.|featuring)\s.*$", re.IGNORECASE)
_AMPERSAND = re.compile(r"\s*&\s*|\s+\+\s+")
_LEADING_THE = re.compile(r"^the\s+")
_TRAILING_THE = re.compile(r",\s*the$")
_DROP = re.compile(r"['’`´.]")  # dropped outright: "don't" -> "dont", "R.E.M." -> "rem"
_PUNCT = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


def collapse(text: str) -> str:
    """Whitespace runs to one space, ends trimmed."""
    return _SPACES.sub(" ", text).strip()


def strip_featuring(text: str) -> str:
    """Drop "(feat. X)" anywhere and a trailing " feat. X" / " ft. X" / " featuring X"."""
    text = _BRACKETED_FEAT.sub("", text)
    return _TRAILING_FEAT.sub("", text)


def strip_suffixes(text: str) -> str:
    """Drop trailing edition notes: "(Remastered)", "[Deluxe Edition]", "(2011 Remaster)",
    " - Remastered 2009", "(1999)"; repeatedly, so stacked notes all go."""
    while True:
        stripped = _BRACKETED.sub("", text)
        stripped = _BRACKETED_YEAR.sub("", stripped)
        stripped = _DASHED.sub("", stripped)
        if stripped == text or not stripped.strip():
            return text
        text = stripped


def fold(text: str) -> str:
    """Casefolded ASCII: accents stripped, other scripts transliterated (unidecode)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unidecode(text).casefold()


def light(text: str | None) -> str:
    """For search queries: edition suffixes and featuring credits off, spaces tidied."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return collapse(strip_suffixes(strip_featuring(collapse(text))))


def normalise(text: str | None) -> str:
    """The comparison form: ``light``, then folded to ASCII lower case, "&" as "and", a
    leading "The" dropped, punctuation removed, whitespace collapsed."""
    if not text:
        return ""
    text = fold(light(text))
    text = _AMPERSAND.sub(" and ", text)
    text = _TRAILING_THE.sub("", collapse(text))
    text = _DROP.sub("", text)
    text = collapse(_PUNCT.sub(" ", text))
    return _LEADING_THE.sub("", text) if text != "the" else text
