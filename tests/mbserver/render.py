"""MMD-2 XML, shaped like what musicbrainz.org's WS/2 sends.

Everything is built as text (fast, and the namespace prefixes are exactly the
service's). All character data goes through :func:`esc`, which escapes
``& < > "`` and drops characters XML 1.0 cannot carry (C0 controls other than
tab/newline/CR, lone surrogates, U+FFFE/U+FFFF), so a hostile title can never
produce a body the client fails to parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .catalogue import ArtistCredit, Catalogue, LabelInfo, Medium, Recording, Release, Track

MMD_NS = "http://musicbrainz.org/ns/mmd-2.0#"
EXT_NS = "http://musicbrainz.org/ns/ext#-2.0"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>'

#: ``inc=`` values the real service accepts for each entity (others are a 400).
RELEASE_INCS = frozenset(
    "artists labels recordings release-groups media artist-credits discids isrcs "  # noqa: SIM905
    "recording-level-rels work-level-rels annotation aliases tags user-tags ratings "
    "user-ratings genres user-genres area-rels artist-rels label-rels place-rels event-rels "
    "recording-rels release-rels release-group-rels series-rels url-rels work-rels "
    "instrument-rels".split()
)
RECORDING_INCS = frozenset(
    "artists releases discids media artist-credits isrcs work-level-rels annotation aliases "  # noqa: SIM905
    "tags user-tags ratings user-ratings genres user-genres area-rels artist-rels label-rels "
    "place-rels event-rels recording-rels release-rels release-group-rels series-rels "
    "url-rels work-rels instrument-rels".split()
)

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def esc(text: object) -> str:
    """XML-escape ``text`` for element content or a double-quoted attribute."""
    s = _INVALID_XML.sub("", str(text))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _el(tag: str, value: object) -> str:
    """``<tag>value</tag>``, or nothing when value is None or ''."""
    if value is None or value == "":
        return ""
    return f"<{tag}>{esc(value)}</{tag}>"


def _score_attr(score: int | None, prefix: str) -> str:
    return "" if score is None else f' {prefix}:score="{score}"'


def document(body: str, *, ext_prefix: str | None = None) -> bytes:
    """Wrap ``body`` in ``<metadata>`` with the MMD namespace (and the ext one if asked)."""
    ext = f' xmlns:{ext_prefix}="{EXT_NS}"' if ext_prefix else ""
    return f'{XML_DECL}<metadata xmlns="{MMD_NS}"{ext}>{body}</metadata>'.encode()


def error_document(*texts: str) -> bytes:
    """The service's error body: un-namespaced ``<error><text>…</text></error>``."""
    inner = "".join(f"<text>{esc(t)}</text>" for t in texts)
    return f"{XML_DECL}<error>{inner}</error>".encode()


def not_found() -> bytes:
    return error_document(
        "Not Found", "For usage, please see: https://musicbrainz.org/development/mmd"
    )


# --------------------------------------------------------------------------- pieces


def artist_credit(credit: ArtistCredit) -> str:
    parts = []
    for nc in credit:
        join = f' joinphrase="{esc(nc.joinphrase)}"' if nc.joinphrase else ""
        credited = _el("name", nc.name) if nc.artist_name and nc.artist_name != nc.name else ""
        parts.append(
            f"<name-credit{join}>{credited}"
            f'<artist id="{esc(nc.artist_id)}">{_el("name", nc.real_name)}'
            f"{_el('sort-name', nc.sort_name)}</artist></name-credit>"
        )
    return f"<artist-credit>{''.join(parts)}</artist-credit>" if parts else ""


def release_group(rel: Release, *, full: bool = True) -> str:
    rg = rel.release_group
    type_attr = ""
    rg_type = rg.secondary_types[0] if rg.secondary_types else rg.primary_type
    if rg_type:
        type_attr = f' type="{esc(rg_type)}"'
    inner = ""
    if full:
        inner += _el("title", rg.title) + _el("first-release-date", rg.first_release_date)
    inner += _el("primary-type", rg.primary_type)
    if rg.secondary_types:
        inner += "<secondary-type-list>"
        inner += "".join(_el("secondary-type", s) for s in rg.secondary_types)
        inner += "</secondary-type-list>"
    return f'<release-group id="{esc(rg.id)}"{type_attr}>{inner}</release-group>'


def label_info_list(infos: Sequence[LabelInfo]) -> str:
    items = "".join(
        f"<label-info>{_el('catalog-number', li.catalog_number)}"
        f'<label id="{esc(li.label_id)}">{_el("name", li.name)}{_el("sort-name", li.name)}'
        "</label></label-info>"
        for li in infos
    )
    return f'<label-info-list count="{len(infos)}">{items}</label-info-list>'


def recording(
    rec: Recording,
    *,
    credits: bool,
    isrcs: bool,
    score: int | None = None,
    ext_prefix: str = "ext",
    extra: str = "",
) -> str:
    inner = _el("title", rec.title) + _el("length", rec.length)
    inner += _el("disambiguation", rec.disambiguation)
    if credits:
        inner += artist_credit(rec.artist_credit)
    if isrcs and rec.isrcs:
        inner += f'<isrc-list count="{len(rec.isrcs)}">'
        inner += "".join(f'<isrc id="{esc(i)}"/>' for i in rec.isrcs) + "</isrc-list>"
    attr = _score_attr(score, ext_prefix)
    return f'<recording id="{esc(rec.id)}"{attr}>{inner}{extra}</recording>'


def track(t: Track, *, credits: bool, isrcs: bool) -> str:
    inner = _el("position", t.position) + _el("number", t.number)
    inner += _el("title", t.title) + _el("length", t.length)
    if credits:
        inner += artist_credit(t.artist_credit)
    inner += recording(t.recording, credits=credits, isrcs=isrcs)
    return f'<track id="{esc(t.id)}">{inner}</track>'


def medium(m: Medium, *, tracks: bool, credits: bool, isrcs: bool) -> str:
    inner = _el("position", m.position) + _el("title", m.title) + _el("format", m.format)
    if tracks:
        body = "".join(track(t, credits=credits, isrcs=isrcs) for t in m.tracks)
        inner += f'<track-list count="{len(m.tracks)}" offset="0">{body}</track-list>'
    else:
        inner += f'<track-list count="{len(m.tracks)}"/>'
    return f"<medium>{inner}</medium>"


def _release_head(rel: Release) -> str:
    out = _el("title", rel.title) + _el("status", rel.status) + "<quality>normal</quality>"
    out += _el("disambiguation", rel.disambiguation) + _el("packaging", rel.packaging)
    if rel.language or rel.script:
        out += "<text-representation>"
        out += _el("language", rel.language) + _el("script", rel.script)
        out += "</text-representation>"
    return out


def _release_event(rel: Release) -> str:
    return _el("date", rel.date) + _el("country", rel.country) + _el("barcode", rel.barcode)


# --------------------------------------------------------------------------- entities


def release_lookup(rel: Release, inc: Iterable[str]) -> bytes:
    """``GET /ws/2/release/<id>?inc=…``: only what ``inc`` asks for, like the service."""
    incs = set(inc)
    with_recordings = "recordings" in incs
    credits = "artist-credits" in incs
    out = _release_head(rel)
    if credits or "artists" in incs:
        out += artist_credit(rel.artist_credit)
    if "release-groups" in incs:
        out += release_group(rel)
    out += _release_event(rel)
    if "labels" in incs:
        out += label_info_list(rel.label_info)
    if with_recordings or "media" in incs or "discids" in incs:
        media = "".join(
            medium(m, tracks=with_recordings, credits=credits, isrcs="isrcs" in incs)
            for m in rel.media
        )
        out += f'<medium-list count="{len(rel.media)}">{media}</medium-list>'
    return document(f'<release id="{esc(rel.id)}">{out}</release>')


def recording_lookup(rec: Recording, catalogue: Catalogue, inc: Iterable[str]) -> bytes:
    incs = set(inc)
    extra = ""
    if "releases" in incs:
        extra = _release_list_for(rec, catalogue.releases_for_recording(rec.id), "media" in incs)
    body = recording(
        rec,
        credits="artist-credits" in incs or "artists" in incs,
        isrcs="isrcs" in incs,
        extra=extra,
    )
    return document(body)


def _release_list_for(rec: Recording, releases: Sequence[Release], with_media: bool) -> str:
    items = []
    for rel in releases:
        out = _release_head(rel) + artist_credit(rel.artist_credit)
        out += release_group(rel, full=False) + _release_event(rel)
        if with_media:
            media = []
            for m in rel.media:
                for i, t in enumerate(m.tracks):
                    if t.recording.id == rec.id:
                        tr = (
                            f'<track id="{esc(t.id)}">{_el("number", t.number)}'
                            f"{_el('title', t.title)}{_el('length', t.length)}</track>"
                        )
                        media.append(
                            f"<medium>{_el('position', m.position)}{_el('format', m.format)}"
                            f'<track-list count="{len(m.tracks)}" offset="{i}">{tr}</track-list>'
                            "</medium>"
                        )
            out += f'<medium-list count="{len(media)}">{"".join(media)}</medium-list>'
        items.append(f'<release id="{esc(rel.id)}">{out}</release>')
    return f'<release-list count="{len(items)}">{"".join(items)}</release-list>'


def release_search(
    hits: Sequence[tuple[int, Release]], count: int, offset: int, *, ext_prefix: str = "ext"
) -> bytes:
    """A release search page, as in ``search-release.xml``."""
    items = []
    for score, rel in hits:
        out = _release_head(rel) + artist_credit(rel.artist_credit)
        out += release_group(rel, full=False) + _release_event(rel)
        if rel.label_info:
            out += label_info_list(rel.label_info)
        media = "".join(
            f'<medium>{_el("format", m.format)}<disc-list count="0"/>'
            f'<track-list count="{len(m.tracks)}"/></medium>'
            for m in rel.media
        )
        out += (
            f'<medium-list count="{len(rel.media)}"><track-count>{rel.track_count}</track-count>'
            f"{media}</medium-list>"
        )
        attr = _score_attr(score, ext_prefix)
        items.append(f'<release id="{esc(rel.id)}"{attr}>{out}</release>')
    body = f'<release-list count="{count}" offset="{offset}">{"".join(items)}</release-list>'
    return document(body, ext_prefix=ext_prefix)


def recording_search(
    hits: Sequence[tuple[int, Recording]],
    count: int,
    offset: int,
    catalogue: Catalogue,
    *,
    ext_prefix: str = "ext",
) -> bytes:
    items = []
    for score, rec in hits:
        releases = _release_list_for(rec, catalogue.releases_for_recording(rec.id), True)
        items.append(
            recording(
                rec, credits=True, isrcs=True, score=score, ext_prefix=ext_prefix, extra=releases
            )
        )
    body = f'<recording-list count="{count}" offset="{offset}">{"".join(items)}</recording-list>'
    return document(body, ext_prefix=ext_prefix)
