"""Parse many files on several cores; results come back in input order, identical to serial.

Why: parsing is CPU-bound pure Python (python-hcl2/Lark), so threads do not help and a process
pool does. Starting a pool costs tens of milliseconds, so it is used only when there are many
files (``MIN_FILES``) and more than one CPU; a pre-commit run on a few files stays serial.

Workers are forked on Linux so they inherit the already imported parser (and its grammar) from
the parent; elsewhere the platform default start method is used. Any failure of the pool itself
(no ``/dev/shm``, a sandbox without fork, a worker killed) falls back to serial work, so the
result never depends on whether the pool ran.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: below this many files a pool costs more than it saves
MIN_FILES = 50
_jobs_override: int | None = None


def set_jobs(jobs: int | None) -> None:
    """Number of worker processes for this process's runs (None: one per usable CPU; 1: serial)."""
    global _jobs_override
    _jobs_override = jobs


def usable_cpus() -> int:
    """CPUs this process may run on (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def jobs_for(n_items: int) -> int:
    """How many workers ``n_items`` files deserve: 1 (serial) unless there are many."""
    env = os.environ.get("AKS_BACKUP_LINT_JOBS", "").strip()
    wanted = _jobs_override
    if wanted is None and env.isdigit():
        wanted = int(env)
    cpus = usable_cpus() if wanted is None or wanted <= 0 else wanted
    if cpus <= 1 or n_items < MIN_FILES:
        return 1
    return min(cpus, max(1, n_items // 8))


def _context() -> Any:
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


@contextlib.contextmanager
def gc_paused(*, freeze: bool = True) -> Iterator[None]:
    """The cyclic GC off while many small objects are built or unpickled.

    Building or unpickling many small acyclic objects (syntax trees, templates) that live to the
    end of the run triggers full GC passes over everything loaded so far. With ``freeze`` they
    are moved to the permanent generation (``gc.freeze``) afterwards, so later collections skip
    them; but so is everything else alive then, including garbage cycles not yet collected: use
    ``freeze=False`` where earlier work may have left such garbage (``linter.stackcache``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


def gc_enabled_worker() -> None:
    """Pool initializer: a worker forked while the parent's GC is paused turns it back on."""
    gc.enable()


def map_ordered(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int | None = None,
    initializer: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``map(func, items)``, in a process pool when worthwhile; yields results in input order.

    ``func`` must be a module-level function and its arguments and results picklable.
    """
    n_jobs = jobs if jobs is not None else jobs_for(len(items))
    if n_jobs <= 1:
        yield from map(func, items)
        return
    chunk = max(1, min(16, len(items) // (n_jobs * 8)))
    done = 0
    try:
        pool = _context().Pool(processes=n_jobs, initializer=initializer)
    except (OSError, ValueError, ImportError, AssertionError):  # AssertionError: inside a daemon process
        yield from map(func, items)
        return
    try:
        for result in pool.imap(func, items, chunksize=chunk):
            done += 1
            yield result
        pool.close()
    except Exception:  # noqa: BLE001 - a broken pool must not lose the scan: finish serially
        pool.terminate()
        yield from map(func, items[done:])
    else:
        pool.join()
    finally:
        pool.terminate()


__all__ = [
    "map_ordered",
    "gc_paused",
    "gc_enabled_worker",
    "jobs_for",
    "set_jobs",
    "usable_cpus",
    "MIN_FILES",
]
