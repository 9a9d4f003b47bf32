"""``read_tags`` evaluates only the rules whose keys a file holds: skipping must never drop
a value.

For every container and every storage rule, a file holding only one of the rule's keys
(each alias, and each case spelling where the container's lookups ignore case) must read
the field, and read exactly what evaluating every rule on mutagen's own tag object reads.
Every key a rule claims (so it is no 'extra') must be among the keys it declares, or a
file holding only that key would lose the value instead of showing it as an extra.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mutagen
import pytest
from mutagen import id3
from mutagen.apev2 import APEv2
from mutagen.mp4 import MP4FreeForm

from libtool.tags.formats import vorbis
from libtool.tags.formats.base import KeyedRule, Rule
from libtool.tags.formats.id3 import frame_class
from libtool.tags.formats.mp4 import FREEFORM
from libtool.tags.read import _PLANS, NORMAL_KEYS, ReadPlan, _keys, container_of, read_tags
from libtool.tags.read import open_audio as load
from libtool.tags.tagmap import CONTAINERS, RULES
from tests.unit.test_compat_corpus import CORPUS, _build

#: container -> a format that stores its tags in that container
FORMAT = {"id3": "mp3", "vorbis": "flac", "mp4": "m4a", "asf": "wma", "apev2": "wv"}
VALUE = "3/12"  # a text every rule reads something from: a number, a total, a pair
#: keys mutagen loads under another name (a numeric gnre atom becomes ©gen text)
GIVEN_AS = {("mp4", "gnre"): "©gen"}
#: rules that claim aliases they read nothing from alone: the number half of trkn/disk
#: claims the freeform totals (a write moves them into the atom); the total half reads them
CLAIMED_ONLY = {("mp4", "track"), ("mp4", "disc")}


def _declared(rule: Rule) -> tuple[str, ...]:
    assert isinstance(rule, KeyedRule), f"{rule!r} declares no read_keys: never skipped"
    return rule.read_keys


def _spellings(container: str, key: str) -> list[str]:
    """``key`` as the file may spell it: every case, where the lookups ignore case."""
    if container == "id3":
        if not key.startswith("TXXX:"):
            return [key]  # frame ids are upper case; UFID owners compare exactly
        forms = [key, "TXXX:" + key[5:].lower(), "TXXX:" + key[5:].upper()]
    elif container == "mp4" and not key.startswith("----:"):
        forms = [key]  # atoms other than freeform ones compare exactly
    else:
        forms = [key, key.lower(), key.upper(), key.swapcase()]
    return list(dict.fromkeys(forms))


def _id3_frame(key: str) -> id3.Frame:
    if key.startswith("TXXX:"):
        return id3.TXXX(encoding=3, desc=key[5:], text=[VALUE])
    if key.startswith("UFID:"):
        return id3.UFID(owner=key[5:], data=VALUE.encode())
    if key == "COMM":
        return id3.COMM(encoding=3, lang="eng", desc="", text=[VALUE])
    if key == "USLT":
        return id3.USLT(encoding=3, lang="eng", desc="", text=VALUE)
    return frame_class(key)(encoding=3, text=[VALUE])


def _mp4_value(key: str) -> Any:
    if key.startswith("----:"):
        return [MP4FreeForm(VALUE.encode())]
    typed = {"trkn": [(3, 12)], "disk": [(1, 2)], "tmpo": [120], "cpil": True}
    return typed.get(key, [VALUE])


def _mp4_gnre(path: Path) -> None:
    """A legacy 'gnre' atom, which mutagen cannot write: a two-letter ©gen patched in place,
    at the same size, into gnre = 18 ('Rock'), as in test_tag_mapping."""
    f = mutagen.File(path)
    f.tags["©gen"] = ["Ro"]
    f.save()
    data = path.read_bytes()
    text_atom = b"\xa9gen\x00\x00\x00\x12data\x00\x00\x00\x01\x00\x00\x00\x00Ro"
    gnre_atom = b"gnre\x00\x00\x00\x12data\x00\x00\x00\x00\x00\x00\x00\x00" + struct.pack(">H", 18)
    assert data.count(text_atom) == 1
    path.write_bytes(data.replace(text_atom, gnre_atom))


def _store(path: Path, container: str, key: str) -> None:
    """Tag ``path`` with ``key`` alone, as a tagger would."""
    if container == "id3":
        tags = id3.ID3()
        tags.add(_id3_frame(key))
        tags.save(path)
        return
    if container == "apev2":
        ape = APEv2()
        ape[key] = VALUE
        ape.save(path)
        return
    if container == "mp4" and key == "gnre":
        _mp4_gnre(path)
        return
    f = mutagen.File(path)
    if f.tags is None:
        f.add_tags()
    f.tags[key] = _mp4_value(key) if container == "mp4" else [VALUE]
    f.save()


def _every_rule(tags: Any, container: str) -> dict[str, list[str]]:
    """What reading every rule (no skipping, no read view) finds in mutagen's tag object."""
    found = {}
    for name, rule in RULES[container].items():
        if values := rule.read(tags):
            found[name] = values
    return found


def _assert_claims_declared(container: str, key: str) -> None:
    normal = NORMAL_KEYS[container]
    for name, rule in RULES[container].items():
        if rule.claims(key):
            declared = {normal(k) for k in _declared(rule)}
            assert normal(key) in declared, f"{name} claims {key!r} but does not declare it"


def _cases(container: str) -> list[tuple[str, str]]:
    """(field, spelling) for every rule's every key in every spelling."""
    return [
        (name, spelling)
        for name, rule in RULES[container].items()
        for key in _declared(rule)
        for spelling in _spellings(container, key)
    ]


@pytest.mark.parametrize("container", CONTAINERS)
def test_a_file_holding_only_one_key_of_a_rule_reads_the_field(
    audio: Any, tmp_path: Path, container: str
) -> None:
    normal = NORMAL_KEYS[container]
    files: dict[str, Path] = {}
    for name, spelling in _cases(container):
        declared = _declared(RULES[container][name])
        path = files.get(spelling)
        if path is None:
            path = audio.make(tmp_path / f"{len(files)}.{FORMAT[container]}", FORMAT[container])
            _store(path, container, spelling)
            files[spelling] = path
        loaded = load(bytes(path))
        assert container_of(loaded.tags) == container
        raw_keys = _keys(loaded.tags, container)
        given = GIVEN_AS.get((container, spelling), spelling)
        assert [normal(k) for k in raw_keys] == [normal(given)], raw_keys  # only that key
        read = read_tags(loaded).raw
        if (container, name) not in CLAIMED_ONLY or normal(spelling) == normal(declared[0]):
            assert name in read, f"{name} not read from a file holding only {spelling!r}"
        assert read == _every_rule(loaded.tags, container), spelling
        for key in raw_keys:  # as mutagen gives it back (ID3 'COMM::eng', Vorbis lower case)
            _assert_claims_declared(container, key)


def _named_keys(container: str, rule: Rule) -> set[str]:
    """Every key a rule's fields could name, found without asking the rule: each text in
    them, as such and in the key forms the container builds from a name."""
    texts: list[str] = []
    for f in dataclasses.fields(rule):  # type: ignore[arg-type]
        value = getattr(rule, f.name)
        texts.extend(
            [value] if isinstance(value, str) else value if isinstance(value, tuple) else []
        )
    forms = {
        "id3": ("{}", "TXXX:{}", "UFID:{}", "{}::eng", "{}::XXX"),
        "mp4": ("{}", FREEFORM + "{}"),
    }.get(container, ("{}",))
    return {form.format(text) for text in texts for form in forms}


@pytest.mark.parametrize("container", CONTAINERS)
def test_every_key_a_rule_claims_is_declared(container: str) -> None:
    """Over every spelling of every key any rule of the container names or declares."""
    keys = set()
    for rule in RULES[container].values():
        keys |= _named_keys(container, rule) | set(_declared(rule))
    for key in keys:
        for spelling in _spellings(container, key):
            _assert_claims_declared(container, spelling)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_keys_claimed_are_declared(audio: Any, tmp_path: Path, name: str) -> None:
    """The keys real taggers write (the compatibility corpus), extras included."""
    loaded = load(bytes(_build(audio, tmp_path, name)))
    container = container_of(loaded.tags)
    assert container is not None
    for key in _keys(loaded.tags, container):
        _assert_claims_declared(container, key)
    assert read_tags(loaded).raw == _every_rule(loaded.tags, container)


class _Undeclared:
    """A rule type that does not say which keys it reads."""

    def __init__(self, inner: Rule) -> None:
        self._inner = inner
        self.read: Callable[[Any], list[str]] = inner.read
        self.write = inner.write
        self.claims = inner.claims


def test_a_rule_that_declares_no_keys_is_always_evaluated(
    audio: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    undeclared = _Undeclared(vorbis.Key("TITLE", ("NAME OF THE PIECE",)))
    assert not isinstance(undeclared, KeyedRule)
    rules: dict[str, Rule] = {"title": undeclared, "artist": vorbis.Key("ARTIST")}
    plan = ReadPlan(rules, vorbis.normal_key)
    assert plan.rules_for([]) == [("title", undeclared)]
    assert [name for name, _ in plan.rules_for(["artist"])] == ["title", "artist"]

    monkeypatch.setitem(_PLANS, "vorbis", plan)
    path = audio.make(tmp_path / "t.flac", "flac")
    _store(path, "vorbis", "NAME OF THE PIECE")  # a key only the rule itself knows
    assert read_tags(load(bytes(path))).raw == {"title": [VALUE]}
