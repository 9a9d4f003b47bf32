"""The read-only views ``read_tags`` reads through must give what the tags themselves give.

A differential check: every storage rule reads each file of the compatibility corpus once
through the view and once from mutagen's own tag object, and the results must be equal;
the cached key classification must agree with asking every rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import ID3, TXXX
from mutagen.mp4 import MP4, MP4FreeForm

from libtool.tags.fields import DERIVED_YEARS, FIELD_BY_NAME, parse_year, typed_value
from libtool.tags.formats.id3 import Id3ReadView
from libtool.tags.formats.mp4 import FREEFORM, Mp4ReadView
from libtool.tags.formats.vorbis import ReadView
from libtool.tags.read import (
    _CLAIMED,
    _keys,
    container_of,
    open_audio,
    read_tags,
    typed_columns,
)
from libtool.tags.tagmap import RULES
from tests.unit.test_compat_corpus import CORPUS, _build

VIEWS: dict[str, Any] = {"id3": Id3ReadView, "mp4": Mp4ReadView, "vorbis": ReadView}


def _assert_views_agree(path: Path) -> None:
    audio = open_audio(bytes(path))
    container = container_of(audio.tags)
    assert container is not None
    view = VIEWS[container](audio.tags) if container in VIEWS else audio.tags
    for name, rule in RULES[container].items():
        assert rule.read(view) == rule.read(audio.tags), name
    first = read_tags(audio)
    for key in _keys(audio.tags, container):  # the cache, filled by read_tags, agrees
        claimed = any(rule.claims(key) for rule in RULES[container].values())
        assert _CLAIMED[container].get(key, claimed) == claimed, key
    assert read_tags(audio) == first  # a warm cache reads the same
    reference = {name: typed_value(f, first.raw.get(name, [])) for name, f in FIELD_BY_NAME.items()}
    for year, date in DERIVED_YEARS.items():
        reference[year] = parse_year(reference[date]) if reference[date] else None
    assert typed_columns(first.raw) == reference


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_views_read_what_the_tags_hold(audio: Any, tmp_path: Path, name: str) -> None:
    _assert_views_agree(_build(audio, tmp_path, name))


def test_mp4_freeform_atoms_differing_only_in_case(audio: Any, tmp_path: Path) -> None:
    path = audio.make(tmp_path / "case.m4a", "m4a")
    tags = MP4(path)
    tags[FREEFORM + "MusicBrainz Album Id"] = [MP4FreeForm(b"second")]
    tags[FREEFORM + "MUSICBRAINZ ALBUM ID"] = [MP4FreeForm(b"first")]
    tags[FREEFORM + "TRACKTOTAL"] = [MP4FreeForm(b"12")]
    tags.save()

    _assert_views_agree(path)
    assert Mp4ReadView(MP4(path).tags).keys_lowered((FREEFORM + "musicbrainz album id").lower())


def test_id3_user_frames_differing_only_in_case(audio: Any, tmp_path: Path) -> None:
    path = audio.make(tmp_path / "case.mp3", "mp3")
    tags = ID3()
    tags.add(TXXX(encoding=3, desc="TRACKTOTAL", text=["12"]))
    tags.add(TXXX(encoding=3, desc="tracktotal", text=["13"]))
    tags.add(TXXX(encoding=3, desc="MusicBrainz Album Id", text=["x"]))
    tags.save(path)

    _assert_views_agree(path)
