"""Inline expectations in fixtures: what the linter must report, written next to the code.

``# expect: AKSB101:3`` (HCL, YAML) or ``// expect: AKSB101:3`` (Bicep) on the line where a
finding's span starts, with the 1-based column after the colon; several separated by commas.
A finding must have its rule's default severity unless the marker names another one
(``AKSB301:3:note``). ARM JSON cannot hold comments: a sidecar ``<name>.expect.json`` lists
``{"line", "col", "rule"}`` (and ``"severity"`` when it is not the default).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
_ITEM = r"AKSB\d{3}(?::\d+)?(?::(?:error|warning|note))?"
MARKER = re.compile(rf"(?:#|//)\s*expect:\s*(?P<items>{_ITEM}(?:\s*,\s*{_ITEM})*)")

Expectation = tuple[str, int, int, str]  # (path relative to repo, line, column, rule)
#: expectations whose marker names a severity other than the rule's default
SEVERITIES: dict[Expectation, str] = {}


def expected_in_file(path: Path) -> set[Expectation]:
    rel = path.relative_to(REPO).as_posix()
    out: set[Expectation] = set()
    if path.name.endswith(".expect.json"):
        target = path.with_name(path.name[: -len(".expect.json")] + ".json")
        trel = target.relative_to(REPO).as_posix()
        for item in json.loads(path.read_text(encoding="utf-8")):
            expectation = (trel, int(item["line"]), int(item.get("col", 0)), item["rule"])
            out.add(expectation)
            if "severity" in item:
                SEVERITIES[expectation] = item["severity"]
        return out
    try:
        text = decoded(path.read_bytes())
    except (UnicodeDecodeError, OSError):
        return out
    for number, line in enumerate(text.splitlines(), start=1):
        m = MARKER.search(line)
        if not m:
            continue
        for item in m.group("items").split(","):
            rule, *rest = item.strip().split(":")
            col = next((int(x) for x in rest if x.isdigit()), 0)
            expectation = (rel, number, col, rule)
            out.add(expectation)
            severity = next((x for x in rest if not x.isdigit()), None)
            if severity is not None:
                SEVERITIES[expectation] = severity
    return out


#: byte order marks of the encodings fixtures are written in (UTF-32 before UTF-16: its LE mark starts alike)
_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decoded(data: bytes) -> str:
    """A fixture's text: UTF-8, or the encoding its byte order mark names (encoding fixtures)."""
    for mark, codec in _MARKS:
        if data.startswith(mark):
            return data.decode(codec)
    return data.decode("utf-8")


def expected_under(directory: Path) -> set[Expectation]:
    out: set[Expectation] = set()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            out |= expected_in_file(path)
    return out


def actual(findings: Iterable, *, with_columns: set[tuple[str, int, str]] | None = None) -> set[Expectation]:
    out: set[Expectation] = set()
    for f in findings:
        if f.rule_id == "AKSB902" or f.suppression is not None:
            continue
        rel = Path(f.span.file).resolve().relative_to(REPO).as_posix()
        out.add((rel, f.span.line, f.span.column, f.rule_id))
    return out


def use_fixture_module_cache(directory: Path, monkeypatch: Any, tmp_path: Path) -> None:
    """A Bicep fixture may carry its own module cache: ``.bicep/`` in the layout ``bicep restore``
    writes under ``$HOME``. Scan it as the Bicep CLI would see it, with ``HOME`` there (and the
    parse cache in ``tmp_path``, so that nothing is written into the fixture)."""
    if (directory / ".bicep").is_dir():
        monkeypatch.setenv("HOME", str(directory))
        monkeypatch.setenv("AKS_BACKUP_LINT_CACHE_DIR", str(tmp_path / "cache"))


def scenario_dirs(language: str | None = None) -> list[Path]:
    """``fixtures/<scenario>/<language>`` directories, each scanned on its own as a user would."""
    dirs = []
    for scenario in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for lang_dir in sorted(p for p in scenario.iterdir() if p.is_dir()):
            if language is None or lang_dir.name == language:
                dirs.append(lang_dir)
    return dirs


def compare(expected: set[Expectation], found: set[Expectation]) -> tuple[set[Expectation], set[Expectation]]:
    """Missing and unexpected findings; an expectation without a column matches any column."""
    loose = {(p, line, r) for p, line, c, r in expected if c == 0}
    missing = {e for e in expected if e[2] != 0 and e not in found}
    missing |= {
        e for e in expected if e[2] == 0 and not any((f[0], f[1], f[3]) == (e[0], e[1], e[3]) for f in found)
    }
    unexpected = {f for f in found if f not in expected and (f[0], f[1], f[3]) not in loose}
    return missing, unexpected
