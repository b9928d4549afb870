"""Reporters: every output format renders the same ``Report`` and nothing else.

Modules are imported only when their format is used: the SARIF reporter pulls in sarif-om and
attrs (~80 ms), which a pre-commit run printing text should not pay.
"""

from __future__ import annotations

from types import ModuleType

from linter.report import Report

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")


def reporter(fmt: str) -> ModuleType:
    """The module rendering ``fmt`` (imported on first use)."""
    if fmt == "text":
        from linter.reporters import text

        return text
    if fmt == "json":
        from linter.reporters import json_

        return json_
    if fmt == "sarif":
        from linter.reporters import sarif

        return sarif
    if fmt == "github":
        from linter.reporters import github

        return github
    if fmt == "junit":
        from linter.reporters import junit

        return junit
    if fmt == "gitlab":
        from linter.reporters import gitlab

        return gitlab
    raise UnknownFormat(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


class UnknownFormat(ValueError):
    """``--format`` named a format that does not exist."""


def render(fmt: str, report: Report, *, color: bool = False) -> str:
    """Render ``report`` in ``fmt``; ``color`` only affects the text format."""
    module = reporter(fmt)
    if fmt == "text":
        return module.render(report, color=color)
    return module.render(report)


__all__ = ["FORMATS", "render", "UnknownFormat"]
