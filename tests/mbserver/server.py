"""A local HTTP server speaking MusicBrainz WS/2 XML, for tests and demos.

::

    with MBServer(Catalogue.default(), rate_limit=None) as srv:
        musicbrainzngs.set_hostname(srv.host, use_https=False)
        srv.faults.push(Fault.status(503), Fault.garbage())  # the next two requests
        srv.faults.on(r"^/ws/2/release/8eb2", Fault.hang(30), times=1)  # a rule by path
        ...
        srv.requests.paths()  # what the client asked for

Behaviour copied from the real service: 403 for a missing or generic
User-Agent, 503 with the un-namespaced rate-limit body when a client goes
over ``rate_limit`` requests per second, 404 with the error XML for unknown
MBIDs, 400 for malformed ids, unknown ``inc`` values, bad ``limit``/``offset``
or a query that does not parse.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from . import render
from .catalogue import Catalogue
from .search import QuerySyntaxError, SearchIndex

RATE_LIMIT_TEXT = (
    "Your requests are exceeding the allowable rate limit. "
    "Please see http://wiki.musicbrainz.org/XMLWebService for more information."
)
RATE_LIMIT_BODY = f"<error><text>{RATE_LIMIT_TEXT}</text></error>".encode()

#: User-Agents the server refuses, like the real service refuses library defaults.
GENERIC_USER_AGENTS = re.compile(
    r"^(python-urllib|python-requests|python-httpx|aiohttp|curl|wget|java|go-http-client"
    r"|libwww-perl|okhttp|mozilla/[\d.]+$|-|test|unknown)",
    re.IGNORECASE,
)

FaultKind = Literal["status", "hang", "truncated", "garbage", "no_namespace", "reset"]


@dataclass(frozen=True)
class Fault:
    """One misbehaviour, applied instead of (or on top of) the normal answer."""

    kind: FaultKind
    code: int = 503
    seconds: float = 0.0
    short_read: bool = False

    @classmethod
    def status(cls, code: int = 503) -> Fault:
        """Answer ``code`` (500/502/503/...) with a plausible error body."""
        return cls("status", code=code)

    @classmethod
    def hang(cls, seconds: float = 30.0) -> Fault:
        """Wait ``seconds`` before answering normally (cut short when the server stops)."""
        return cls("hang", seconds=seconds)

    @classmethod
    def truncated(cls, *, short_read: bool = False) -> Fault:
        """Send the first half of the real body. By default the HTTP framing is
        consistent (the client gets broken XML); ``short_read=True`` declares the
        full Content-Length and closes early (the client gets an IncompleteRead)."""
        return cls("truncated", short_read=short_read)

    @classmethod
    def garbage(cls) -> Fault:
        """200 with bytes that are not XML."""
        return cls("garbage")

    @classmethod
    def no_namespace(cls) -> Fault:
        """200 with well-formed XML lacking the MMD namespace."""
        return cls("no_namespace")

    @classmethod
    def reset(cls) -> Fault:
        """Close the connection with a TCP RST and no answer."""
        return cls("reset")


@dataclass
class _Rule:
    pattern: re.Pattern[str]
    fault: Fault
    times: int | None


class Faults:
    """Thread-safe fault control: a queue consumed by the next requests, and rules
    matched (``re.search``) against ``path?query`` of each request. The queue wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()
        self._rules: list[_Rule] = []

    def push(self, *faults: Fault) -> None:
        """The next ``len(faults)`` requests get these faults, in order."""
        with self._lock:
            self._queue.extend(faults)

    def on(self, pattern: str, fault: Fault, *, times: int | None = None) -> None:
        """Requests whose ``path?query`` matches ``pattern`` get ``fault``
        (``times`` of them, or all while the rule stands)."""
        with self._lock:
            self._rules.append(_Rule(re.compile(pattern), fault, times))

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rules.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def take(self, target: str) -> Fault | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            for rule in self._rules:
                if rule.pattern.search(target):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._rules.remove(rule)
                    return rule.fault
        return None


@dataclass
class LoggedRequest:
    path: str
    params: dict[str, list[str]]
    user_agent: str
    time: float
    status: int | None = None
    fault: Fault | None = None


@dataclass
class RequestLog:
    """Every request the server saw, in arrival order (thread-safe)."""

    _items: list[LoggedRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, item: LoggedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._items)

    def paths(self) -> list[str]:
        return [r.path for r in self.snapshot()]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> LoggedRequest:
        with self._lock:
            return self._items[index]


class RateLimiter:
    """Refuses a client's request that comes sooner than ``tolerance / rate``
    seconds after its last accepted one."""

    def __init__(self, rate: float | None, tolerance: float = 0.8) -> None:
        self.rate = rate
        self.tolerance = tolerance
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float) -> bool:
        if not self.rate:
            return True
        with self._lock:
            last = self._last.get(client)
            if last is not None and now - last < self.tolerance / self.rate:
                return False
            self._last[client] = now
            return True


class _Stop(Exception):
    """The server is shutting down while a handler waits."""


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "libtool-mbserver/1.0"
    timeout = 10  # idle keep-alive connections do not pin threads for ever

    def log_message(self, format: str, *args: object) -> None:
        if self.server.mb.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        mb = self.server.mb
        split = urlsplit(self.path)
        params = parse_qs(split.query, keep_blank_values=True)
        ua = self.headers.get("User-Agent", "") or ""
        entry = LoggedRequest(split.path, params, ua, time.time())
        mb.requests.append(entry)
        try:
            status, body = self._answer(mb, entry, split.path, split.query, params, ua)
        except _Stop:
            self.close_connection = True
            return
        entry.status = status
        if body is not None:
            self._send(status, body)

    def do_POST(self) -> None:
        self._refuse_method()

    do_PUT = do_DELETE = do_POST

    def _refuse_method(self) -> None:
        self.server.mb.requests.append(
            LoggedRequest(
                urlsplit(self.path).path, {}, self.headers.get("User-Agent", ""), time.time(), 405
            )
        )
        self._send(405, render.error_document("Method not allowed by the test server"))

    def _send(self, status: int, body: bytes, *, length: int | None = None) -> None:
        try:
            self.send_response(status)
            ctype = "text/html" if body.startswith(b"<html") else "application/xml; charset=UTF-8"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def _answer(
        self,
        mb: MBServer,
        entry: LoggedRequest,
        path: str,
        query: str,
        params: dict[str, list[str]],
        ua: str,
    ) -> tuple[int, bytes | None]:
        if not ua.strip() or GENERIC_USER_AGENTS.match(ua.strip()):
            return 403, render.error_document(
                "Your requests are being blocked: please send a meaningful User-Agent "
                "( AppName/1.0 ( contact ) )."
            )
        if not mb.limiter.allow(self.client_address[0], time.monotonic()):
            return 503, RATE_LIMIT_BODY
        fault = mb.faults.take(f"{path}?{query}" if query else path)
        entry.fault = fault
        if fault is not None and fault.kind == "hang":
            if mb.stopping.wait(fault.seconds):
                raise _Stop
            fault = None
        if fault is not None and fault.kind == "reset":
            self._reset()
            raise _Stop
        if fault is not None and fault.kind == "status":
            return fault.code, _status_body(fault.code)
        status, body = mb.respond(path, params)
        if fault is None or status != 200:
            return status, body
        if fault.kind == "garbage":
            return 200, b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n<<<not xml>>>\x00" * 4
        if fault.kind == "no_namespace":
            return 200, re.sub(rb' xmlns(:\w+)?="[^"]*"', b"", body).replace(b"ext:score", b"score")
        if fault.kind == "truncated":
            half = body[: len(body) // 2]
            if fault.short_read:
                self._send(200, half, length=len(body))
                self.close_connection = True
                return 200, None
            return 200, half
        return status, body

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


def _status_body(code: int) -> bytes:
    if code == 503:
        return RATE_LIMIT_BODY
    if code == 502:
        return (
            b"<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"
        )
    return render.error_document(f"Internal server error ({code}) injected by the test server")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], mb: MBServer) -> None:
        self.mb = mb
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        if self.mb.verbose:
            super().handle_error(request, client_address)  # type: ignore[arg-type]


_MBID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ROUTE = re.compile(r"^/ws/2/(?P<entity>[a-z-]+)/?(?P<mbid>[^/]*)/?$")


class MBServer:
    """The server, as a context manager. ``host`` is ``"127.0.0.1:PORT"`` for
    ``musicbrainzngs.set_hostname(srv.host, use_https=False)``."""

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        rate_limit: float | None = 1.0,
        rate_tolerance: float = 0.8,
        port: int = 0,
        bind: str = "127.0.0.1",
        score_prefix: str = "ext",
        verbose: bool = False,
    ) -> None:
        self.catalogue = catalogue if catalogue is not None else Catalogue.default()
        self.index = SearchIndex(self.catalogue)
        self.limiter = RateLimiter(rate_limit, rate_tolerance)
        self.faults = Faults()
        self.requests = RequestLog()
        self.score_prefix = score_prefix
        self.verbose = verbose
        self.stopping = threading.Event()
        self._bind = (bind, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def rate_limit(self) -> float | None:
        return self.limiter.rate

    @rate_limit.setter
    def rate_limit(self, value: float | None) -> None:
        self.limiter.rate = value

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def host(self) -> str:
        return f"{self._bind[0]}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}/ws/2/"

    def start(self) -> MBServer:
        self.stopping.clear()
        self._httpd = _HTTPServer(self._bind, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"mbserver:{self.port}", daemon=True,
        )  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> MBServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---------------------------------------------------------------- answers

    def respond(self, path: str, params: dict[str, list[str]]) -> tuple[int, bytes]:
        """The normal answer (status, body) to ``GET path?params``, no faults."""
        m = _ROUTE.match(path)
        if not m:
            return 400, render.error_document(f"Invalid resource path {path!r}")
        entity, mbid = m["entity"], m["mbid"]
        if entity not in ("release", "recording"):
            return 400, render.error_document(
                f"The libtool test server does not serve the {entity!r} resource"
            )
        fmt = _one(params, "fmt")
        if fmt not in (None, "xml"):
            return 400, render.error_document(
                f"Unsupported fmt={fmt!r} (the test server is XML only)"
            )
        if mbid:
            return self._lookup(entity, mbid, params)
        return self._search(entity, params)

    def _lookup(self, entity: str, mbid: str, params: dict[str, list[str]]) -> tuple[int, bytes]:
        if not _MBID.match(mbid.lower()):
            return 400, render.error_document("Invalid mbid.")
        mbid = str(uuid.UUID(mbid))
        incs = [i for value in params.get("inc", []) for i in re.split(r"[ +]", value) if i]
        valid = render.RELEASE_INCS if entity == "release" else render.RECORDING_INCS
        for inc in incs:
            if inc not in valid:
                return 400, render.error_document(
                    f"{inc} is not a valid inc parameter for the {entity} resource."
                )
        if entity == "release":
            rel = self.catalogue.releases.get(mbid)
            return (200, render.release_lookup(rel, incs)) if rel else (404, render.not_found())
        rec = self.catalogue.recordings.get(mbid)
        if rec is None:
            return 404, render.not_found()
        return 200, render.recording_lookup(rec, self.catalogue, incs)

    def _search(self, entity: str, params: dict[str, list[str]]) -> tuple[int, bytes]:
        query = _one(params, "query")
        if query is None or not query.strip():
            return 400, render.error_document("Missing required parameter: query")
        try:
            limit = int(_one(params, "limit") or 25)
            offset = int(_one(params, "offset") or 0)
        except ValueError:
            return 400, render.error_document("limit and offset must be integers")
        if offset < 0:
            return 400, render.error_document("offset must not be negative")
        limit = 25 if limit < 1 else min(limit, 100)
        try:
            hits = self.index.search(entity, query)
        except QuerySyntaxError as exc:
            return 400, render.error_document(f"Invalid query: {exc}")
        page = hits[offset : offset + limit]
        if entity == "release":
            rels = [(h.score, self.catalogue.releases[h.id]) for h in page]
            return 200, render.release_search(rels, len(hits), offset, ext_prefix=self.score_prefix)
        recs = [(h.score, self.catalogue.recordings[h.id]) for h in page]
        return 200, render.recording_search(
            recs, len(hits), offset, self.catalogue, ext_prefix=self.score_prefix
        )


def _one(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[-1] if values else None
