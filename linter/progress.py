"""A progress line on stderr for long scans, and nothing at all otherwise.

Why: a scan of a large estate can take many seconds, and a silent terminal looks hung. But
progress output in CI logs, pipes or pre-commit is noise, so it is shown only when the CLI
enables it (stderr is a terminal and ``--quiet`` is not given), and only once a scan has run for
``DELAY`` seconds. The pipeline calls ``advance``/``stage`` unconditionally; when disabled they
cost one attribute check.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: seconds before anything is drawn (short scans never show a bar)
DELAY = 2.0
_REDRAW = 0.1
_WIDTH = 24


class Progress:
    """Counts files parsed and stacks evaluated; draws one self-overwriting line."""

    def __init__(self) -> None:
        self.enabled = False
        self.stream: TextIO = sys.stderr
        self.total = 0
        self.done = 0
        self.stage_name = "parsing"
        self.started = 0.0
        self._last_draw = 0.0
        self._drawn = False

    def enable(self, stream: TextIO | None = None, delay: float = DELAY) -> None:
        self.enabled = True
        self.stream = stream or sys.stderr
        self.started = time.monotonic() - (DELAY - delay)
        self.total = self.done = 0
        self._drawn = False

    def set_total(self, total: int) -> None:
        """Files the scan will parse (discovery knows it)."""
        self.total = total

    def stage(self, name: str) -> None:
        """A new phase (``parsing terraform``, ``evaluating rules``): shown on the line."""
        if not self.enabled:
            return
        self.stage_name = name
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        """``n`` more files parsed."""
        if not self.enabled:
            return
        self.done += n
        self._draw()

    def reached(self, done: int) -> None:
        """At least ``done`` files are through (a front end that does not count file by file)."""
        if not self.enabled:
            return
        self.done = max(self.done, done)
        self._draw()

    def finish(self) -> None:
        """Erase the line so the report starts on a clean line."""
        if self.enabled and self._drawn:
            try:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
            except (OSError, ValueError):
                pass
        self.enabled = False
        self._drawn = False

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if now - self.started < DELAY or (not force and now - self._last_draw < _REDRAW):
            return
        self._last_draw = now
        done = min(self.done, self.total) if self.total else self.done
        if self.total:
            filled = int(_WIDTH * done / self.total)
            bar = "#" * filled + "-" * (_WIDTH - filled)
            counts = f"[{bar}] {done}/{self.total} files parsed"
        else:
            counts = f"{done} files parsed"
        line = f"\raks-backup-lint: {counts} - {self.stage_name} ({now - self.started:.0f}s)"
        try:
            self.stream.write("\x1b[2K" + line)
            self.stream.flush()
            self._drawn = True
        except (OSError, ValueError):
            self.enabled = False


_current = Progress()


def current() -> Progress:
    return _current


def enable_if_tty(quiet: bool, stream: TextIO | None = None) -> bool:
    """Enable progress when ``stream`` (stderr) is a terminal and the user did not ask for quiet."""
    stream = stream or sys.stderr
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    if quiet or not tty:
        _current.enabled = False
        return False
    _current.enable(stream)
    return True


def advance(n: int = 1) -> None:
    _current.advance(n)


def stage(name: str) -> None:
    _current.stage(name)


def set_total(total: int) -> None:
    _current.set_total(total)


def reached(done: int) -> None:
    _current.reached(done)


def finish() -> None:
    _current.finish()


__all__ = [
    "Progress",
    "current",
    "enable_if_tty",
    "advance",
    "stage",
    "set_total",
    "reached",
    "finish",
    "DELAY",
]
