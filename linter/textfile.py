"""Reading a scanned file as text, safely: size limit, binary detection, BOM, encodings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReadProblem:
    message: str
    line: int = 1


def read_text(path: Path, max_bytes: int) -> tuple[str | None, ReadProblem | None]:
    """The file's text, or a problem that explains why it could not be read."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, ReadProblem(too_large(size, max_bytes))
        data = path.read_bytes()
    except OSError as e:
        return None, ReadProblem(f"cannot read file: {e.strerror or e}")
    if b"\x00" in data[:8192]:
        return None, ReadProblem("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, ReadProblem(f"not valid UTF-8 (byte {e.start}): {e.reason}", line)
    return text.replace("\r\n", "\n"), None


def too_large(size: int, max_bytes: int) -> str:
    """The one wording of ``--max-file-size`` skips, whatever the file type."""
    return f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (--max-file-size); skipped"
