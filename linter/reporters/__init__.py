"""Reporters: every output format renders the same ``Report`` and nothing else.

Modules are imported only when their format is used: the SARIF reporter pulls in sarif-om and
attrs (~80 ms), which a pre-commit run printing text should not pay.
"""

from __future__ import annotations

import importlib

from linter.report import Report

#: format name -> module under ``linter.reporters``
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
    "gitlab": "gitlab",
}


class UnknownFormat(ValueError):
    """``--format`` named a format that does not exist."""


def render(fmt: str, report: Report, *, color: bool = False) -> str:
    """Render ``report`` in ``fmt``; ``color`` only affects the text format."""
    module_name = FORMATS.get(fmt)
    if module_name is None:
        raise UnknownFormat(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"linter.reporters.{module_name}")
    if fmt == "text":
        return module.render(report, color=color)
    return module.render(report)


def parse_output_spec(spec: str, default_format: str) -> tuple[str, str]:
    """``FORMAT:FILE`` -> (format, file); a bare ``FILE`` uses ``default_format``.

    A Windows drive letter (``C:\\x``) or an unknown prefix is treated as part of the file name.
    """
    head, sep, tail = spec.partition(":")
    if sep and head in FORMATS and tail:
        return head, tail
    return default_format, spec


__all__ = ["FORMATS", "render", "parse_output_spec", "UnknownFormat"]
