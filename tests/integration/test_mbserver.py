"""The local MusicBrainz WS/2 test server (tests/mbserver), driven by the real client.

musicbrainzngs talks to the server over real HTTP on 127.0.0.1 exactly as it
talks to musicbrainz.org. Its hidden retry sleeps (2..14 s per retry) are never
paid: the ``mb`` fixture replaces the ``time`` module *inside musicbrainzngs*
with one whose ``sleep`` only records the delay. Fault and status tests that do
not need the client use urllib directly.
"""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import musicbrainzngs
import musicbrainzngs.mbxml
import musicbrainzngs.musicbrainz
import pytest

from tests.mbserver import Catalogue, Fault, MBServer, generate_releases
from tests.mbserver.catalogue import VARIOUS_ARTISTS_ID
from tests.mbserver.render import esc
from tests.mbserver.search import QuerySyntaxError, parse_query, tokens
from tests.mbserver.server import RATE_LIMIT_BODY

REPO = Path(__file__).resolve().parents[2]
SHARED_MB = (REPO / ".." / "shared" / "musicbrainz").resolve()
RECORDED = sorted(SHARED_MB.rglob("*.xml")) if SHARED_MB.is_dir() else []
needs_shared = pytest.mark.skipif(not RECORDED, reason=f"recorded WS/2 answers not at {SHARED_MB}")

SEA_OF_COWARDS = "8eb2b179-643d-3507-b64c-29fcc6745156"
RUINED_SUBJECTS = "833d4c3a-2635-4b7a-83c4-4e560588f23a"
UA = "libtool-tests/0.1 ( https://example.invalid/libtool )"
ALL_INCS = ["recordings", "artist-credits", "release-groups", "labels", "media", "isrcs"]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.default()


@pytest.fixture(scope="module")
def module_server(catalogue: Catalogue) -> Iterator[MBServer]:
    with MBServer(catalogue, rate_limit=None) as srv:
        yield srv


@pytest.fixture
def server(module_server: MBServer) -> Iterator[MBServer]:
    module_server.faults.clear()
    module_server.requests.clear()
    yield module_server
    module_server.faults.clear()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """musicbrainzngs' retry sleeps, recorded instead of slept."""
    slept: list[float] = []
    fake_time = SimpleNamespace(sleep=slept.append, time=time.time)
    monkeypatch.setattr(musicbrainzngs.musicbrainz, "time", fake_time)
    return slept


@pytest.fixture
def mb(server: MBServer, sleeps: list[float]) -> Iterator[Any]:
    musicbrainzngs.set_useragent("libtool-tests", "0.1", "https://example.invalid/libtool")
    musicbrainzngs.set_hostname(server.host, use_https=False)
    musicbrainzngs.set_rate_limit(False)
    yield musicbrainzngs
    musicbrainzngs.set_hostname("musicbrainz.org", use_https=True)
    musicbrainzngs.set_rate_limit(True)


def get(
    srv: MBServer, path: str, ua: str | None = UA, timeout: float = 5.0, **params: str
) -> tuple[int, bytes]:
    """GET with urllib (no retries); returns (status, body) also for HTTP errors."""
    url = f"http://{srv.host}/ws/2/{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    req = urllib.request.Request(url)
    if ua is not None:
        req.add_header("User-Agent", ua)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def effective_tracks(release: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What matching cares about, per track (data tracks included), from a parsed release."""
    out = []
    for medium in release["medium-list"]:
        for t in medium["track-list"] + medium.get("data-track-list", []):
            rec = t["recording"]
            out.append(
                (
                    medium["position"],
                    t["position"],
                    t["number"],
                    t.get("title", rec["title"]),
                    t.get("track_or_recording_length"),
                    rec["id"],
                    rec["title"],
                    rec.get("length"),
                )
            )
    return out


# --------------------------------------------------------------------------- lookups


def test_lookup_with_every_inc_matches_the_catalogue(mb: Any, catalogue: Catalogue) -> None:
    rel = mb.get_release_by_id(SEA_OF_COWARDS, includes=ALL_INCS)["release"]
    want = catalogue.releases[SEA_OF_COWARDS]
    assert rel["title"] == want.title == "Sea of Cowards"
    assert rel["artist-credit-phrase"] == "The Dead Weather"
    assert (rel["date"], rel["country"], rel["barcode"]) == ("2010-05-10", "GB", "093624966524")
    assert rel["release-group"]["id"] == want.release_group.id
    assert rel["release-group"]["primary-type"] == "Album"
    assert rel["label-info-list"][0]["label"]["name"] == want.label_info[0].name
    assert rel["label-info-list"][0]["catalog-number"] == want.label_info[0].catalog_number
    tracks = rel["medium-list"][0]["track-list"]
    assert [t["recording"]["title"] for t in tracks] == [t.recording.title for t in want.tracks]
    assert [int(t["length"]) for t in tracks] == [t.length for t in want.tracks]
    assert [t["id"] for t in tracks] == [t.id for t in want.tracks]
    assert tracks[3]["recording"]["title"] == "I’m Mad"  # U+2019, as on MusicBrainz
    assert tracks[0]["recording"]["isrc-list"] == ["USRE11000101"]
    assert tracks[0]["artist-credit-phrase"] == "The Dead Weather"


def test_inc_controls_what_is_sent(mb: Any) -> None:
    bare = mb.get_release_by_id(SEA_OF_COWARDS)["release"]
    assert bare["title"] == "Sea of Cowards"
    assert not {"medium-list", "artist-credit", "release-group", "label-info-list"} & set(bare)

    media = mb.get_release_by_id(SEA_OF_COWARDS, includes=["media"])["release"]
    assert media["medium-list"][0]["track-count"] == 11
    assert media["medium-list"][0]["track-list"] == []

    recs = mb.get_release_by_id(SEA_OF_COWARDS, includes=["recordings"])["release"]
    track = recs["medium-list"][0]["track-list"][0]
    assert "artist-credit" not in track and "artist-credit" not in track["recording"]
    assert "isrc-list" not in track["recording"]


def test_various_artists_compilation_has_per_track_credits(mb: Any, catalogue: Catalogue) -> None:
    va = next(
        r for r in catalogue.releases.values() if r.artist_credit[0].name == "Various Artists"
    )
    rel = mb.get_release_by_id(va.id, includes=["recordings", "artist-credits"])["release"]
    assert rel["artist-credit"][0]["artist"]["id"] == VARIOUS_ARTISTS_ID
    phrases = [t["artist-credit-phrase"] for t in rel["medium-list"][0]["track-list"]]
    assert "Various Artists" not in phrases
    assert phrases[0] == "Lantern Coast" and "Zoë Ångström Trio" in phrases


def test_feat_credit_keeps_join_phrases(mb: Any, catalogue: Catalogue) -> None:
    nf = next(r for r in catalogue.releases.values() if r.title == "Night Ferry")
    rel = mb.get_release_by_id(nf.id, includes=["recordings", "artist-credits"])["release"]
    track = rel["medium-list"][0]["track-list"][1]
    assert track["artist-credit-phrase"] == "Lantern Coast feat. Mira Solberg"
    assert track["artist-credit"][1] == " feat. "


def test_two_discs_and_unicode_survive(mb: Any, catalogue: Catalogue) -> None:
    rio = next(r for r in catalogue.releases.values() if r.title == "Canciones del Río")
    rel = mb.get_release_by_id(rio.id, includes=["recordings"])["release"]
    assert [m["position"] for m in rel["medium-list"]] == ["1", "2"]
    titles = [[t["title"] for t in m["track-list"]] for m in rel["medium-list"]]
    assert titles == [
        ["Amanecer en Añil", "夜明けの歌", "Río Abajo"],
        ["Sol 🌞", "Canción de la Niña", "Último Tren"],
    ]
    for title in ("夜明けの歌", "Yoake no Uta", "Белые ночи"):
        other = next(r for r in catalogue.releases.values() if r.title == title)
        assert mb.get_release_by_id(other.id)["release"]["title"] == title


def test_hostile_text_is_escaped_and_controls_dropped(mb: Any, catalogue: Catalogue) -> None:
    trap = next(r for r in catalogue.releases.values() if "<Remastered>" in r.title)
    rel = mb.get_release_by_id(trap.id, includes=["recordings", "artist-credits", "labels"])
    rel = rel["release"]
    assert rel["title"] == "Greatest Hits <Remastered> & More"
    assert rel["artist-credit-phrase"] == "Tom & Jerry’s <Angle> Band"
    assert rel["label-info-list"][0]["label"]["name"] == "A&M <Test>"
    titles = [t["title"] for t in rel["medium-list"][0]["track-list"]]
    assert titles == [
        "Bell Song",
        "Tab\tandVertical",
        "Quotes \"double\" & 'single'",
        "]]> CDATA end",
    ]
    assert esc("a\x00b\x1fc\ud800d\ufffe<&>") == "abcd&lt;&amp;&gt;"


def test_recording_lookup_lists_its_releases(mb: Any) -> None:
    rec_id = "4f16eff1-0df6-4d94-89ba-e1470bc7b61f"  # Blue Blood Blues
    rec = mb.get_recording_by_id(rec_id, includes=["releases", "artists", "isrcs"])["recording"]
    assert rec["title"] == "Blue Blood Blues" and rec["length"] == "202306"
    assert rec["artist-credit-phrase"] == "The Dead Weather"
    assert rec["isrc-list"] == ["USRE11000101"]
    assert {r["id"] for r in rec["release-list"]} >= {SEA_OF_COWARDS}
    assert rec["release-count"] == 2  # the album and its deluxe edition


def test_unknown_ids_are_404_and_bad_requests_400(mb: Any, server: MBServer) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(musicbrainzngs.ResponseError) as err:
        mb.get_release_by_id(missing)
    assert err.value.cause.code == 404
    status, body = get(server, f"release/{missing}")
    assert status == 404 and b"<error><text>Not Found</text>" in body
    assert get(server, f"recording/{missing}")[0] == 404
    assert get(server, "release/not-an-mbid")[0] == 400
    assert get(server, f"release/{SEA_OF_COWARDS}", inc="recordings bogus")[0] == 400
    assert get(server, "release/", query="release:(unbalanced")[0] == 400
    assert get(server, "release/", query="x", limit="many")[0] == 400
    assert get(server, "release/")[0] == 400
    assert get(server, "artist/", query="x")[0] == 400


# --------------------------------------------------------------------------- search


def test_search_puts_the_sample_albums_first_and_decoys_lower(mb: Any) -> None:
    res = mb.search_releases(release="Sea of Cowards", artist="The Dead Weather", tracks=11)
    hits = res["release-list"]
    assert hits[0]["id"] == SEA_OF_COWARDS and hits[0]["ext:score"] == "100"
    by_title_artist = {(h["title"], h["artist-credit-phrase"]): int(h["ext:score"]) for h in hits}
    assert by_title_artist[("Sea of Cowards", "Harbour Saints")] < 100
    assert by_title_artist[("Sea of Cowards (Deluxe Edition)", "The Dead Weather")] < 100
    assert hits[0]["medium-track-count"] == 11

    res = mb.search_releases(release="Ruined Subjects", artist="JT Bruce", tracks=21)
    assert res["release-list"][0]["id"] == RUINED_SUBJECTS

    strict = mb.search_releases(release="Sea of Cowards", artist="Dead Weather", strict=True)
    assert [h["title"] for h in strict["release-list"]] == [  # AND: no wrong-artist decoy
        "Sea of Cowards",
        "Sea of Cowards (Deluxe Edition)",
    ]


def test_search_count_limit_offset(mb: Any) -> None:
    full = mb.search_releases("sea of cowards", limit=100)
    ids = [h["id"] for h in full["release-list"]]
    assert full["release-count"] == len(ids) >= 3
    page1 = mb.search_releases("sea of cowards", limit=2)
    page2 = mb.search_releases("sea of cowards", limit=2, offset=2)
    assert page1["release-count"] == page2["release-count"] == full["release-count"]
    assert [h["id"] for h in page1["release-list"] + page2["release-list"]] == ids[:4]
    scores = [int(h["ext:score"]) for h in full["release-list"]]
    assert scores == sorted(scores, reverse=True)


def test_search_fields_and_folding(mb: Any, catalogue: Catalogue) -> None:
    def titles(**fields: Any) -> list[str]:
        return [h["title"] for h in mb.search_releases(limit=100, **fields)["release-list"]]

    assert titles(artist="zoe angstrom")[0] == "Small Hours"
    assert titles(barcode="5012345678900") == ["Night Ferry"]
    assert titles(catno="DEMO-001") == ["Demo Tape"]
    assert titles(release="canciones del rio", mediums=2) == ["Canciones del Río"]
    assert "Yoake no Uta" in titles(status="pseudo-release")
    assert titles(release="夜明けの歌")[0] == "夜明けの歌"
    assert titles(release="белые ночи") == ["Белые ночи"]
    assert titles(arid=VARIOUS_ARTISTS_ID) == ["Harbour Nights: A Compilation"]
    assert titles(reid=SEA_OF_COWARDS) == ["Sea of Cowards"]
    assert "Live at the Basement" in titles(format='12" vinyl')
    assert titles(date="2010", artist="dead weather")[:2] == [
        "Sea of Cowards",
        "Sea of Cowards (Deluxe Edition)",
    ]
    assert titles(release="greatest hits <remastered> & more")[0].startswith("Greatest Hits <")


def test_recording_search(mb: Any) -> None:
    res = mb.search_recordings(recording="Blue Blood Blues", artist="The Dead Weather")
    hits = res["recording-list"]
    assert hits[0]["title"] == "Blue Blood Blues" and hits[0]["ext:score"] == "100"
    assert {h.get("disambiguation") for h in hits if h["title"] == "Blue Blood Blues"} >= {
        "radio edit"
    }
    by_isrc = mb.search_recordings(isrc="USRE11000102")["recording-list"]
    assert [h["title"] for h in by_isrc] == ["Hustle and Cuss"]
    exact = mb.search_recordings(recording="gasoline", qdur=164840 // 2000, tnum=7)
    assert exact["recording-list"][0]["id"] == "45dabf9f-9c03-4cd1-9c07-7522ad162b3c"
    assert exact["recording-list"][0]["release-list"][0]["id"] == SEA_OF_COWARDS
    ranged = mb.search_recordings("dur:[164000 TO 165000] AND recording:gasoline")
    assert [h["length"] for h in ranged["recording-list"]] == ["164840"]


def test_query_parser_handles_escapes_and_operators() -> None:
    tree = parse_query(r'release:(ac\/dc \- live\!) AND artist:"x \"y\"" NOT -status:bootleg')
    assert tree.clauses[0][0] == "must"
    assert tree.clauses[1][1].text == 'x "y"'  # type: ignore[union-attr]
    assert tokens("AC/DC – Live!") == ["ac", "dc", "live"]
    assert tokens("Zoë Ångström’s") == ["zoe", "angstroms"]
    for bad in ("", "release:(open", '"unterminated', "a AND", "dur:[1 TO"):
        with pytest.raises(QuerySyntaxError):
            parse_query(bad)


def test_generated_catalogue_is_deterministic_and_searchable() -> None:
    first, again = generate_releases(60, seed=7), generate_releases(60, seed=7)
    assert first == again
    cat = Catalogue.default().extend(first)
    assert len(cat.releases) == len(Catalogue.default().releases) + 60
    target = cat.releases[first[10]["id"]]
    with MBServer(cat, rate_limit=None) as srv:
        q = f'reid:{target.id} AND release:"{target.title}"'
        status, body = get(srv, "release/", query=q)
    parsed = musicbrainzngs.mbxml.parse_message(body)
    assert status == 200 and parsed["release-list"][0]["id"] == target.id


# --------------------------------------------------------------------------- service rules


def test_user_agent_is_required(server: MBServer) -> None:
    path = f"release/{SEA_OF_COWARDS}"
    assert get(server, path, ua=None)[0] == 403  # urllib's own Python-urllib/3.x
    assert get(server, path, ua="")[0] == 403
    assert get(server, path, ua="python-requests/2.31")[0] == 403
    assert get(server, path)[0] == 200
    assert server.requests[-1].user_agent == UA


def test_rate_limit_answers_503_with_the_service_body(catalogue: Catalogue) -> None:
    with MBServer(catalogue, rate_limit=1.0) as srv:
        assert get(srv, f"release/{SEA_OF_COWARDS}")[0] == 200
        status, body = get(srv, f"release/{SEA_OF_COWARDS}")
        assert status == 503 and body == RATE_LIMIT_BODY
        assert [r.status for r in srv.requests] == [200, 503]
        srv.rate_limit = None
        assert get(srv, f"release/{SEA_OF_COWARDS}")[0] == 200


def test_musicbrainzngs_retries_on_503_without_really_sleeping(
    catalogue: Catalogue, sleeps: list[float]
) -> None:
    with MBServer(catalogue, rate_limit=0.5) as srv:
        musicbrainzngs.set_useragent("libtool-tests", "0.1", "https://example.invalid/libtool")
        musicbrainzngs.set_hostname(srv.host, use_https=False)
        musicbrainzngs.set_rate_limit(False)
        try:
            musicbrainzngs.get_release_by_id(SEA_OF_COWARDS)
            with pytest.raises(musicbrainzngs.NetworkError):
                musicbrainzngs.get_release_by_id(SEA_OF_COWARDS)
        finally:
            musicbrainzngs.set_hostname("musicbrainz.org", use_https=True)
            musicbrainzngs.set_rate_limit(True)
        assert sleeps == [2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0]
        assert len(srv.requests) == 9


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize("code", [500, 502, 503])
def test_status_fault(server: MBServer, code: int) -> None:
    server.faults.push(Fault.status(code))
    assert get(server, f"release/{SEA_OF_COWARDS}")[0] == code
    assert get(server, f"release/{SEA_OF_COWARDS}")[0] == 200  # consumed


def test_client_recovers_after_one_503(mb: Any, server: MBServer, sleeps: list[float]) -> None:
    server.faults.push(Fault.status(503))
    assert mb.get_release_by_id(SEA_OF_COWARDS)["release"]["title"] == "Sea of Cowards"
    assert sleeps == [2.0]
    assert [r.status for r in server.requests] == [503, 200]


def test_fault_rule_by_path(server: MBServer) -> None:
    server.faults.on(r"/release/8eb2b179", Fault.status(500), times=2)
    other = f"release/{RUINED_SUBJECTS}"
    assert get(server, other)[0] == 200
    assert [get(server, f"release/{SEA_OF_COWARDS}")[0] for _ in range(3)] == [500, 500, 200]
    server.faults.on(r"query=", Fault.garbage())
    assert get(server, "release/", query="x")[1].startswith(b"\x00")
    assert get(server, "release/", query="y")[1].startswith(b"\x00")  # no times: stays


def test_hang_outlasts_the_client_timeout_and_stops_with_the_server(catalogue: Catalogue) -> None:
    srv = MBServer(catalogue, rate_limit=None).start()
    try:
        srv.faults.push(Fault.hang(60))
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            get(srv, f"release/{SEA_OF_COWARDS}", timeout=0.3)
        srv.faults.push(Fault.hang(60))
        outcome: list[BaseException | tuple[int, bytes]] = []

        def waiting_client() -> None:
            try:
                outcome.append(get(srv, f"release/{SEA_OF_COWARDS}", timeout=30))
            except (OSError, http.client.HTTPException) as exc:
                outcome.append(exc)

        pending = threading.Thread(target=waiting_client, daemon=True)
        pending.start()
        while len(srv.requests) < 2:
            time.sleep(0.01)
    finally:
        stopper = threading.Thread(target=srv.stop, daemon=True)
        stopper.start()
        stopper.join(timeout=5)
    assert not stopper.is_alive(), "server shutdown hung on a hanging request"
    pending.join(timeout=5)
    assert not pending.is_alive(), "the hanging request was not released at shutdown"
    assert isinstance(outcome[0], http.client.RemoteDisconnected)  # closed, never answered


def test_truncated_body_is_a_parse_error(mb: Any, server: MBServer) -> None:
    server.faults.push(Fault.truncated())
    with pytest.raises(musicbrainzngs.ResponseError):
        mb.get_release_by_id(SEA_OF_COWARDS, includes=["recordings"])
    server.faults.push(Fault.truncated(short_read=True))
    req = urllib.request.Request(f"http://{server.host}/ws/2/release/{SEA_OF_COWARDS}")
    req.add_header("User-Agent", UA)
    with urllib.request.urlopen(req, timeout=5) as resp, pytest.raises(http.client.IncompleteRead):
        resp.read()


def test_garbage_is_a_parse_error(mb: Any, server: MBServer) -> None:
    server.faults.push(Fault.garbage())
    with pytest.raises(musicbrainzngs.ResponseError):
        mb.get_release_by_id(SEA_OF_COWARDS)


def test_no_namespace_raises_a_bare_value_error(mb: Any, server: MBServer) -> None:
    server.faults.push(Fault.no_namespace())
    with pytest.raises(ValueError) as err:
        mb.search_releases(release="sea of cowards")
    assert not isinstance(err.value, musicbrainzngs.WebServiceError)
    server.faults.push(Fault.no_namespace())
    status, body = get(server, f"release/{SEA_OF_COWARDS}")
    assert status == 200 and b"xmlns" not in body and b"<title>Sea of Cowards</title>" in body


def test_reset_closes_without_an_answer(server: MBServer) -> None:
    server.faults.push(Fault.reset())
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)) as err:
        get(server, f"release/{SEA_OF_COWARDS}")
    assert isinstance(err.value, ConnectionResetError)  # an RST, not a clean close
    assert get(server, f"release/{SEA_OF_COWARDS}")[0] == 200


def test_post_is_refused(server: MBServer) -> None:
    req = urllib.request.Request(f"http://{server.host}/ws/2/release/", data=b"x", method="POST")
    req.add_header("User-Agent", UA)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 405


# --------------------------------------------------------------------------- recorded answers


@needs_shared
@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.name)
def test_every_recorded_answer_parses(path: Path) -> None:
    parsed = musicbrainzngs.mbxml.parse_message(path.read_bytes())
    entity = next(iter(parsed))
    assert entity in {"release", "recording", "release-group", "release-list"}
    if entity == "release":
        assert effective_tracks(parsed["release"])


@needs_shared
@pytest.mark.parametrize(
    ("mbid", "incs"),
    [(SEA_OF_COWARDS, ["recordings"]), (RUINED_SUBJECTS, ["recordings", "artist-credits"])],
)
def test_our_rendering_round_trips_like_the_recorded_release(
    mb: Any, mbid: str, incs: list[str]
) -> None:
    recorded_file = SHARED_MB / "release" / f"{mbid}-{'+'.join(incs)}.xml"
    recorded = musicbrainzngs.mbxml.parse_message(recorded_file.read_bytes())["release"]
    ours = mb.get_release_by_id(mbid, includes=incs)["release"]
    for key in ("id", "title", "date", "country", "status", "artist-credit-phrase"):
        assert ours.get(key) == recorded.get(key), key
    assert effective_tracks(ours) == effective_tracks(recorded)


def test_the_search_page_looks_like_the_recorded_one(server: MBServer) -> None:
    status, body = get(server, "release/", query="release:(sea of cowards)")
    assert status == 200
    head = body[:200].decode()
    assert 'xmlns="http://musicbrainz.org/ns/mmd-2.0#"' in head
    assert 'xmlns:ext="http://musicbrainz.org/ns/ext#-2.0"' in head
    assert b'ext:score="100"' in body
    parsed = musicbrainzngs.mbxml.parse_message(body)
    assert parsed["release-count"] == len(parsed["release-list"])


# --------------------------------------------------------------------------- by hand


def test_python_dash_m_runs_and_stops_on_ctrl_c() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.mbserver", "--port", "0", "--quiet", "--rate-limit", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("host 127.0.0.1:"), line
        host = line.split()[1]
        req = urllib.request.Request(f"http://{host}/ws/2/release/{SEA_OF_COWARDS}")
        req.add_header("User-Agent", UA)
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
