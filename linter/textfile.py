"""Reading a scanned file as text, safely: size limit, binary detection, byte order marks, encodings.

What is read: UTF-8 with or without a byte order mark, and UTF-16 (little or big endian) with a
byte order mark, which Windows editors and PowerShell's ``Out-File`` write. Anything else is a
``ReadProblem`` that names the encoding when it can be recognised (UTF-32, UTF-16 without a
mark) so the user knows what to convert; nothing is guessed from a code page.
"""

from __future__ import annotations

import codecs
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


def read_text(
    path: Path, max_bytes: int, overlay: Mapping[Path, str] | None = None, *, utf8_only: str = ""
) -> tuple[str | None, ReadProblem | None]:
    """The file's text with ``\\r\\n`` line endings as ``\\n``, or a problem that explains why it could not be read.

    A text in ``overlay`` (the editor's unsaved buffer) stands in for the file on disk.
    ``utf8_only`` names a tool that reads only UTF-8 (Terraform): a UTF-16 file is then a problem
    for that tool, not text to lint.
    """
    buffer = unsaved(overlay, path)
    if buffer is not None:
        return buffer.replace("\r\n", "\n"), None
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, ReadProblem(too_large(size, max_bytes))
        data = path.read_bytes()
    except OSError as e:
        return None, ReadProblem(f"cannot read file: {e.strerror or e}")
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


def too_large(size: int, max_bytes: int) -> str:
    """The one wording of ``--max-file-size`` skips, whatever the file type."""
    return f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (--max-file-size); skipped"
