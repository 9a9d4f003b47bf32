"""The musicbrainzngs adapter against a tiny local WS/2 server (never musicbrainz.org).

The server serves the recorded XML in ../shared/musicbrainz beside the repo root, or
scripted answers (status, body, delay) queued by a test. Sleeps and clocks are injected,
so no test pays the rate limit or the backoff; only the timeout test waits (0.3 s).
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from libtool import __version__
from libtool.errors import LibtoolError
from libtool.musicbrainz.client import (
    BadResponse,
    MusicBrainzError,
    NotFound,
    RateLimited,
    RecordingQuery,
    ReleaseQuery,
    Unreachable,
)
from libtool.musicbrainz.mbngs import MemoryCache, MusicBrainzNgsClient, RateLimiter, lucene

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT.parent / "shared" / "musicbrainz"
needs_recorded = pytest.mark.skipif(
    not RECORDED.is_dir(), reason=f"recorded MusicBrainz XML not found at {RECORDED}"
)

SEA_OF_COWARDS = "8eb2b179-643d-3507-b64c-29fcc6745156"
URK = "fe29e7f0-eb46-44ba-9348-694166f47885"
RECORDING = "f606f733-c1eb-43f3-93c1-71994ea611e3"
MISSING = "00000000-0000-0000-0000-000000000000"
NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
NO_NS = b'<?xml version="1.0"?><error><text>Your requests are exceeding the limit</text></error>'


@dataclass
class Scripted:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


@dataclass
class Server:
    host: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[Scripted] = field(default_factory=list)  # consumed first, then recordings
    stop: threading.Event = field(default_factory=threading.Event)


def recorded_answer(path: str) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(path)
    pieces = parts.path.split("/")  # ['', 'ws', '2', entity, id]
    if len(pieces) != 5 or pieces[:3] != ["", "ws", "2"]:
        return 400, b""
    entity, mbid = pieces[3], pieces[4]
    if not mbid:
        name = RECORDED / f"search-{entity}.xml"
        return (200, name.read_bytes()) if name.exists() else (404, b"")
    found = sorted((RECORDED / entity).glob(f"{mbid}*.xml")) if RECORDED.is_dir() else []
    return (200, found[0].read_bytes()) if found else (404, b"")


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(host="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append({"path": self.path, "headers": dict(self.headers)})
            if state.script:
                step = state.script.pop(0)
                if step.delay:
                    state.stop.wait(step.delay)
                status, body = step.status, step.body
            else:
                status, body = recorded_answer(self.path)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/xml; charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.host = f"127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        httpd.shutdown()
        httpd.server_close()


class FakeTime:
    """A clock that only moves when slept on; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def make_client(server: Server, fake: FakeTime, **kwargs: Any) -> MusicBrainzNgsClient:
    options: dict[str, Any] = {
        "timeout": 2.0,
        "clock": fake.clock,
        "sleep": fake.sleep,
        "opener": NO_PROXY_OPENER,  # a CI proxy must not see requests to 127.0.0.1
    }
    options.update(kwargs)
    return MusicBrainzNgsClient(host=server.host, use_https=False, **options)


# --- requests as the service wants them ------------------------------------------------------


@needs_recorded
def test_lookup_sends_our_user_agent_and_includes(server: Server, fake: FakeTime) -> None:
    release = make_client(server, fake).get_release(SEA_OF_COWARDS)
    assert release.title == "Sea of Cowards"
    (request,) = server.requests
    assert request["headers"]["User-Agent"] == (
        f"libtool/{__version__} ( https://example.invalid/libtool )"
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    assert query["inc"] == ["recordings artist-credits release-groups labels media isrcs"]


@needs_recorded
def test_contact_is_configurable(server: Server, fake: FakeTime) -> None:
    make_client(server, fake, contact="me@example.invalid").get_release(SEA_OF_COWARDS)
    assert server.requests[0]["headers"]["User-Agent"].endswith("( me@example.invalid )")


@needs_recorded
def test_search_builds_an_escaped_lucene_query(server: Server, fake: FakeTime) -> None:
    client = make_client(server, fake)
    hits = client.search_releases(
        ReleaseQuery(release="Affordable Pop Music", artist="AC/DC", tracks=4), limit=5
    )
    assert len(hits) == 25 and hits[0].title == "Affordable Pop Music"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(server.requests[0]["path"]).query)
    assert query["query"] == [r"release:(affordable pop music) artist:(ac\/dc) tracks:(4)"]
    assert query["limit"] == ["5"]


def test_lucene_lowercases_escapes_and_skips_empty_fields() -> None:
    assert lucene({"release": "Help! (Remastered)", "artist": "", "catno": "AB-1"}) == (
        r"release:(help\! \(remastered\)) catno:(ab\-1)"
    )


def test_an_empty_search_is_our_error_before_any_request(server: Server, fake: FakeTime) -> None:
    client = make_client(server, fake)
    with pytest.raises(MusicBrainzError, match="nothing to search for"):
        client.search_recordings(RecordingQuery())
    assert server.requests == []


def test_hostname_needs_https_said_explicitly(server: Server, fake: FakeTime) -> None:
    client = make_client(server, fake)
    client.set_hostname("mirror.example.invalid:5000", use_https=True)
    assert (client.host, client.use_https) == ("mirror.example.invalid:5000", True)
    with pytest.raises(ValueError):
        client.set_hostname("http://x/", use_https=False)


# --- rate limit ------------------------------------------------------------------------------


@needs_recorded
def test_rate_is_held_between_requests(server: Server, fake: FakeTime) -> None:
    client = make_client(server, fake)
    for mbid in (SEA_OF_COWARDS, URK, SEA_OF_COWARDS):
        client.get_release(mbid)
    assert fake.sleeps == [1.0, 1.0]
    assert len(server.requests) == 3


def test_rate_limiter_counts_time_already_passed() -> None:
    fake = FakeTime()
    limiter = RateLimiter(2.0, clock=fake.clock, sleep=fake.sleep)
    limiter.wait()
    fake.now += 1.5  # work done between requests
    limiter.wait()
    fake.now += 5
    limiter.wait()
    assert fake.sleeps == [0.5]


# --- failures --------------------------------------------------------------------------------


def test_timeout_is_unreachable_and_fast(server: Server, fake: FakeTime) -> None:
    server.script = [Scripted(delay=3.0)]
    client = make_client(server, fake, timeout=0.5, attempts=1)
    started = time.monotonic()
    with pytest.raises(Unreachable, match="timed out"):
        client.get_release(SEA_OF_COWARDS)
    assert time.monotonic() - started < 2.0


@needs_recorded
def test_a_timeout_is_retried(server: Server, fake: FakeTime) -> None:
    server.script = [Scripted(delay=2.0)]
    client = make_client(server, fake, timeout=0.3, attempts=2)
    assert client.get_release(SEA_OF_COWARDS).id == SEA_OF_COWARDS
    assert len(server.requests) == 2


def test_retries_are_bounded_with_backoff(server: Server, fake: FakeTime) -> None:
    server.script = [Scripted(503, NO_NS) for _ in range(10)]
    client = make_client(server, fake, attempts=4, backoff=1.0, backoff_max=3.0)
    with pytest.raises(RateLimited) as caught:
        client.get_release(SEA_OF_COWARDS)
    assert len(server.requests) == 4
    assert fake.sleeps == [1.0, 2.0, 3.0]  # doubling, capped; the limiter had no need to wait
    assert "\n" not in str(caught.value) and "after 4 attempts" in str(caught.value)


def test_server_errors_after_retries_are_unreachable(server: Server, fake: FakeTime) -> None:
    server.script = [Scripted(500), Scripted(502), Scripted(500)]
    with pytest.raises(Unreachable, match="HTTP 500 after 3 attempts"):
        make_client(server, fake, attempts=3).get_release(SEA_OF_COWARDS)


@needs_recorded
def test_503_then_success(server: Server, fake: FakeTime) -> None:
    server.script = [Scripted(503, NO_NS)]
    release = make_client(server, fake).get_release(SEA_OF_COWARDS)
    assert release.id == SEA_OF_COWARDS
    assert len(server.requests) == 2
    assert fake.sleeps == [1.0]


@pytest.mark.parametrize(
    "body",
    [
        b"this is not xml",
        b'<?xml version="1.0"?><metadata xmlns="http://musicbrainz.org/ns/mmd-2.0#"><release',
        NO_NS,  # musicbrainzngs raises a bare ValueError on this one
        b'<metadata xmlns="http://musicbrainz.org/ns/mmd-2.0#"/>',
        b"",
    ],
    ids=["garbage", "truncated", "no-namespace", "empty-metadata", "empty"],
)
def test_bad_bodies_are_bad_response(server: Server, fake: FakeTime, body: bytes) -> None:
    server.script = [Scripted(200, body)]
    with pytest.raises(BadResponse) as caught:
        make_client(server, fake).get_release(SEA_OF_COWARDS)
    assert isinstance(caught.value, LibtoolError) and "\n" not in str(caught.value)
    assert len(server.requests) == 1  # not retried


@needs_recorded
def test_a_truncated_recording_is_bad_response(server: Server, fake: FakeTime) -> None:
    whole = next((RECORDED / "release").glob(f"{URK}*.xml")).read_bytes()
    server.script = [Scripted(200, whole[: len(whole) // 2])]
    with pytest.raises(BadResponse):
        make_client(server, fake).get_release(URK)


def test_an_answer_for_another_entity_is_bad_response(server: Server, fake: FakeTime) -> None:
    server.script = [
        Scripted(200, b'<metadata xmlns="http://musicbrainz.org/ns/mmd-2.0#"><recording id="x"/>'
                 b"</metadata>")
    ]  # fmt: skip
    with pytest.raises(BadResponse):
        make_client(server, fake).get_release(SEA_OF_COWARDS)


def test_404_is_not_found(server: Server, fake: FakeTime) -> None:
    with pytest.raises(NotFound):
        make_client(server, fake).get_release(MISSING)
    assert len(server.requests) == 1


def test_a_malformed_id_is_not_found_without_a_request(server: Server, fake: FakeTime) -> None:
    with pytest.raises(NotFound):
        make_client(server, fake).get_release("../../etc/passwd")
    assert server.requests == []


@pytest.mark.parametrize("status", [401, 403])
def test_refused_is_our_error(server: Server, fake: FakeTime, status: int) -> None:
    server.script = [Scripted(status)]
    with pytest.raises(MusicBrainzError, match="User-Agent"):
        make_client(server, fake).get_release(SEA_OF_COWARDS)
    assert len(server.requests) == 1


def test_400_is_bad_response(server: Server, fake: FakeTime) -> None:
    server.script = [Scripted(400)]
    with pytest.raises(BadResponse, match="HTTP 400"):
        make_client(server, fake).get_release(SEA_OF_COWARDS)


def test_connection_refused_is_unreachable(fake: FakeTime) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = MusicBrainzNgsClient(
        host=f"127.0.0.1:{port}",
        use_https=False,
        clock=fake.clock,
        sleep=fake.sleep,
        opener=NO_PROXY_OPENER,
    )
    with pytest.raises(Unreachable, match="refused"):
        client.get_release(SEA_OF_COWARDS)
    assert fake.sleeps == []  # refused is not retried


# --- cache -----------------------------------------------------------------------------------


@needs_recorded
def test_a_cache_hit_makes_no_request(server: Server, fake: FakeTime) -> None:
    cache = MemoryCache()
    first = make_client(server, fake, cache=cache).get_release(SEA_OF_COWARDS)
    assert len(server.requests) == 1 and len(cache.data) == 1
    key = next(iter(cache.data))
    assert key.startswith(f"release/{SEA_OF_COWARDS}?inc=")
    again = make_client(server, fake, cache=cache).get_release(SEA_OF_COWARDS)
    assert again == first
    assert len(server.requests) == 1
    assert fake.sleeps == []  # and no rate-limit wait either


@needs_recorded
def test_searches_are_cached_by_query_and_limit(server: Server, fake: FakeTime) -> None:
    client = make_client(server, fake, cache=MemoryCache())
    client.search_releases(ReleaseQuery(release="x"), limit=5)
    client.search_releases(ReleaseQuery(release="x"), limit=5)
    client.search_releases(ReleaseQuery(release="x"), limit=6)
    client.search_releases(ReleaseQuery(release="y"), limit=5)
    assert len(server.requests) == 3


@needs_recorded
def test_refresh_bypasses_cache_reads_but_writes(server: Server, fake: FakeTime) -> None:
    cache = MemoryCache()
    make_client(server, fake, cache=cache).get_release(SEA_OF_COWARDS)
    key = next(iter(cache.data))
    cache.data[key] = cache.data[key].replace(b"Sea of Cowards", b"Stale Title")
    refreshing = make_client(server, fake, cache=cache, refresh=True)
    assert refreshing.get_release(SEA_OF_COWARDS).title == "Sea of Cowards"
    assert len(server.requests) == 2
    assert b"Stale Title" not in cache.data[key]


@needs_recorded
def test_a_damaged_cache_entry_is_fetched_again(server: Server, fake: FakeTime) -> None:
    cache = MemoryCache()
    client = make_client(server, fake, cache=cache)
    client.get_release(SEA_OF_COWARDS)
    key = next(iter(cache.data))
    cache.data[key] = b"<garbage"
    assert client.get_release(SEA_OF_COWARDS).title == "Sea of Cowards"
    assert len(server.requests) == 2


def test_failures_are_not_cached(server: Server, fake: FakeTime) -> None:
    cache = MemoryCache()
    server.script = [Scripted(200, b"garbage")]
    with pytest.raises(BadResponse):
        make_client(server, fake, cache=cache).get_release(SEA_OF_COWARDS)
    assert cache.data == {}


@needs_recorded
def test_threads_share_one_client(server: Server, fake: FakeTime) -> None:
    client = make_client(server, fake, cache=MemoryCache(), rate_interval=0.0)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            client.get_release(URK)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(server.requests) == 1  # the lock makes the others hit the cache


@needs_recorded
def test_recording_lookup_and_search(server: Server, fake: FakeTime) -> None:
    client = make_client(server, fake)
    recording = client.get_recording(RECORDING)
    assert recording.title == "Shades of Gray" and recording.length_ms == 259600
    path = server.requests[0]["path"]
    assert "inc=artist-credits+releases+isrcs" in path
    with pytest.raises(NotFound):  # no recorded recording search
        client.search_recordings(RecordingQuery(recording="x", dur_ms=259600))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(server.requests[1]["path"]).query)
    assert query["query"] == ["recording:(x) qdur:(129)"]


@needs_recorded
def test_files_with_an_album_id_need_one_lookup_and_match(server: Server, fake: FakeTime) -> None:
    from libtool.musicbrainz.match import (
        LocalAlbum,
        LocalTrack,
        Recommendation,
        recommend,
        score_release,
    )

    client = make_client(server, fake)
    release = client.get_release(SEA_OF_COWARDS)
    tracks = [
        LocalTrack(
            track_id=i,
            title=t.title,
            album="Sea of Cowards",
            track=t.position,
            length_s=(t.length_ms or 0) / 1000 + 1.5,
            mb_albumid=SEA_OF_COWARDS,
        )
        for i, t in enumerate(release.tracks[1:], start=1)  # the files lack the pregap
    ]
    match = score_release(LocalAlbum.from_tracks("k", tracks), release)
    assert len(server.requests) == 1
    assert [t.title for t in match.unmatched_mb] == ["[untitled]"]
    assert recommend([match]) >= Recommendation.medium
