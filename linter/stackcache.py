"""Front-end results cached by the files they read: warm scans of ARM, Bicep and Kubernetes.

Why: evaluating a template or a manifest set costs far more than reading its files, and between
two runs almost nothing changes. Terraform caches parse trees file by file (``linter.cache``);
for the other front ends the expensive part is evaluation, whose result depends on many files at
once (a Bicep file and its modules, a kustomization and its bases), and which files those are is
known only after evaluating. So an entry records what its computation looked at, and is used
only while all of that is unchanged:

* A **unit** is a piece of a front end's work with an identity the front end can name before
  evaluating anything: the ARM files of one directory, a Bicep entry file with its parameter
  file, the manifests of one directory, the kustomizations of the scan.
* Its entry is found by a key made of that identity, the options that change evaluation
  (``options_key``: deployment values, parameter files, excludes, the size limit, the working
  directory) and the versions of this tool (the source of the whole ``linter`` package), Python
  and the libraries the front end names.
* The entry holds the unit's **inputs** and its value. Inputs are every file the computation
  read (a digest of its bytes, or of the editor's unsaved text: an overlaid file's content is its
  content) and every question it asked of the file system (is this a file, a directory, is it
  there), with the answers.
* A hit re-observes every input (each file read and hashed at most once per run) and is used
  only if all are the same. Otherwise the unit is computed again, its inputs recorded, and stored.

Front ends read and probe files only through the unit's ``FileView``, so nothing is looked at
unrecorded. When a front end reuses something it computed from files earlier in the run (a Bicep
module linked for another entry), ``FileView.memo``/``replay`` add the inputs of that computation
to the units using it. A computation whose result depends on more than its inputs (a Bicep module
cycle, cut where the linking order happened to meet it) calls ``uncacheable`` and is not stored.

Entries are kept in one SQLite file (``linter.cachedb``): a front end's new entries are written
in one transaction when it is done, a damaged entry is a miss, the least recently used go when
it grows too big, and ``--no-cache`` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
import sys
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from linter import cache, parallel
from linter.cache import register_dataclass_pickling
from linter.cachedb import CacheDB
from linter.frontend import LoadContext
from linter.globs import PathFilter
from linter.textfile import RawFile, read_raw

#: bump when the shape of an entry changes
FORMAT = 1

CONTENT = "content"  # read as front ends read scanned files: only the head of one over the size limit
WHOLE = "whole"  # read whole whatever its size (a registry module's compiled template)
KIND = "kind"
FILE, DIRECTORY, OTHER, MISSING = "file", "directory", "other", "missing"

#: (namespace, "hit" | "miss" | "write") -> count, for this process (tests and ``--verbose`` timing)
stats: Counter[tuple[str, str]] = Counter()

T = TypeVar("T")


@dataclass(eq=False)
class Inputs:
    """What one computation looked at: (CONTENT or WHOLE, path) -> digest, (KIND, path) -> kind."""

    seen: dict[tuple[str, str], str] = field(default_factory=dict)
    cacheable: bool = True

    def add(self, other: Inputs) -> None:
        self.seen.update(other.seen)
        self.cacheable = self.cacheable and other.cacheable


def digest(raw: RawFile) -> str:
    """What identifies a file's content as a front end read it."""
    h = hashlib.sha256()
    if raw.buffer is not None:
        h.update(b"unsaved\0")
        h.update(raw.buffer.encode("utf-8", "surrogatepass"))
    elif raw.error is not None:
        h.update(b"error\0")
        h.update(raw.error.encode("utf-8", "surrogatepass"))
    else:
        h.update(b"%d\0" % raw.size)  # a head read of a file over the limit says how big it is
        h.update(raw.data or b"")
    return h.hexdigest()[:40]


class FileView:
    """The files of one front-end call as its units read them; reads and probes are recorded.

    With ``record`` off (``--no-cache``) it is a thin wrapper over the file system that hashes
    nothing and records nothing.
    """

    def __init__(self, max_bytes: int, overlay: Mapping[Path, str] | None, *, record: bool) -> None:
        self.max_bytes = max_bytes
        self.overlay = overlay
        self.record = record
        self._kinds: dict[str, str] = {}
        self._digests: dict[tuple[str, str], str] = {}
        self._active: list[Inputs] = []

    # --- what front ends call -----------------------------------------------------------------

    def read(self, path: Path, *, whole: bool = False) -> RawFile:
        """The file's bytes or unsaved buffer (``linter.textfile.read_raw``), recorded with its digest.

        Only the head of a file over the size limit is read, unless ``whole``.
        """
        raw = read_raw(path, sys.maxsize if whole else self.max_bytes, self.overlay)
        if self.record:
            key = (WHOLE if whole else CONTENT, str(path))
            self._digests[key] = found = digest(raw)
            self._note(key, found)
        return raw

    def kind(self, path: Path) -> str:
        """FILE, DIRECTORY, OTHER or MISSING (symbolic links followed, as ``Path.is_file`` does)."""
        key = str(path)
        found = self._kind(key)
        self._note((KIND, key), found)
        return found

    def is_file(self, path: Path) -> bool:
        return self.kind(path) == FILE

    def is_dir(self, path: Path) -> bool:
        return self.kind(path) == DIRECTORY

    def exists(self, path: Path) -> bool:
        return self.kind(path) != MISSING

    def uncacheable(self) -> None:
        """The computations under way depend on more than what they read: do not store them."""
        for inputs in self._active:
            inputs.cacheable = False

    # --- recording ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def recording(self) -> Iterator[Inputs]:
        """Collect what is read and probed until the block ends (into every enclosing recording too)."""
        inputs = Inputs()
        if not self.record:
            yield inputs
            return
        self._active.append(inputs)
        try:
            yield inputs
        finally:
            self._active.remove(inputs)

    @contextlib.contextmanager
    def unrecorded(self) -> Iterator[None]:
        """Work whose reads belong to no recording under way (preparing state every run prepares alike)."""
        active, self._active = self._active, []
        try:
            yield
        finally:
            self._active = active

    def replay(self, inputs: Inputs) -> None:
        """Count ``inputs`` (of a computation done earlier in this run) as read by the recordings under way."""
        for active in self._active:
            active.add(inputs)

    def memo(self, store: dict[Any, tuple[T, Inputs]], key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key`` in ``store``; every use counts the inputs it had."""
        found = store.get(key)
        if found is not None:
            self.replay(found[1])
            return found[0]
        with self.recording() as inputs:
            value = compute()
        store[key] = (value, inputs)
        return value

    def _note(self, key: tuple[str, str], value: str) -> None:
        for inputs in self._active:
            inputs.seen[key] = value

    # --- checking an entry's inputs -----------------------------------------------------------

    def unchanged(self, seen: tuple[tuple[tuple[str, str], str], ...]) -> bool:
        """Every input of a stored entry observes the same now."""
        for (what, path), then in seen:
            now = self._kind(path) if what == KIND else self._digest(what, path)
            if now != then:
                return False
        return True

    def _digest(self, what: str, path: str) -> str:
        found = self._digests.get((what, path))
        if found is None:
            limit = sys.maxsize if what == WHOLE else self.max_bytes
            found = self._digests[(what, path)] = digest(read_raw(path, limit, self.overlay))
        return found

    def _kind(self, path: str) -> str:
        found = self._kinds.get(path)
        if found is None:
            try:
                mode = os.stat(path).st_mode
            except (OSError, ValueError):
                found = MISSING
            else:
                found = FILE if stat.S_ISREG(mode) else DIRECTORY if stat.S_ISDIR(mode) else OTHER
            self._kinds[path] = found
        return found


def options_key(ctx: LoadContext) -> str | None:
    """The options that change what a front end makes of the same files; None if they cannot be named.

    Excludes decide which referenced files are read (a kustomize base); paths in messages are
    shown relative to the working directory; parameter files may be given relative to it.
    """
    if not isinstance(ctx.excluded, PathFilter):
        return None  # an exclude predicate we cannot name: never reuse results across runs
    return repr(
        (
            sorted(ctx.deployment.items()),
            sorted((str(k), str(v)) for k, v in ctx.param_files.items()),
            ctx.max_file_bytes,
            ctx.excluded.patterns,
            str(ctx.excluded.base),
            os.getcwd(),
        )
    )


@functools.lru_cache(maxsize=1)
def tool_version() -> str:
    """This tool's version, Python's, and a hash of the source of the whole ``linter`` package.

    Why the source: during development the version does not change while the evaluators do; a
    stale evaluation must never be read. Hashing about a hundred small files takes milliseconds.
    """
    from linter import __version__

    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return f"{__version__}|{sys.version.split()[0]}|{h.hexdigest()[:20]}"


def _register_pickling() -> None:
    """Results are many small dataclasses: pickle them by constructor (``linter.cache``); ``ABSENT``
    stays the one object that rules compare with ``is``."""
    import copyreg

    from linter.graph import Resource
    from linter.model import ABSENT, Known, RelatedLocation, Span, Unknown

    register_dataclass_pickling([Span, Known, Unknown, RelatedLocation, Resource])
    copyreg.pickle(type(ABSENT), lambda value: "ABSENT")


class StackCache:
    """The units of one front-end call (``namespace``), evaluated or read back from the cache.

    ``save`` writes what this call computed; a front end calls it when it is done.
    """

    def __init__(self, namespace: str, ctx: LoadContext, versions: str = "") -> None:
        self.namespace = namespace
        options = options_key(ctx)
        self.enabled = options is not None and cache.run_enabled()
        self.db = CacheDB() if self.enabled else None
        self.view = FileView(ctx.max_file_bytes, ctx.overlay, record=self.enabled)
        self._prefix = b""
        if self.enabled:
            _register_pickling()
            self._prefix = f"{FORMAT}|{tool_version()}|{versions}|{namespace}|{options}".encode(
                "utf-8", "surrogatepass"
            )

    def evaluate(
        self, identity: tuple[str, ...], compute: Callable[[], T], *, order_fixed: bool = False
    ) -> T:
        """The value of the unit named ``identity``: from a valid entry, or computed and stored.

        ``order_fixed``: the unit does all its work itself, in an order its identity fixes, so it
        is stored even when something in it depended on that order (``FileView.uncacheable``).
        """
        if self.db is None:
            return compute()
        key = self._key(identity)
        # unpickling thousands of small objects; not frozen: earlier uncached evaluations may have
        # left garbage cycles that freezing would keep alive (270 MB on the ARM corpus)
        with parallel.gc_paused(freeze=False):
            entry = self.db.get(key)
        if (
            isinstance(entry, tuple)
            and len(entry) == 3
            and entry[0] == identity
            and self.view.unchanged(entry[1])
        ):
            stats[(self.namespace, "hit")] += 1
            self.view.replay(Inputs(dict(entry[1])))
            return entry[2]
        stats[(self.namespace, "miss")] += 1
        with self.view.recording() as inputs:
            value = compute()
        if inputs.cacheable or order_fixed:
            self.db.put(key, (identity, tuple(inputs.seen.items()), value))
            stats[(self.namespace, "write")] += 1
        return value

    def save(self) -> None:
        """Write the entries of this call (one transaction)."""
        if self.db is not None:
            self.db.save()

    def _key(self, identity: tuple[str, ...]) -> str:
        h = hashlib.sha256(self._prefix)
        for part in identity:
            h.update(b"\0")
            h.update(part.encode("utf-8", "surrogatepass"))
        return h.hexdigest()[:40]


__all__ = [
    "CONTENT",
    "KIND",
    "WHOLE",
    "FileView",
    "Inputs",
    "StackCache",
    "digest",
    "options_key",
    "stats",
    "tool_version",
]
