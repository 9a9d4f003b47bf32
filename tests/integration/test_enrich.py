"""``mlib enrich`` end to end: real files, a real library on disk, and the local WS/2
server over real HTTP (tests/mbserver), reached exactly as musicbrainz.org is.

Retry back-offs are never slept through: CLI runs use a config with no rate limit
and faults that fail at once (refused connections); fault-and-resume tests drive the
service with a client whose ``sleep`` only records.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mutagen
import pytest
from mutagen.flac import FLAC

from libtool.config import load_settings
from libtool.events import Matched
from libtool.musicbrainz.mbngs import MusicBrainzNgsClient
from libtool.service.core import Service
from libtool.service.enrichment import EnrichOptions, enrich, list_proposals
from tests.audio import AudioFactory, have_ffmpeg
from tests.conftest import run_mlib
from tests.mbserver import Catalogue, Fault, MBServer
from tests.mbserver.catalogue import fake_mbid

pytestmark = pytest.mark.skipif(not have_ffmpeg(), reason="needs ffmpeg")

REPO = Path(__file__).resolve().parents[2]
SEA_OF_COWARDS = "8eb2b179-643d-3507-b64c-29fcc6745156"
TIDEWATER = fake_mbid("test-release", "tidewater")
HOSTILE = fake_mbid("test-release", "hostile")
TITLES = ["Low Water", "Salt Marsh", "The Long Pier", "Fog Signal"]


def _release(rid: str, title: str, artist: str, titles: list[str], **extra: Any) -> dict:
    aid = fake_mbid("test-artist", artist)
    return {
        "id": rid,
        "title": title,
        "artist_credit": [{"id": aid, "name": artist, "sort_name": artist}],
        "date": "2019-04-05",
        "country": "GB",
        "status": "Official",
        "release_group": {"id": fake_mbid("test-group", rid), "primary_type": "Album"},
        "label_info": [{"name": "Tide Records", "catalog_number": "TIDE-7"}],
        "media": [
            {
                "position": 1,
                "format": "CD",
                "tracks": [
                    {
                        "id": fake_mbid("test-track", rid, n),
                        "position": n,
                        "number": str(n),
                        "title": t,
                        "length": 1000,
                        "recording": {
                            "id": fake_mbid("test-recording", rid, n),
                            "title": t,
                            "length": 1000,
                        },
                    }
                    for n, t in enumerate(titles, 1)
                ],
            }
        ],
        **extra,
    }


def catalogue() -> Catalogue:
    return Catalogue.default().extend(
        [
            _release(TIDEWATER, "Tidewater Sessions", "Marrow Lane", TITLES),
            _release(
                HOSTILE,
                "Quiet \u009b2J Room [bold red]x[/]",
                "The \u202eReversed",
                ["One \u0085Line", "Two [link=file:///etc]x[/link]"],
            ),
        ]
    )


@pytest.fixture(scope="module")
def server() -> Iterator[MBServer]:
    with MBServer(catalogue(), rate_limit=None) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean_server(server: MBServer) -> Iterator[None]:
    server.faults.clear()
    server.requests.clear()
    yield
    server.faults.clear()


def write_config(folder: Path, host: str) -> Path:
    config = folder / "config.toml"
    config.write_text(
        f'[musicbrainz]\nhost = "{host}"\nhttps = false\nrate_limit = 0\n'
        'contact = "https://example.invalid/libtool-tests"\n',
        encoding="utf-8",
    )
    return config


def tag_flac(path: Path, **tags: str) -> None:
    f = FLAC(path)
    for key, value in tags.items():
        f[key] = value
    f.save()


def make_album(audio: AudioFactory, folder: Path, titles: list[str], **common: str) -> list[Path]:
    paths = []
    for n, title in enumerate(titles, 1):
        path = audio.make(folder / f"{n:02d} {title}.flac", "flac", seconds=1.0)
        tag_flac(path, title=title, tracknumber=str(n), **common)
        paths.append(path)
    return paths


@pytest.fixture
def tidewater(tmp_path: Path, audio: AudioFactory) -> list[Path]:
    titles = [*TITLES]
    titles[2] = "The Long Peir"  # a typo MusicBrainz fixes
    return make_album(
        audio,
        tmp_path / "music" / "Marrow Lane" / "Tidewater Sessions",
        titles,
        artist="Marrow Lane",
        album="Tidewater Sessions",
    )


def mlib_env(tmp_path: Path, server: MBServer) -> dict[str, str]:
    return {"MLIB_CONFIG": str(write_config(tmp_path, server.host))}


def test_enrich_apply_write_and_undo_change_the_files(
    tmp_path: Path, server: MBServer, tidewater: list[Path], db_path: Path
) -> None:
    env = mlib_env(tmp_path, server)
    run_mlib("scan", tmp_path / "music", db=db_path, env=env, check=True)
    result = run_mlib("enrich", "--apply", db=db_path, env=env, check=True)
    assert "Marrow Lane - Tidewater Sessions" in result.stdout
    assert "applied" in result.stdout
    assert "The Long Peir -> The Long Pier" in result.stdout
    assert "1 applied" in result.stdout
    # one search and one lookup for the album
    assert [r.path.split("/")[3] for r in server.requests] == ["release", "release"]

    status = run_mlib("status", db=db_path, env=env, check=True).stdout
    assert "mb_albumid" in status and "The Long Pier" in status
    run_mlib("write", db=db_path, env=env, check=True)
    written = FLAC(tidewater[2])
    assert written["title"] == ["The Long Pier"]
    assert written["musicbrainz_albumid"] == [TIDEWATER]
    assert written["label"] == ["Tide Records"]
    assert written["catalognumber"] == ["TIDE-7"]
    assert written["releasecountry"] == ["GB"]
    assert written["date"] == ["2019-04-05"]
    assert written["musicbrainz_trackid"] == [fake_mbid("test-recording", TIDEWATER, 3)]
    assert FLAC(tidewater[0])["title"] == ["Low Water"]  # kept: it was right

    listing = run_mlib("proposals", "--all", db=db_path, env=env, check=True).stdout
    assert "\tapplied\tstrong\t" in listing

    run_mlib("undo", db=db_path, env=env, check=True)
    restored = FLAC(tidewater[2])
    assert restored["title"] == ["The Long Peir"]
    assert "musicbrainz_albumid" not in restored


def test_a_second_run_asks_nothing_again(
    tmp_path: Path, server: MBServer, tidewater: list[Path], db_path: Path
) -> None:
    env = mlib_env(tmp_path, server)
    run_mlib("scan", tmp_path / "music", db=db_path, env=env, check=True)
    run_mlib("enrich", db=db_path, env=env, check=True)  # proposes; applies nothing
    asked = len(server.requests)
    assert asked == 2
    assert run_mlib("status", db=db_path, env=env).stdout.strip() == "no pending changes"
    again = run_mlib("enrich", db=db_path, env=env, check=True)
    assert len(server.requests) == asked  # every answer came from the library's cache
    assert "2 answers from the cache" in again.stdout
    refreshed = run_mlib("enrich", "--refresh", db=db_path, env=env, check=True)
    assert len(server.requests) == 2 * asked
    assert "0 answers from the cache" in refreshed.stdout


def test_files_with_an_album_id_cost_one_lookup_and_no_search(
    tmp_path: Path, server: MBServer, tidewater: list[Path], db_path: Path
) -> None:
    for path in tidewater:
        tag_flac(path, musicbrainz_albumid=TIDEWATER)
    env = mlib_env(tmp_path, server)
    run_mlib("scan", tmp_path / "music", db=db_path, env=env, check=True)
    run_mlib("enrich", "--dry-run", db=db_path, env=env, check=True)
    assert [r.path for r in server.requests] == [f"/ws/2/release/{TIDEWATER}"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_offline_says_unreachable_and_changes_nothing(
    tmp_path: Path, tidewater: list[Path], db_path: Path
) -> None:
    env = {"MLIB_CONFIG": str(write_config(tmp_path, f"127.0.0.1:{_free_port()}"))}
    run_mlib("scan", tmp_path / "music", db=db_path, env=env, check=True)
    before = [FLAC(p).tags.as_dict() for p in tidewater]  # type: ignore[union-attr]
    result = run_mlib("enrich", "--apply", db=db_path, env=env)
    assert result.returncode == 1
    assert "MusicBrainz unreachable" in result.stderr
    assert "Traceback" not in result.stderr
    assert run_mlib("proposals", "--all", db=db_path, env=env).stdout.strip() == "no proposals"
    assert run_mlib("status", db=db_path, env=env).stdout.strip() == "no pending changes"
    assert [FLAC(p).tags.as_dict() for p in tidewater] == before  # type: ignore[union-attr]


def test_flags_and_environment_name_the_host(
    tmp_path: Path, server: MBServer, tidewater: list[Path], db_path: Path
) -> None:
    # the config points nowhere; the flags (then the environment) win
    env = {"MLIB_CONFIG": str(write_config(tmp_path, f"127.0.0.1:{_free_port()}"))}
    run_mlib("scan", tmp_path / "music", db=db_path, env=env, check=True)
    flags = ["--musicbrainz-host", server.host, "--musicbrainz-http"]
    run_mlib("enrich", "--dry-run", *flags, db=db_path, env=env, check=True)
    assert len(server.requests) == 2
    env2 = {**env, "MLIB_MUSICBRAINZ_HOST": server.host}
    run_mlib("enrich", "--dry-run", "--refresh", db=db_path, env=env2, check=True)
    assert len(server.requests) == 4
    ua = server.requests[0].user_agent
    assert ua.startswith("libtool/") and "example.invalid" in ua


def test_sample_library_review_accept_and_write(
    tmp_path: Path, server: MBServer, db_path: Path
) -> None:
    """The sample files are 1-3 s long, so their lengths keep every match from being
    clear: nothing is applied unasked; the review path accepts one by number."""
    music = tmp_path / "sample_music"
    shutil.copytree(REPO / "sample_music", music)
    env = mlib_env(tmp_path, server)
    run_mlib("scan", music, db=db_path, env=env)
    result = run_mlib("enrich", "--apply", db=db_path, env=env, check=True)
    assert "0 applied" in result.stdout
    assert "The Dead Weather - Sea of Cowards" in result.stdout
    rows = run_mlib("proposals", db=db_path, env=env, check=True).stdout.splitlines()
    sea = [r for r in rows if "Sea of Cowards (11 files)" in r]
    assert len(sea) == 1, rows
    pid = sea[0].split("\t")[0]
    shown = run_mlib("proposal", pid, "--explain", db=db_path, env=env, check=True).stdout
    assert SEA_OF_COWARDS in shown
    assert "track_length" in shown  # the breakdown says what cost the score
    accepted = run_mlib("accept", pid, "1", db=db_path, env=env, check=True).stdout
    assert "changes staged" in accepted
    run_mlib("write", db=db_path, env=env, check=True)
    folder = music / "The Dead Weather" / "Sea of Cowards (2010)"
    seven = mutagen.File(folder / "Track 07.mp3")
    assert str(seven.tags["TIT2"]) == "Gasoline"
    assert str(seven.tags["TXXX:MusicBrainz Album Id"]) == SEA_OF_COWARDS
    two = mutagen.File(folder / "02 - Hustle and Cus.mp3")
    assert str(two.tags["TIT2"]) == "Hustle and Cuss"
    left = run_mlib("proposals", "--status", "applied", db=db_path, env=env, check=True)
    assert pid in [r.split("\t")[0] for r in left.stdout.splitlines()]


def test_hostile_text_from_the_server_never_reaches_the_terminal_raw(
    tmp_path: Path, server: MBServer, audio: AudioFactory, db_path: Path
) -> None:
    make_album(
        audio,
        tmp_path / "music" / "Reversed" / "Quiet Room",
        ["One Line", "Two"],
        artist="The Reversed",
        album="Quiet Room",
    )
    env = mlib_env(tmp_path, server)
    run_mlib("scan", tmp_path / "music", db=db_path, env=env, check=True)
    out = run_mlib("enrich", "--explain", db=db_path, env=env, check=True).stdout
    assert "Quiet" in out and "Reversed" in out
    for raw in ("\u009b", "\u202e", "\u0085", "\x1b"):
        assert raw not in out
    rows = run_mlib("proposals", db=db_path, env=env, check=True).stdout
    pid = rows.split("\t")[0]
    shown = run_mlib("proposal", pid, db=db_path, env=env, check=True).stdout
    assert "[bold red]x[/]" in shown  # markup is shown as text, not applied
    for raw in ("\u009b", "\u202e", "\u0085"):
        assert raw not in shown


# --- faults: the service with a client that never really sleeps ---------------------------


def service_for(db_path: Path, server: MBServer) -> tuple[Service, MusicBrainzNgsClient, list]:
    settings = load_settings(database=str(db_path), env={})
    settings.mb_rate_limit = 0
    svc = Service(settings)
    from libtool.service.enrichment import make_client

    client = make_client(svc, host=server.host, https=False)
    slept: list[float] = []
    client._sleep = slept.append  # type: ignore[method-assign]
    client.limiter._sleep = slept.append  # type: ignore[method-assign]
    client.timeout = 2.0
    return svc, client, slept


@pytest.fixture
def two_albums(tmp_path: Path, audio: AudioFactory, tidewater: list[Path]) -> Path:
    music = tmp_path / "music"
    shutil.copytree(REPO / "sample_music" / "Lantern Coast", music / "Lantern Coast")
    return music


def test_a_dropped_connection_stops_the_run_keeps_the_work_and_the_next_run_resumes(
    db_path: Path, server: MBServer, two_albums: Path
) -> None:
    svc, client, slept = service_for(db_path, server)
    svc.scan([str(two_albums)])
    # Night Ferry (first by label) matches; then every request about Tidewater is reset
    server.faults.on("tidewater", Fault.reset())
    seen: list[Matched] = []
    result = enrich(svc, (), EnrichOptions(), client=client, events=_collect(seen))
    assert result.stopped is not None and "unreachable" in result.stopped.lower()
    assert [m.label for m in seen] == ["Lantern Coast - Night Ferry"]
    assert len(slept) == client.attempts - 1  # bounded retries, back-offs recorded not slept
    kept = list_proposals(svc)
    assert [p.label for p in kept] == ["Lantern Coast - Night Ferry"]

    server.faults.clear()
    server.requests.clear()
    svc2, client2, _ = service_for(db_path, server)
    again = enrich(svc2, (), EnrichOptions(), client=client2)
    assert again.stopped is None and again.failed == 0
    asked = server.requests.paths()
    assert asked and all("night" not in p.lower() for p in asked)  # Night Ferry: from cache
    assert sorted(p.label for p in list_proposals(svc2)) == [
        "Lantern Coast - Night Ferry",
        "Marrow Lane - Tidewater Sessions",
    ]
    svc.close()
    svc2.close()


@pytest.mark.parametrize("fault", [Fault.garbage(), Fault.no_namespace(), Fault.truncated()])
def test_a_broken_answer_fails_that_album_only_and_the_next_run_retries_it(
    db_path: Path, server: MBServer, two_albums: Path, fault: Fault
) -> None:
    svc, client, _ = service_for(db_path, server)
    svc.scan([str(two_albums)])
    server.faults.on("tidewater", fault, times=1)
    seen: list[Matched] = []
    result = enrich(svc, (), EnrichOptions(), client=client, events=_collect(seen))
    assert result.failed == 1 and result.stopped is None
    failed = [m for m in seen if m.outcome == "failed"]
    assert [m.label for m in failed] == ["Marrow Lane - Tidewater Sessions"]
    assert failed[0].message.startswith("MusicBrainz")
    assert [p.label for p in list_proposals(svc)] == ["Lantern Coast - Night Ferry"]
    again = enrich(svc, (), EnrichOptions(), client=client)
    assert again.failed == 0
    assert len(list_proposals(svc)) == 2
    svc.close()


def test_server_errors_are_retried_then_the_run_goes_on(
    db_path: Path, server: MBServer, tidewater: list[Path]
) -> None:
    svc, client, slept = service_for(db_path, server)
    svc.scan([str(tidewater[0].parent.parent.parent)])
    server.faults.push(Fault.status(503), Fault.status(502))
    result = enrich(svc, (), EnrichOptions(apply=True), client=client)
    assert result.applied == 1 and result.stopped is None
    assert slept[:2] == [1.0, 2.0]  # backoff doubles; recorded, never slept
    svc.close()


def test_cancel_stops_between_albums_with_what_was_matched_kept(
    db_path: Path, server: MBServer, two_albums: Path
) -> None:
    from libtool.events import CancelToken

    svc, client, _ = service_for(db_path, server)
    svc.scan([str(two_albums)])
    token = CancelToken()

    def cancel_after_first(event: object) -> None:
        if isinstance(event, Matched):
            token.cancel()

    result = enrich(svc, (), EnrichOptions(), client=client, events=cancel_after_first,
                    cancel=token)  # fmt: skip
    assert result.cancelled
    assert [p.label for p in list_proposals(svc)] == ["Lantern Coast - Night Ferry"]
    svc.close()


def _collect(into: list[Matched]):  # type: ignore[no-untyped-def]
    def sink(event: object) -> None:
        if isinstance(event, Matched):
            into.append(event)

    return sink


def test_accepting_a_search_hit_scores_it_as_enrich_grouped_the_files(
    db_path: Path, server: MBServer, audio: AudioFactory, tmp_path: Path
) -> None:
    """Untagged files: the folder names stand in for album and artist, and the file names
    for titles and numbers. A hit looked up on accept is scored the same way."""
    from sqlalchemy import select

    from libtool.db.models import Proposal
    from libtool.service.enrichment import accept, get_proposal

    folder = tmp_path / "music" / "Marrow Lane" / "Tidewater Sesions (2019)"  # a typo: it costs
    for n, title in enumerate(TITLES, 1):
        audio.make(folder / f"{n:02d} {title}.flac", "flac", seconds=1.0)
    svc, client, _ = service_for(db_path, server)
    svc.scan([str(tmp_path / "music")])
    enrich(svc, (), EnrichOptions(), client=client)
    [row] = list_proposals(svc)
    assert row.label == "Marrow Lane - Tidewater Sesions"
    first = get_proposal(svc, row.id).candidates[0]
    assert first.id == TIDEWATER and first.looked_up and 90 < first.score < 100
    assert "album" in [b.name for b in first.breakdown if b.contribution > 0]
    with svc.library.session() as session:  # as if it had only been a search hit
        p = session.scalar(select(Proposal).where(Proposal.id == row.id))
        assert p is not None
        p.candidates = [{**p.candidates[0], "looked_up": False}, *p.candidates[1:]]
        session.commit()
    count, after = accept(svc, row.id, 1, client=client)
    assert after.candidates[0].looked_up
    assert after.candidates[0].score == first.score
    assert count > 0
    svc.close()
