"""Parse cache: parsed files keyed by content hash, kept in the user cache directory.

Why: parsing is most of a scan's cost, and between two runs almost nothing changes. A file's
parse result depends only on its path (spans carry it), its text, this tool's version and the
parser library's version, so those make the key; a changed file simply misses and gets a new
entry.

Entries live in the same SQLite file as the other front ends' evaluated stacks
(``linter.cachedb``), written in one transaction when the front end is done: writing a file per
entry made the first, cache-filling scan of the Terraform corpus half again as slow as
``--no-cache``. Safety:

* Concurrent runs: a transaction is seen whole or not at all. A damaged or foreign entry is a
  miss, never an error.
* Bounded size: ``linter.cachedb`` drops the least recently used entries past its limits.
* Nothing from a scanned repository is ever unpickled: entries are written only by this tool into
  the user's own cache directory, and the unpickler accepts only this tool's classes
  (``linter.safepickle``).
* ``--no-cache`` (or ``AKS_BACKUP_LINT_NO_CACHE=1``) turns it off for a run.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from linter.cachedb import CacheDB, database_path
from linter.safepickle import SafeUnpickler

#: bump when the pickled shape of any cached class changes
FORMAT = 3  # 2: Terraform entries in chunks of items; 3: entries in the SQLite file


_run_enabled = True


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
    """One namespace (``terraform``...) of parse results, stored in the cache database of ``root``.

    New entries are kept until ``save``, which the front end calls when it is done.
    """

    def __init__(self, namespace: str, salt: str, root: Path | None = None, enabled: bool = True) -> None:
        self.namespace = namespace
        self.salt = salt  # tool and parser versions: a new version never reads old entries
        self._enabled = enabled and _enabled_by_env()
        self._root = root
        self._db: CacheDB | None = None
        self._db_env: tuple[str | None, str | None] = (None, None)
        self.hits = 0
        self.misses = 0
        self.writes = 0

    @property
    def enabled(self) -> bool:
        return self._enabled and _run_enabled

    @property
    def db(self) -> CacheDB:
        """The database, re-opened when the cache location settings change (tests, long-lived processes)."""
        where = (os.environ.get("AKS_BACKUP_LINT_CACHE_DIR"), os.environ.get("XDG_CACHE_HOME"))
        if self._db is None or where != self._db_env:
            if self._db is not None:
                self._db.save()
            self._db = CacheDB(database_path(self._root))
            self._db_env = where
        return self._db

    def key(self, path: Path, text: str) -> str:
        """Content hash of the text, salted with the path (spans carry it) and the versions."""
        h = hashlib.blake2b(digest_size=20)
        h.update(f"{FORMAT}|{self.salt}".encode())
        h.update(b"\0")
        h.update(str(path).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def _stored_as(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    def get_items(self, key: str) -> list[Any] | None:
        """A value stored with ``put_items``, or None on a miss (including a damaged or foreign entry)."""
        if not self.enabled:
            return None
        if (self.namespace, key) in _memory:
            _memory.move_to_end((self.namespace, key))
            self.hits += 1
            return _memory[(self.namespace, key)]
        data = self.db.get_bytes(self._stored_as(key))
        try:
            items = None if data is None else unpickle_items(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - a damaged entry must never break a scan
            items = None
        if items is None:
            self.misses += 1
            return None
        self.hits += 1
        _remember(self.namespace, key, items)
        return items

    def put_items(self, key: str, items: Sequence[Any]) -> None:
        """Keep a sequence, pickled as ``pickle_items`` does, for ``save``."""
        if not self.enabled:
            return
        _remember(self.namespace, key, list(items))
        try:
            data = pickle_items(items)
        except Exception:  # noqa: BLE001 - an unpicklable value is simply not cached
            return
        self.put_bytes(key, data)

    def put_bytes(self, key: str, data: bytes) -> None:
        """Keep an already pickled value for ``save`` (parse workers pickle once and send the bytes)."""
        if not self.enabled:
            return
        self.db.put_bytes(self._stored_as(key), data)
        self.writes += 1

    def save(self) -> None:
        """Write the new entries in one transaction (a read-only or full disk: simply not cached).

        The next run opens the database afresh: a run that could not use it does not stop a
        long-lived process (the language server) from caching later.
        """
        if self._db is not None:
            self._db.save()
            self._db = None


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
    header = SafeUnpickler(fh).load()
    if type(header) is not tuple or len(header) != 2 or header[0] != _CHUNKED or type(header[1]) is not int:
        raise pickle.UnpicklingError("not an entry of items")
    items: list[Any] = []
    for _ in range(header[1]):
        chunk = SafeUnpickler(fh).load()
        if type(chunk) is not list:
            raise pickle.UnpicklingError("not an entry of items")
        items.extend(chunk)
    return items


def remove_old_layouts(root: Path | None = None) -> None:
    """Delete the parse cache directories of earlier versions (a file per entry under ``parse-v*``)."""
    if not _run_enabled or not _enabled_by_env():
        return
    from linter.cachedir import cache_dir

    base = root or cache_dir()
    for old in ("parse-v1", "parse-v2"):
        if (base / old).is_dir():
            shutil.rmtree(base / old, ignore_errors=True)


__all__ = [
    "ParseCache",
    "pickle_items",
    "unpickle_items",
    "set_enabled",
    "run_enabled",
    "remove_old_layouts",
    "register_dataclass_pickling",
    "source_fingerprint",
    "module_file",
    "dist_versions",
    "FORMAT",
]
