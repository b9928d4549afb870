"""Cache entries kept in one SQLite file, written one transaction per front end.

Why not a file per entry, as the Terraform parse cache does (``linter.cache.ParseCache``): a scan
of the shared corpus has thousands of units (ARM directories, Bicep files, manifest sets), and
creating a file cost between 0.07 and 1 ms on the shared machine (measured while others ran their
tests), which alone made the first, cache-filling run seconds slower than ``--no-cache``. Here
entries are collected in memory and written in one transaction when the front end is done.

Safety, as for the parse cache:

* Atomic: a reader sees a transaction whole or not at all; concurrent runs take turns to write
  (write-ahead log, a busy timeout), and a run that cannot get the database simply does not
  cache. Any error reading the database, or an entry that does not unpickle, is a miss.
* A damaged database file is deleted, so the next run starts a fresh one.
* Bounded: after a write, when the live data passes ``MAX_BYTES`` or ``MAX_ENTRIES``, the least
  recently used quarter of the entries goes (a hit refreshes an entry's time at most once a day).
* Nothing from a scanned repository is unpickled: entries are written only by this tool, into
  the user's cache directory, and read with the parse cache's restricted unpickler.
"""

from __future__ import annotations

import contextlib
import pickle
import sqlite3
import time
from pathlib import Path
from typing import Any

from linter.safepickle import safe_loads

#: bump when the table's layout changes (the file name carries it, so versions never mix)
FORMAT = 1
MAX_BYTES = 256 * 1024 * 1024
MAX_ENTRIES = 100_000
_TOUCH_AFTER = 24 * 3600
_BUSY_TIMEOUT = 5.0


def database_path(root: Path | None = None) -> Path:
    """Where the entries live: in ``root``, by default the user cache directory (``linter.cachedir``)."""
    from linter.cachedir import cache_dir

    return (root or cache_dir()) / f"entries-v{FORMAT}.sqlite3"


class CacheDB:
    """Get entries now; ``put`` collects new ones for ``save``, which writes them in one transaction."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or database_path()
        self._db: sqlite3.Connection | None = None
        self._failed = False
        self._pending: dict[str, bytes] = {}
        self._touched: list[str] = []

    def get(self, key: str) -> Any | None:
        """The entry's value, or None (no entry, a damaged entry, or no usable database)."""
        data = self.get_bytes(key)
        return None if data is None else _loads(data)

    def get_bytes(self, key: str) -> bytes | None:
        """The entry as stored (pickled), or None; the caller unpickles it (``linter.safepickle``)."""
        if key in self._pending:
            return self._pending[key]
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT value, used FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as e:
            self._fail(e)
            return None
        if row is None or not isinstance(row[0], bytes):
            return None
        if time.time() - row[1] > _TOUCH_AFTER:
            self._touched.append(key)
        return row[0]

    def put(self, key: str, value: Any) -> None:
        """Pickle ``value`` now (later changes to it are not stored) and keep it for ``save``."""
        try:
            self.put_bytes(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # noqa: BLE001 - an unpicklable value is simply not cached
            return

    def put_bytes(self, key: str, data: bytes) -> None:
        """Keep an already pickled value for ``save`` (parse workers send pickled results)."""
        self._pending[key] = data

    def save(self) -> None:
        """Write the collected entries and refreshed times in one transaction; prune; close."""
        try:
            if not self._pending and not self._touched:
                return
            db = self._connect()
            if db is None:
                return
            now = int(time.time())
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT OR REPLACE INTO entries (key, value, used) VALUES (?, ?, ?)",
                    [(key, data, now) for key, data in self._pending.items()],
                )
                db.executemany("UPDATE entries SET used = ? WHERE key = ?", [(now, k) for k in self._touched])
                db.execute("COMMIT")
                self._prune(db)
            except sqlite3.Error as e:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                self._fail(e)
        finally:
            self._pending.clear()
            self._touched.clear()
            self.close()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and not self._failed:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                self._failed = True  # no cache directory: nothing is cached this run
                return None
            try:
                db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # a cache may lose its last write on power loss
                db.execute(
                    "CREATE TABLE IF NOT EXISTS entries"
                    " (key TEXT PRIMARY KEY, value BLOB NOT NULL, used INTEGER NOT NULL)"
                )
                db.execute("CREATE INDEX IF NOT EXISTS entries_used ON entries (used)")
            except sqlite3.Error as e:
                self._fail(e)
                return None
            self._db = db
        return self._db

    def _prune(self, db: sqlite3.Connection) -> None:
        """Drop the least recently used quarter when the live data is over a limit."""
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = (
            db.execute("PRAGMA page_count").fetchone()[0] - db.execute("PRAGMA freelist_count").fetchone()[0]
        )
        count = db.execute("SELECT count(*) FROM entries").fetchone()[0]
        if pages * page_size <= MAX_BYTES and count <= MAX_ENTRIES:
            return
        db.execute(
            "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY used LIMIT ?)",
            (max(1, count // 4),),
        )

    def _fail(self, error: sqlite3.Error) -> None:
        """No cache for the rest of this run; a damaged database file is removed for the next one."""
        self._failed = True
        self.close()
        damaged = isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError)
        if damaged:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(f"{self.path}{suffix}").unlink()


def _loads(data: bytes) -> Any | None:
    try:
        return safe_loads(data)
    except Exception:  # noqa: BLE001 - a damaged entry is a miss, never an error
        return None


__all__ = ["CacheDB", "FORMAT", "MAX_BYTES", "MAX_ENTRIES", "database_path"]
