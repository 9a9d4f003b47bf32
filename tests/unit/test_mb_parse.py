"""Every recorded WS/2 answer in ../shared/musicbrainz parses into our DTOs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from libtool.musicbrainz import mbngs
from libtool.musicbrainz.client import Recording, Release, ReleaseHit

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT.parent / "shared" / "musicbrainz"
pytestmark = pytest.mark.skipif(
    not RECORDED.is_dir(), reason=f"recorded MusicBrainz XML not found at {RECORDED}"
)
FILES = sorted(RECORDED.rglob("*.xml")) if RECORDED.is_dir() else []


def load(relative: str) -> dict[str, Any]:
    return mbngs.parse((RECORDED / relative).read_bytes())


def release_file(mbid: str) -> Release:
    (path,) = (RECORDED / "release").glob(f"{mbid}*.xml")
    return mbngs.release(mbngs.parse(path.read_bytes())["release"])


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_recorded_file_parses(path: Path) -> None:
    data = mbngs.parse(path.read_bytes())
    if "release" in data:
        release = mbngs.release(data["release"])
        assert isinstance(release, Release) and release.id and release.track_count > 0
        for track in release.tracks:
            assert track.recording_id and track.title
            assert track.length_ms is None or track.length_ms > 0
    elif "release-list" in data:
        hits = [mbngs.release_hit(r) for r in data["release-list"]]
        assert hits and all(isinstance(h, ReleaseHit) and 0 <= h.score <= 100 for h in hits)
    elif "recording" in data:
        assert isinstance(mbngs.recording(data["recording"]), Recording)
    else:
        assert "release-group" in data


def test_sea_of_cowards_with_its_pregap() -> None:
    release = release_file("8eb2b179-643d-3507-b64c-29fcc6745156")
    assert (release.title, release.country, release.date) == ("Sea of Cowards", "GB", "2010-05-10")
    assert release.barcode == "093624966524" and release.status == "Official"
    first, second = release.tracks[:2]
    assert (first.position, first.title) == (0, "[untitled]")  # the hidden pregap track
    assert (second.position, second.number, second.title) == (1, "1", "Blue Blood Blues")
    assert second.length_ms == 202306 and second.id == "94928c4c-5cd9-3a3e-b72f-6d0bc8023c9c"
    assert release.track_count == 12


def test_urk_has_three_media_with_disc_numbers() -> None:
    release = release_file("fe29e7f0-eb46-44ba-9348-694166f47885")
    assert [m.position for m in release.media] == [1, 2, 3]
    assert sum(m.track_count for m in release.media) == release.track_count
    assert {t.medium_position for t in release.media[2].tracks} == {3}


def test_data_tracks_are_kept() -> None:
    release = release_file("9ce41d09-40e4-4d33-af0c-7fed1e558dba")
    assert release.track_count == 198 and release.barcode == ""


def test_vinyl_sides_and_missing_lengths() -> None:
    release = release_file("a81f3c15-2f36-47c7-9b0f-f684a8b0530f")
    assert [(t.number, t.length_ms, t.id) for t in release.tracks] == [
        ("A", None, ""),
        ("B", None, ""),
    ]


def test_artist_credits_of_release_and_tracks() -> None:
    release = release_file("fbe4490e-e366-4da2-a37a-82162d2f41a9")
    assert release.artist == "Suzuki Method International"
    assert release.artist_credit.artist_ids == ("08809019-2a31-4b5c-928a-d57b7742b224",)
    track = release.tracks[0]
    # The track is credited as "J. A. Hummel"; the sort name is the artist's own.
    assert track.artist_credit.text == "J. A. Hummel"
    assert track.artist_credit.sort_name == "Hummel, Johann Nepomuk"
    assert track.title == "Ecossaise"


def test_tracks_without_credit_fall_back_to_the_release_credit() -> None:
    release = release_file("833d4c3a-2635-4b7a-83c4-4e560588f23a")
    assert release.artist_credit.sort_name == "Bruce, JT"
    assert {t.artist_credit.text for t in release.tracks} == {"JT Bruce"}


def test_search_hits_carry_labels_formats_and_counts() -> None:
    data = load("search-release.xml")
    hits = [mbngs.release_hit(r) for r in data["release-list"]]
    best = hits[0]
    assert best.score == 100 and best.title == "Affordable Pop Music"
    assert best.labels == ("Waysafe",) and best.catalog_numbers == ("WS06",)
    assert best.medium_track_counts == (4,) and best.formats == ("CD",)
    assert best.primary_type == "EP" and best.track_count == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_recording_lookup() -> None:
    data = load("recording/f606f733-c1eb-43f3-93c1-71994ea611e3-artist-rels.xml")
    recording = mbngs.recording(data["recording"])
    assert (recording.title, recording.length_ms) == ("Shades of Gray", 259600)
