"""Reading a scanned file as text, safely: size limit, binary detection, byte order marks, encodings.

What is read: UTF-8 with or without a byte order mark, and UTF-16 (little or big endian) with a
byte order mark, which Windows editors and PowerShell's ``Out-File`` write. Anything else is a
``ReadProblem`` that names the encoding when it can be recognised (UTF-32, UTF-16 without a
mark) so the user knows what to convert; nothing is guessed from a code page.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: longest mark first: the UTF-32 LE mark starts with the UTF-16 LE one
_UNSUPPORTED_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
)
_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class ReadProblem:
    message: str
    line: int = 1


def _utf16_without_mark(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when ``data`` looks like ASCII text in UTF-16 (every other byte NUL)."""
    head = data[:_SNIFF_BYTES]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str | None, ReadProblem | None]:
    """The text of ``data`` (line endings kept), or the problem that prevents reading it."""
    for mark, _, name in _UNSUPPORTED_MARKS:
        if data.startswith(mark):
            return None, ReadProblem(f"file is encoded as {name} (byte order mark); save it as UTF-8")
    for mark, codec, name in _MARKS:
        if data.startswith(mark):
            try:
                return data.decode(codec), None
            except UnicodeDecodeError as e:
                line = data[: e.start].decode(codec, "replace").count("\n") + 1
                return None, ReadProblem(f"not valid {name} (byte {e.start}): {e.reason}", line)
    if b"\x00" in data[:_SNIFF_BYTES]:
        if _utf16_without_mark(data):
            return None, ReadProblem(
                "file looks like UTF-16 without a byte order mark; save it as UTF-8 (or UTF-16 with a mark)"
            )
        return None, ReadProblem("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, ReadProblem(f"not valid UTF-8 (byte {e.start}): {e.reason}", line)


def sniff(data: bytes) -> str:
    """Best-effort text of ``data`` for content detection (never fails, never used as the file's text)."""
    for mark, codec, _ in (*_UNSUPPORTED_MARKS, *_MARKS):
        if data.startswith(mark):
            return data.decode(codec, "replace")
    codec = _utf16_without_mark(data) if b"\x00" in data[:_SNIFF_BYTES] else None
    return data.decode(codec or "utf-8", "replace")


def unsaved(overlay: Mapping[Path, str] | None, path: Path) -> str | None:
    """The text an editor holds for ``path`` (an unsaved buffer), if ``overlay`` has it.

    ``overlay`` is keyed by resolved path (``LoadContext.overlay``); it is empty outside the
    language server, so this costs nothing on the command line.
    """
    if not overlay:
        return None
    found = overlay.get(path)
    return found if found is not None else overlay.get(path.resolve())


#: what is kept of a file over the size limit: enough to tell what kind of file it is
HEAD_BYTES = 65536


@dataclass(frozen=True)
class RawFile:
    """A file as read, before decoding: its bytes, or the editor's unsaved text, or why it failed.

    Why separate from decoding: the stack cache (``linter.stackcache``) keys on exactly what a
    front end read, so reading happens once and both the key and the text come from it.
    """

    data: bytes | None = None  # the bytes; only the first HEAD_BYTES of a file over the limit
    size: int = 0
    buffer: str | None = None  # an editor's unsaved text (overlay), read instead of the file
    error: str | None = None  # why the file could not be read


def read_raw(path: Path | str, max_bytes: int, overlay: Mapping[Path, str] | None = None) -> RawFile:
    """The file's bytes (or its unsaved buffer), reading only the head of a file over ``max_bytes``.

    ``path`` may be a string: a warm scan re-reads thousands of files by the names its cache
    recorded, and building a ``Path`` for each cost more than reading them.
    """
    buffer = unsaved(overlay, Path(path)) if overlay else None
    if buffer is not None:
        return RawFile(buffer=buffer, size=len(buffer))
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(HEAD_BYTES if size > max_bytes else -1)
    except OSError as e:
        return RawFile(error=f"cannot read file: {e.strerror or e}")
    return RawFile(data=data, size=size)


def text_of(raw: RawFile, max_bytes: int, *, utf8_only: str = "") -> tuple[str | None, ReadProblem | None]:
    """The text of a file read by ``read_raw`` (see ``read_text``)."""
    if raw.buffer is not None:
        return raw.buffer.replace("\r\n", "\n"), None
    if raw.error is not None:
        return None, ReadProblem(raw.error)
    if raw.size > max_bytes:
        return None, ReadProblem(too_large(raw.size, max_bytes))
    data = raw.data or b""
    if utf8_only:
        for mark, _, name in (*_UNSUPPORTED_MARKS, *_MARKS[1:]):
            if data.startswith(mark):
                return None, ReadProblem(
                    f"file is encoded as {name}; {utf8_only} reads only UTF-8: save it as UTF-8"
                )
    text, problem = decode(data)
    if text is None:
        return None, problem
    return text.replace("\r\n", "\n"), None


def read_text(
    path: Path, max_bytes: int, overlay: Mapping[Path, str] | None = None, *, utf8_only: str = ""
) -> tuple[str | None, ReadProblem | None]:
    """The file's text with ``\\r\\n`` line endings as ``\\n``, or a problem that explains why it could not be read.

    A text in ``overlay`` (the editor's unsaved buffer) stands in for the file on disk.
    ``utf8_only`` names a tool that reads only UTF-8 (Terraform): a UTF-16 file is then a problem
    for that tool, not text to lint.
    """
    return text_of(read_raw(path, max_bytes, overlay), max_bytes, utf8_only=utf8_only)


def too_large(size: int, max_bytes: int) -> str:
    """The one wording of ``--max-file-size`` skips, whatever the file type."""
    return f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (--max-file-size); skipped"
