"""``mlib`` leaves without tearing the interpreter down, but exactly as an orderly exit would:
the same status, every line flushed, every ``atexit`` handler and thread finished."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import run_mlib


def _run_inline(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``libtool.__main__.run`` in a fresh interpreter after ``code`` has set things up."""
    script = textwrap.dedent(code) + "\nimport libtool.__main__ as m\nm.run()\n"
    return subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120
    )


def test_statuses_and_messages_are_those_of_an_orderly_exit(tmp_path: Path) -> None:
    ok = run_mlib("--version")
    assert ok.returncode == 0 and ok.stdout.strip()
    usage = run_mlib("no-such-command")
    assert usage.returncode == 2 and "no-such-command" in usage.stderr
    missing = run_mlib("ls", db=tmp_path / "nowhere" / "lib.db")
    assert missing.returncode == 2 and "no such folder for the database" in missing.stderr
    (tmp_path / "music").mkdir()
    scanned = run_mlib("scan", str(tmp_path / "music"), db=tmp_path / "lib.db")
    assert scanned.returncode == 0, scanned.stderr
    listed = run_mlib("ls", db=tmp_path / "lib.db")
    assert listed.returncode == 0 and listed.stdout == ""


def test_atexit_handlers_and_threads_finish_before_the_process_ends(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    result = _run_inline(
        f"""
        import atexit, sys, threading, time
        sys.argv = ["mlib", "--version"]
        atexit.register(lambda: print("handler ran", flush=False))
        def late():
            time.sleep(0.3)
            open({str(marker)!r}, "w").write("thread finished")
        threading.Thread(target=late).start()
        """
    )
    assert result.returncode == 0, result.stderr
    assert "handler ran" in result.stdout  # printed by a handler, flushed by run()
    assert marker.read_text() == "thread finished"


def test_an_exit_message_and_a_large_output_survive(tmp_path: Path) -> None:
    result = _run_inline(
        """
        import sys
        sys.argv = ["mlib", "--version"]
        import libtool.cli
        def main():
            sys.stdout.write("x" * 1_000_000)  # more than any stream buffer
            sys.exit("gave up: a reason")
        libtool.cli.main = main
        """
    )
    assert result.returncode == 1
    assert len(result.stdout) == 1_000_000
    assert "gave up: a reason" in result.stderr


def test_a_closed_pipe_is_not_an_error_on_the_way_out(tmp_path: Path) -> None:
    script = "import sys\nsys.argv=['mlib','--help']\nimport libtool.__main__ as m\nm.run()\n"
    # the reader goes away at once; mlib must still exit 0 and print no traceback
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err
