"""Progress: drawn on a terminal after the delay, never on a pipe, never with --quiet."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from linter import progress

REPO = Path(__file__).resolve().parents[1]


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_not_a_tty_or_quiet_means_nothing() -> None:
    pipe = io.StringIO()
    assert not progress.enable_if_tty(False, pipe)
    progress.advance()
    progress.finish()
    assert pipe.getvalue() == ""
    tty = FakeTty()
    assert not progress.enable_if_tty(True, tty)
    progress.advance()
    progress.finish()
    assert tty.getvalue() == ""


def test_draws_after_the_delay_and_erases_the_line() -> None:
    tty = FakeTty()
    p = progress.Progress()
    p.enable(tty, delay=0)
    p.set_total(4)
    p.advance(2)
    p.stage("evaluating rules")
    assert "2/4 files parsed" in tty.getvalue() and "evaluating rules" in tty.getvalue()
    p.finish()
    assert tty.getvalue().endswith("\r\x1b[2K")


def test_short_scans_draw_nothing() -> None:
    tty = FakeTty()
    p = progress.Progress()
    p.enable(tty)  # the default delay: a quick scan is over before it
    p.set_total(3)
    p.advance(3)
    p.finish()
    assert tty.getvalue() == ""


def test_cli_on_a_pipe_prints_no_progress() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from linter.cli import main; main()", "check", "fixtures"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "\r" not in proc.stderr and "files parsed" not in proc.stderr
