"""How long this process has been running: the time a user waited for the whole run.

Why: the summary's "in 1.23s" is read as the cost of the command, so it must count everything
the command did (interpreter start, imports, reading the config and the rules, the scan,
rendering), not only the engine's part. On Linux the kernel knows when the process started; on
other systems the clock starts when the ``linter`` package is first imported, the earliest point
this tool's own code runs.
"""

from __future__ import annotations

import os
import time

_FIRST_IMPORT = time.perf_counter()


def seconds_since_start() -> float:
    """Wall-clock seconds since the process started (or since ``linter`` was first imported)."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            started_ticks = int(fh.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
        elapsed = uptime - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _FIRST_IMPORT
    return max(elapsed, time.perf_counter() - _FIRST_IMPORT)


__all__ = ["seconds_since_start"]
