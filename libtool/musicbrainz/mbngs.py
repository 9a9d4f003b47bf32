"""The MusicBrainz client behind our interface, built on musicbrainzngs (the only module
importing it).

musicbrainzngs' transport is module-global state with no socket timeout, eight retries with
56 s of sleeps, its own rate limiter holding a lock over all that, and a User-Agent that
always adds ``python-musicbrainzngs/0.7.1``. Patching those globals would leak into anything
else in the process, so this adapter does the small HTTP part itself (stdlib ``urllib`` with
a timeout, our bounded retries with an injectable sleep, our rate limiter, our cache) and
uses musicbrainzngs for what it is good at: the MMD-2 parser (``mbxml.parse_message``), the
Lucene escaping and the table of valid includes and search fields. Caching raw XML bytes
then comes for free: a cache hit is parsed exactly like a fresh answer.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import musicbrainzngs  # type: ignore[import-untyped, unused-ignore]
from musicbrainzngs import mbxml

from libtool import __version__
from libtool.musicbrainz.client import (
    ArtistCredit,
    BadResponse,
    Medium,
    MusicBrainzError,
    NotFound,
    RateLimited,
    Recording,
    RecordingHit,
    RecordingQuery,
    RecordingRelease,
    Release,
    ReleaseHit,
    ReleaseQuery,
    Track,
    Unreachable,
)

APP = "libtool"
DEFAULT_CONTACT = "https://example.invalid/libtool"  # pyproject [project.urls] Homepage
DEFAULT_HOST = "musicbrainz.org"

RELEASE_INCLUDES = ("recordings", "artist-credits", "release-groups", "labels", "media", "isrcs")
RECORDING_INCLUDES = ("artist-credits", "releases", "isrcs")

_ngs: Any = musicbrainzngs.musicbrainz
_LUCENE_SPECIAL = re.compile(_ngs.LUCENE_SPECIAL)
_VALID_INCLUDES: Mapping[str, list[str]] = _ngs.VALID_INCLUDES
_VALID_SEARCH_FIELDS: Mapping[str, list[str]] = _ngs.VALID_SEARCH_FIELDS
_PARSE_ERRORS = (ParseError, ExpatError, ValueError, UnicodeError, KeyError, TypeError)

_RATE_CODES = frozenset({429, 503})
_RETRY_CODES = frozenset({500, 502, 503, 504, 429})

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], None]


class ResponseCache(Protocol):
    """Where raw answers are kept between runs (a DB table later). Keys are request strings
    such as ``release/<mbid>?inc=artist-credits+isrcs`` or ``release/?limit=5&query=...``."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


class MemoryCache:
    """A ResponseCache in a dict (for tests and one-process runs)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self.data.get(key)

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            self.data[key] = data


class RateLimiter:
    """At most one request per ``interval`` seconds (0 turns it off); clock and sleep are
    injectable so tests neither wait nor depend on timing."""

    def __init__(
        self, interval: float = 1.0, clock: Clock = time.monotonic, sleep: Sleep = time.sleep
    ) -> None:
        if interval < 0:
            raise ValueError("interval must be >= 0")
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            if self._next is not None and now < self._next:
                self._sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


class _Retry(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(self, message: str, rate_limited: bool = False) -> None:
        super().__init__(message)
        self.rate_limited = rate_limited


def lucene(fields: Mapping[str, str]) -> str:
    """``field:(value)`` terms, values lower-cased (so AND/OR are not operators) and escaped."""
    parts = []
    for key, value in fields.items():
        value = " ".join(str(value).split())
        if value:
            escaped = _LUCENE_SPECIAL.sub(r"\\\1", value.lower())
            parts.append(f"{key}:({escaped})")
    return " ".join(parts)


class MusicBrainzNgsClient:
    """A MusicBrainzClient on the WS/2 XML service. Thread-safe: one request at a time."""

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        use_https: bool = True,
        contact: str = DEFAULT_CONTACT,
        rate_interval: float = 1.0,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 1.0,
        backoff_max: float = 16.0,
        cache: ResponseCache | None = None,
        refresh: bool = False,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        opener: urllib.request.OpenerDirector | None = None,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be >= 1")
        if timeout <= 0:
            raise ValueError("timeout must be > 0")
        self.set_hostname(host, use_https=use_https)
        self.user_agent = f"{APP}/{__version__} ( {contact} )"
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.cache = cache
        self.refresh = refresh  # bypass cache reads, still write fresh answers
        self.limiter = RateLimiter(rate_interval, clock=clock, sleep=sleep)
        self._sleep = sleep
        self._opener = opener or urllib.request.build_opener()
        self._lock = threading.Lock()
        self.requests_made = 0  # network attempts, for tests and statistics

    def set_hostname(self, host: str, *, use_https: bool) -> None:
        """A mirror: ``host`` may carry a port (``localhost:5000``); https must be said."""
        if not host or "/" in host:
            raise ValueError(f"not a host name: {host!r}")
        self.host = host
        self.use_https = use_https

    # --- the interface -------------------------------------------------------------------

    def search_releases(self, query: ReleaseQuery, limit: int = 10) -> list[ReleaseHit]:
        fields = {
            "release": query.release,
            "artist": query.artist,
            "tracks": "" if query.tracks is None else str(query.tracks),
            "date": query.date,
            "barcode": query.barcode,
            "catno": query.catno,
            "country": query.country,
            "format": query.format,
        }
        data = self._search("release", fields, limit)
        return self._convert(lambda: [release_hit(r) for r in data["release-list"]])

    def get_release(self, mbid: str) -> Release:
        data = self._lookup("release", mbid, RELEASE_INCLUDES)
        return self._convert(lambda: release(data["release"]))

    def search_recordings(self, query: RecordingQuery, limit: int = 10) -> list[RecordingHit]:
        fields = {
            "recording": query.recording,
            "artist": query.artist,
            "release": query.release,
            "qdur": "" if query.dur_ms is None else str(query.dur_ms // 2000),
            "isrc": query.isrc,
        }
        data = self._search("recording", fields, limit)
        return self._convert(lambda: [recording_hit(r) for r in data["recording-list"]])

    def get_recording(self, mbid: str) -> Recording:
        data = self._lookup("recording", mbid, RECORDING_INCLUDES)
        return self._convert(lambda: recording(data["recording"]))

    # --- requests ------------------------------------------------------------------------

    def _lookup(self, entity: str, mbid: str, includes: tuple[str, ...]) -> dict[str, Any]:
        mbid = mbid.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", mbid):
            raise NotFound(f"not a MusicBrainz id: {mbid!r}")
        bad = [i for i in includes if i not in _VALID_INCLUDES[entity]]
        if bad:
            raise ValueError(f"invalid includes for {entity}: {bad}")
        return self._get(f"{entity}/{mbid}", {"inc": " ".join(includes)} if includes else {})

    def _search(self, entity: str, fields: Mapping[str, str], limit: int) -> dict[str, Any]:
        bad = [k for k in fields if k not in _VALID_SEARCH_FIELDS[entity]]
        if bad:
            raise ValueError(f"invalid search fields for {entity}: {bad}")
        query = lucene(fields)
        if not query:
            raise MusicBrainzError(f"nothing to search for: the {entity} has no title or artist")
        limit = max(1, min(int(limit), 100))
        return self._get(f"{entity}/", {"query": query, "limit": str(limit)})

    def cache_key(self, path: str, args: Mapping[str, str]) -> str:
        qs = urllib.parse.urlencode(sorted(args.items()))
        return f"{path}?{qs}" if qs else path

    def _get(self, path: str, args: Mapping[str, str]) -> dict[str, Any]:
        key = self.cache_key(path, args)
        with self._lock:
            if self.cache is not None and not self.refresh:
                cached = self.cache.get(key)
                if cached is not None:
                    try:
                        return parse(cached)
                    except BadResponse:
                        pass  # a damaged entry: fetch it again
            raw = self._fetch(key)
            data = parse(raw)
            if self.cache is not None:
                self.cache.put(key, raw)
            return data

    def _fetch(self, key: str) -> bytes:
        scheme = "https" if self.use_https else "http"
        url = f"{scheme}://{self.host}/ws/2/{key}"
        last: _Retry | None = None
        for attempt in range(self.attempts):
            if attempt:
                self._sleep(min(self.backoff * 2 ** (attempt - 1), self.backoff_max))
            self.limiter.wait()
            try:
                return self._attempt(url)
            except _Retry as exc:
                last = exc
        assert last is not None
        what = f"{self.host}: {last} after {self.attempts} attempts"
        if last.rate_limited:
            raise RateLimited(f"MusicBrainz rate limit: {what}")
        raise Unreachable(f"MusicBrainz unreachable: {what}")

    def _attempt(self, url: str) -> bytes:
        request = urllib.request.Request(
            url, headers={"User-Agent": self.user_agent, "Accept": "application/xml"}
        )
        self.requests_made += 1
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            exc.close()
            code = exc.code
            if code == 404:
                raise NotFound(f"MusicBrainz has no {_entity_of(url)} at {url}") from None
            if code in _RETRY_CODES:
                raise _Retry(f"HTTP {code}", rate_limited=code in _RATE_CODES) from None
            if code in (401, 403):
                raise MusicBrainzError(
                    f"MusicBrainz refused the request (HTTP {code}); check the User-Agent"
                ) from None
            raise BadResponse(f"MusicBrainz answered HTTP {code} for {url}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError | ConnectionResetError):
                raise _Retry(_describe(reason)) from None
            raise Unreachable(
                f"MusicBrainz unreachable: {self.host}: {_describe(reason)}"
            ) from None
        except (TimeoutError, ConnectionResetError, http.client.HTTPException) as exc:
            raise _Retry(_describe(exc)) from None
        except OSError as exc:  # refused, no route, DNS failure...
            raise Unreachable(f"MusicBrainz unreachable: {self.host}: {_describe(exc)}") from None

    def _convert(self, build: Callable[[], T]) -> T:
        try:
            return build()
        except MusicBrainzError:
            raise
        except Exception as exc:
            raise BadResponse(f"MusicBrainz answer lacks what was asked for: {exc!r}") from None


def _entity_of(url: str) -> str:
    path = urllib.parse.urlsplit(url).path.split("/")
    return path[3] if len(path) > 3 else "entity"


def _describe(exc: object) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, BaseException):
        text = str(exc) or type(exc).__name__
        return " ".join(text.split())
    return " ".join(str(exc).split())


# --- parsing ------------------------------------------------------------------------------


def parse(raw: bytes) -> dict[str, Any]:
    """An MMD-2 document as musicbrainzngs' nested dicts. musicbrainzngs raises ParseError on
    garbage and a bare ValueError when the MMD namespace is missing: all are BadResponse."""
    if not raw.strip():
        raise BadResponse("MusicBrainz sent an empty answer")
    try:
        result = mbxml.parse_message(raw)
    except _PARSE_ERRORS as exc:
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise BadResponse(f"MusicBrainz sent a malformed answer: {text}") from None
    if not isinstance(result, dict) or not result:
        raise BadResponse("MusicBrainz sent an answer without any MMD-2 content")
    return result


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def artist_credit(d: Mapping[str, Any]) -> ArtistCredit:
    credit = d.get("artist-credit") or []
    ids: list[str] = []
    sort: list[str] = []
    for part in credit:
        if isinstance(part, str):
            sort.append(part)
            continue
        artist = part.get("artist", {})
        if artist.get("id"):
            ids.append(artist["id"])
        sort.append(artist.get("sort-name") or part.get("name") or artist.get("name", ""))
        if part.get("joinphrase"):  # not used by mbxml today (it inlines strings), kept safe
            sort.append(part["joinphrase"])
    return ArtistCredit(
        text=str(d.get("artist-credit-phrase", "")), artist_ids=tuple(ids), sort_name="".join(sort)
    )


def _labels(d: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    names: list[str] = []
    ids: list[str] = []
    catnos: list[str] = []
    for info in d.get("label-info-list", []):
        label = info.get("label") or {}
        if label.get("name") and label["name"] not in names:
            names.append(label["name"])
        if label.get("id") and label["id"] not in ids:
            ids.append(label["id"])
        catno = info.get("catalog-number")
        if catno and catno not in catnos:
            catnos.append(catno)
    return tuple(names), tuple(ids), tuple(catnos)


def _track(t: Mapping[str, Any], medium_position: int, fallback: ArtistCredit) -> Track:
    """A release track; its credit falls back to the recording's, then the release's."""
    rec = t.get("recording") or {}
    if t.get("artist-credit"):
        credit = artist_credit(t)
    elif rec.get("artist-credit"):
        credit = artist_credit(rec)
    else:
        credit = fallback
    return Track(
        id=str(t.get("id", "")),
        position=_int(t.get("position")) or 0,
        number=str(t.get("number", "")),
        title=str(t.get("title") or rec.get("title", "")),
        length_ms=_int(t.get("length") or rec.get("length")),
        recording_id=str(rec.get("id", "")),
        artist_credit=credit,
        isrcs=tuple(rec.get("isrc-list", [])),
        medium_position=medium_position,
    )


def release(d: Mapping[str, Any]) -> Release:
    group = d.get("release-group") or {}
    names, label_ids, catnos = _labels(d)
    credit = artist_credit(d)
    media = []
    for index, m in enumerate(d.get("medium-list", []), start=1):
        position = _int(m.get("position")) or index
        raw_tracks = list(m.get("track-list", []))
        if m.get("pregap"):
            raw_tracks.insert(0, m["pregap"])
        raw_tracks += m.get("data-track-list", [])
        media.append(
            Medium(
                position=position,
                format=str(m.get("format", "")),
                title=str(m.get("title", "")),
                tracks=tuple(_track(t, position, credit) for t in raw_tracks),
            )
        )
    return Release(
        id=str(d["id"]),
        title=str(d.get("title", "")),
        artist_credit=credit,
        date=str(d.get("date", "")),
        country=str(d.get("country", "")),
        status=str(d.get("status", "")),
        barcode=str(d.get("barcode", "")),
        release_group_id=str(group.get("id", "")),
        primary_type=str(group.get("primary-type") or group.get("type", "")),
        first_release_date=str(group.get("first-release-date", "")),
        labels=names,
        label_ids=label_ids,
        catalog_numbers=catnos,
        media=tuple(media),
    )


def release_hit(d: Mapping[str, Any]) -> ReleaseHit:
    group = d.get("release-group") or {}
    names, _ids, catnos = _labels(d)
    media = d.get("medium-list", [])
    return ReleaseHit(
        id=str(d["id"]),
        score=_int(d.get("ext:score")) or 0,
        title=str(d.get("title", "")),
        artist_credit=artist_credit(d),
        date=str(d.get("date", "")),
        country=str(d.get("country", "")),
        status=str(d.get("status", "")),
        barcode=str(d.get("barcode", "")),
        release_group_id=str(group.get("id", "")),
        primary_type=str(group.get("primary-type") or group.get("type", "")),
        labels=names,
        catalog_numbers=catnos,
        medium_track_counts=tuple(_int(m.get("track-count")) or 0 for m in media),
        formats=tuple(str(m.get("format", "")) for m in media),
    )


def _recording_releases(d: Mapping[str, Any]) -> tuple[RecordingRelease, ...]:
    return tuple(
        RecordingRelease(
            id=str(r.get("id", "")),
            title=str(r.get("title", "")),
            date=str(r.get("date", "")),
            country=str(r.get("country", "")),
            status=str(r.get("status", "")),
        )
        for r in d.get("release-list", [])
    )


def recording(d: Mapping[str, Any]) -> Recording:
    return Recording(
        id=str(d["id"]),
        title=str(d.get("title", "")),
        artist_credit=artist_credit(d),
        length_ms=_int(d.get("length")),
        isrcs=tuple(d.get("isrc-list", [])),
        releases=_recording_releases(d),
    )


def recording_hit(d: Mapping[str, Any]) -> RecordingHit:
    return RecordingHit(
        id=str(d["id"]),
        score=_int(d.get("ext:score")) or 0,
        title=str(d.get("title", "")),
        artist_credit=artist_credit(d),
        length_ms=_int(d.get("length")),
        isrcs=tuple(d.get("isrc-list", [])),
        releases=_recording_releases(d),
    )
