"""Parse cache: parsed files keyed by content hash, kept in the user cache directory.

Why: parsing is most of a scan's cost (python-hcl2 reads about 0.3 MB/s), and between two runs
almost nothing changes. A file's parse result depends only on its path (spans carry it), its
text, this tool's version and the parser library's version, so those make the key; a changed
file simply misses and gets a new entry.

Safety:

* Concurrent runs: an entry is written to a temporary file in the same directory and moved into
  place with ``os.replace``, so a reader sees either no entry or a whole one. A corrupt or
  unreadable entry is a miss, never an error.
* Bounded size: after a run that wrote entries, the oldest entries (by modification time, which a
  hit refreshes at most once a day) are removed until the cache is under its limits.
* Nothing from a scanned repository is ever unpickled: entries are written only by this tool into
  the user's own cache directory, and the unpickler accepts only this tool's syntax-tree classes.
* ``--no-cache`` (or ``AKS_BACKUP_LINT_NO_CACHE=1``) turns it off for a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: bump when the pickled shape of any cached class changes
FORMAT = 2  # 2: Terraform entries in chunks of items
MAX_ENTRIES = 50_000
MAX_BYTES = 512 * 1024 * 1024
_TOUCH_AFTER = 24 * 3600  # refresh a hit's mtime at most once a day (LRU-ish, few syscalls)

#: modules whose classes a cache entry may contain
_ALLOWED_MODULES = ("linter.", "pathlib", "builtins", "copyreg", "collections")
_ALLOWED_BUILTINS = {"frozenset", "set", "tuple", "list", "dict", "complex", "bytes", "bytearray", "slice"}


class _SafeUnpickler(pickle.Unpickler):
    """Only our own dataclasses and plain containers; anything else means the entry is not ours."""

    def find_class(self, module: str, name: str) -> Any:
        found = _allowed_classes.get((module, name))
        if found is not None:
            return found
        if module == "builtins" and name not in _ALLOWED_BUILTINS:
            raise pickle.UnpicklingError(f"{module}.{name} not allowed in a cache entry")
        if not module.startswith(_ALLOWED_MODULES) and module not in _ALLOWED_MODULES:
            raise pickle.UnpicklingError(f"{module}.{name} not allowed in a cache entry")
        found = _allowed_classes[(module, name)] = super().find_class(module, name)
        return found


#: (module, name) -> class, of classes ``_SafeUnpickler`` allowed: a warm scan asks for the same
#: few dozen classes tens of thousands of times
_allowed_classes: dict[tuple[str, str], Any] = {}


def safe_loads(data: bytes) -> Any:
    """Unpickle a cache entry, accepting only the classes ``_SafeUnpickler`` allows."""
    return _SafeUnpickler(io.BytesIO(data)).load()


_run_enabled = True
_writes_this_process = 0
#: on average one full pruning scan per this many new entries (a scan stats every entry)
PRUNE_EVERY = 500


def set_enabled(flag: bool) -> None:
    """Turn every parse cache of this process on or off (the engine calls it per run: --no-cache)."""
    global _run_enabled
    _run_enabled = flag


def run_enabled() -> bool:
    """Whether this run may use caches at all (``--no-cache``, ``AKS_BACKUP_LINT_NO_CACHE``)."""
    return _run_enabled and _enabled_by_env()


def _enabled_by_env() -> bool:
    return os.environ.get("AKS_BACKUP_LINT_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def source_fingerprint(*files: str | Path | None) -> str:
    """A short hash of source files (our converters, the parser's version file).

    Why: during development the tool version does not change while the code that builds the
    cached trees does; hashing that code keeps a stale entry from ever being read.
    """
    h = hashlib.blake2b(digest_size=8)
    for f in files:
        if f is None:
            continue
        try:
            h.update(Path(f).read_bytes())
        except OSError:
            h.update(str(f).encode())
    return h.hexdigest()


def module_file(name: str, relative: str = "") -> Path | None:
    """A file of an installed package, found without importing the package (imports are slow)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin)
    return origin.parent / relative if relative else origin


def dist_versions(distributions: dict[str, str]) -> str:
    """Installed versions (module name -> distribution name), read from ``.dist-info`` directory
    names beside the module, without importing it.

    Why: a parser's compiled grammar (tree-sitter-hcl) changes with its version and has no source
    file worth hashing; ``importlib.metadata`` costs more than the warm scans this key serves.
    """
    out = []
    for module, distribution in distributions.items():
        origin = module_file(module)
        found: list[str] = []
        if origin is not None:
            site = origin.parent.parent if origin.name == "__init__.py" else origin.parent
            found = sorted(p.name for p in site.glob(f"{distribution}-*.dist-info"))
        out.append(f"{module}={','.join(found) or '?'}")
    return ";".join(out)


#: (namespace, key) -> value: parse results a long-lived process keeps in memory too
_memory: OrderedDict[tuple[str, str], Any] = OrderedDict()
_memory_limit = 0
_memory_namespaces: frozenset[str] = frozenset()


def keep_in_memory(limit: int, namespaces: tuple[str, ...]) -> None:
    """Keep up to ``limit`` results of ``namespaces`` in this process as well as on disk.

    Why: the language server re-evaluates a stack after every edit; unpickling its unchanged
    files again is most of that time. Only namespaces whose results nothing mutates may be
    shared between runs (Terraform's syntax trees). ``limit`` 0 turns it off; the command line
    never turns it on.
    """
    global _memory_limit, _memory_namespaces
    _memory_limit, _memory_namespaces = limit, frozenset(namespaces)
    _memory.clear()


def _remember(namespace: str, key: str, value: Any) -> None:
    if _memory_limit and namespace in _memory_namespaces:
        _memory[(namespace, key)] = value
        _memory.move_to_end((namespace, key))
        while len(_memory) > _memory_limit:
            _memory.popitem(last=False)


class ParseCache:
    """One namespace (``terraform``, ``yaml``...) of parse results in ``root``."""

    def __init__(self, namespace: str, salt: str, root: Path | None = None, enabled: bool = True) -> None:
        self.namespace = namespace
        self.salt = salt  # tool and parser versions: a new version never reads old entries
        self._enabled = enabled and _enabled_by_env()
        self._root = root
        self._dir: Path | None = None
        self._dir_env: tuple[str | None, str | None] = (None, None)
        self.hits = 0
        self.misses = 0
        self.writes = 0

    @property
    def enabled(self) -> bool:
        return self._enabled and _run_enabled

    @property
    def directory(self) -> Path:
        # Re-resolved when the cache location settings change (tests, long-lived processes).
        where = (os.environ.get("AKS_BACKUP_LINT_CACHE_DIR"), os.environ.get("XDG_CACHE_HOME"))
        if self._dir is None or where != self._dir_env:
            from linter.cachedir import cache_dir

            root = self._root or cache_dir()
            self._dir = root / f"parse-v{FORMAT}" / self.namespace
            self._dir_env = where
        return self._dir

    def key(self, path: Path, text: str) -> str:
        """Content hash of the text, salted with the path (spans carry it) and the versions."""
        h = hashlib.blake2b(digest_size=20)
        h.update(self.salt.encode())
        h.update(b"\0")
        h.update(str(path).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.directory / key[:2] / key[2:]

    def get(self, key: str) -> Any | None:
        """The cached value, or None on a miss (including a corrupt or foreign entry)."""
        return self._read(key, lambda fh: _SafeUnpickler(io.BytesIO(fh.read())).load())

    def get_items(self, key: str) -> list[Any] | None:
        """A value stored with ``put_items``, or None on a miss."""
        return self._read(key, unpickle_items)

    def _read(self, key: str, load: Callable[[Any], Any]) -> Any | None:
        if not self.enabled:
            return None
        if (self.namespace, key) in _memory:
            _memory.move_to_end((self.namespace, key))
            self.hits += 1
            return _memory[(self.namespace, key)]
        entry = self._entry(key)
        try:
            with entry.open("rb") as fh:
                mtime = os.fstat(fh.fileno()).st_mtime
                value = load(fh)
        except (
            OSError,
            EOFError,
            pickle.UnpicklingError,
            AttributeError,
            ImportError,
            ValueError,
            TypeError,
        ):
            self.misses += 1
            return None
        except Exception:  # noqa: BLE001 - a damaged entry must never break a scan
            self.misses += 1
            return None
        self.hits += 1
        _remember(self.namespace, key, value)
        now = time.time()
        if now - mtime > _TOUCH_AFTER:
            with contextlib.suppress(OSError):
                os.utime(entry, (now, now))
        return value

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` atomically; failures (read-only disk, full disk) are silently ignored."""
        if not self.enabled:
            return
        _remember(self.namespace, key, value)
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an unpicklable value is simply not cached
            return
        self.put_bytes(key, data)

    def put_items(self, key: str, items: Sequence[Any]) -> None:
        """Store a sequence as ``pickle_items`` does, streamed to the file (no copy in memory)."""
        if not self.enabled:
            return
        _remember(self.namespace, key, list(items))
        self._write(key, lambda fh: write_items(fh, items))

    def put_bytes(self, key: str, data: bytes) -> None:
        """Store an already pickled value (parallel workers pickle once and send the same bytes)."""
        self._write(key, lambda fh: fh.write(data))

    def _write(self, key: str, dump: Callable[[Any], Any]) -> None:
        """Write an entry through a temporary file moved into place: readers see all of it or none."""
        if not self.enabled:
            return
        entry = self._entry(key)
        tmp = None
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            import tempfile  # only a run that writes the cache needs it (``--no-cache`` never does)

            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=entry.parent)
            with os.fdopen(fd, "wb") as fh:
                dump(fh)
            os.replace(tmp, entry)
            tmp = None
            self.writes += 1
            global _writes_this_process
            _writes_this_process += 1
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass  # a read-only or full disk, or an unpicklable value: simply not cached
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def prune(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> int:
        """Remove the least recently used entries until under both limits; returns how many."""
        if not self.enabled:
            return 0
        base = self.directory.parent  # all namespaces share the limits
        entries: list[tuple[float, int, str]] = []
        try:
            for ns in os.scandir(base):
                if not ns.is_dir(follow_symlinks=False):
                    continue
                for sub in os.scandir(ns.path):
                    if not sub.is_dir(follow_symlinks=False):
                        continue
                    for f in os.scandir(sub.path):
                        try:
                            st = f.stat(follow_symlinks=False)
                        except OSError:
                            continue
                        if f.name.startswith(".tmp-") and time.time() - st.st_mtime < 3600:
                            continue  # another run is writing it
                        entries.append((st.st_mtime, st.st_size, f.path))
        except OSError:
            return 0
        total = sum(size for _, size, _ in entries)
        if len(entries) <= max_entries and total <= max_bytes:
            return 0
        entries.sort()
        removed = 0
        target_n, target_b = int(max_entries * 0.8), int(max_bytes * 0.8)
        n = len(entries)
        for _, size, path in entries:
            if n <= target_n and total <= target_b:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            n -= 1
            total -= size
            removed += 1
        return removed


def register_dataclass_pickling(classes: list[type]) -> None:
    """Pickle these dataclasses as ``cls(*fields)`` instead of their generated ``__setstate__``.

    Why: for ``slots=True`` dataclasses Python generates a ``__setstate__`` that calls
    ``dataclasses.fields()`` for every object, which made unpickling a warm cache three times
    slower than it needs to be. Calling the constructor builds the same object (every field is an
    ``__init__`` argument; a class where one is not keeps the default). Registration goes through
    ``copyreg``, so the classes' own modules stay untouched.
    """
    import copyreg
    import dataclasses
    import operator

    for cls in classes:  # copyreg applies to instances of exactly ``cls``, not of subclasses
        if not dataclasses.is_dataclass(cls) or cls in copyreg.dispatch_table:
            continue
        fields = dataclasses.fields(cls)
        if not all(f.init for f in fields) or len(fields) < 2:
            continue
        values = operator.attrgetter(*(f.name for f in fields))  # a tuple, built in C

        def reduce(
            obj: Any, cls: type = cls, values: Callable[[Any], tuple[Any, ...]] = values
        ) -> tuple[Any, ...]:
            return cls, values(obj)

        copyreg.pickle(cls, reduce)


#: items pickled together in one chunk of an entry (``write_items``)
CHUNK = 64
_CHUNKED = "chunks"


def write_items(fh: Any, items: Sequence[Any]) -> None:
    """A header, then the items pickled in chunks of ``CHUNK`` (see ``pickle_items``)."""
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    pickle.dump((_CHUNKED, len(chunks)), fh, protocol=pickle.HIGHEST_PROTOCOL)
    for chunk in chunks:
        pickle.dump(list(chunk), fh, protocol=pickle.HIGHEST_PROTOCOL)


def pickle_items(items: Sequence[Any]) -> bytes:
    """A sequence as one entry of items pickled a chunk at a time.

    Why chunks: pickling one big tree keeps a memo of every object it has written, which for a
    10 MB Terraform file took 250 MB and twice the time; the top-level blocks share nothing but
    their file name, so a few dozen are pickled together with a small memo. Why not each on its
    own: most files have a handful of blocks, and an unpickler per block cost a warm scan more
    than the blocks themselves.
    """
    out = io.BytesIO()
    write_items(out, items)
    return out.getvalue()


def unpickle_items(fh: Any) -> list[Any]:
    """The items of an entry written by ``write_items`` (only this tool's classes, as ``get``)."""
    header = _SafeUnpickler(fh).load()
    if type(header) is not tuple or len(header) != 2 or header[0] != _CHUNKED or type(header[1]) is not int:
        raise pickle.UnpicklingError("not an entry of items")
    items: list[Any] = []
    for _ in range(header[1]):
        chunk = _SafeUnpickler(fh).load()
        if type(chunk) is not list:
            raise pickle.UnpicklingError("not an entry of items")
        items.extend(chunk)
    return items


def note_misses(n: int) -> None:
    """Count entries written by pool workers (their counters live in other processes)."""
    global _writes_this_process
    _writes_this_process += n


def maybe_prune(root: Path | None = None) -> int:
    """Prune the cache now and then: with probability writes/PRUNE_EVERY, so the cost is amortised.

    A pre-commit run that changed one file almost never pays for the scan; a run that wrote
    thousands of entries always does.
    """
    global _writes_this_process
    import random

    writes, _writes_this_process = _writes_this_process, 0
    if not writes or not _run_enabled or not _enabled_by_env():
        return 0
    if writes < PRUNE_EVERY and random.random() >= writes / PRUNE_EVERY:
        return 0
    return ParseCache("terraform", "", root=root).prune()


def cached(cache: ParseCache | None, key: str, compute: Callable[[], Any]) -> Any:
    """``cache.get(key)`` or ``compute()`` stored under ``key``."""
    if cache is None or not cache.enabled:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.put(key, value)
    return value


__all__ = [
    "ParseCache",
    "cached",
    "safe_loads",
    "pickle_items",
    "unpickle_items",
    "set_enabled",
    "run_enabled",
    "maybe_prune",
    "note_misses",
    "register_dataclass_pickling",
    "source_fingerprint",
    "module_file",
    "dist_versions",
    "FORMAT",
    "MAX_ENTRIES",
    "MAX_BYTES",
]
