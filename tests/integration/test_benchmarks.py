"""The benchmark harness still runs end to end (its N = 50 smoke run); no timing is judged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audio import have_ffmpeg
from tests.conftest import REPO


@pytest.mark.slow
@pytest.mark.skipif(not have_ffmpeg(), reason="the corpus is encoded with ffmpeg")
def test_the_smoke_run_measures_every_target(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--smoke",
            "--src",
            str(REPO),
            "--corpus-root",
            str(tmp_path / "corpus"),
            "--report-only",  # a missed speed target is not a failure here; a broken run is
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(out.read_text())
    assert results["sizes"] == [25, 50]
    assert set(results["targets"]) == {"a", "b", "c", "d"}
    scan = results["full_scan"]["50"]
    assert scan["peak_rss_kb_median"] > 0 and scan["fastest_user_sys_s"][0] > 0
    assert results["src"] == str(REPO)
    paired = results["paired_scan_over_read"]["50"]  # one pair per repeat, shown, not judged
    assert len(paired["ratios"]) == results["repeat"] and paired["median"] > 0
