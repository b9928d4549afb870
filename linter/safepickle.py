"""Unpickling cache entries that may only hold this tool's own classes.

Why: the caches (``linter.cache``, ``linter.cachedb``) store pickles in the user's cache
directory. Nothing from a scanned repository is ever unpickled, but a cache directory could be
shared or tampered with; an entry naming any class outside this tool's modules and plain
containers is refused, and the caller treats it as a miss.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

#: modules whose classes a cache entry may contain
_ALLOWED_MODULES = ("linter.", "pathlib", "builtins", "copyreg", "collections")
_ALLOWED_BUILTINS = {"frozenset", "set", "tuple", "list", "dict", "complex", "bytes", "bytearray", "slice"}

#: (module, name) -> class, of classes ``SafeUnpickler`` allowed: a warm scan asks for the same
#: few dozen classes tens of thousands of times
_allowed_classes: dict[tuple[str, str], Any] = {}


class SafeUnpickler(pickle.Unpickler):
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


def safe_loads(data: bytes) -> Any:
    """Unpickle a cache entry, accepting only the classes ``SafeUnpickler`` allows."""
    return SafeUnpickler(io.BytesIO(data)).load()


__all__ = ["SafeUnpickler", "safe_loads"]
