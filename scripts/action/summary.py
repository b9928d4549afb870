#!/usr/bin/env python3
"""GitHub Action helper: turn the JSON report into step outputs and a Markdown job summary.

Standard library only: it runs with whatever Python the runner has, after the linter.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

MAX_ROWS = 50
DOCS = "https://github.com/aks-backup-lint/aks-backup-lint/blob/main/docs/rules"
ICON = {"error": "🔴", "warning": "🟠", "note": "🔵"}


def cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def summary_markdown(report: dict | None, status: int, stderr: str, fail_on: str, sarif: str) -> str:
    lines = ["## aks-backup-lint", ""]
    if report is None:
        lines += [f"The linter did not produce a report (exit code {status}).", ""]
        if stderr.strip():
            lines += ["```text", stderr.strip(), "```", ""]
        return "\n".join(lines) + "\n"
    s = report["summary"]
    level = f"`{fail_on}`" if fail_on else "the fail-on level"
    verdict = {0: "✅ passed", 1: f"❌ failed (findings at or above {level})", 2: "⚠️ error"}.get(
        status, f"exit {status}"
    )
    if s.get("tool_error"):
        verdict = "⚠️ incomplete: a path could not be read or a check crashed (see below)"
    lines += [
        f"**Result:** {verdict} · matrix revision `{report['matrix_revision']}` · {s['files_scanned']} files scanned",
        "",
        "| errors | warnings | notes | suppressed |",
        "|---:|---:|---:|---:|",
        f"| {s['errors']} | {s['warnings']} | {s['notes']} | {s['suppressed']} |",
        "",
    ]
    active = [f for f in report["findings"] if f["suppression"] is None]
    if active:
        lines += ["| | location | rule | message |", "|---|---|---|---|"]
        for f in active[:MAX_ROWS]:
            loc = f["location"]
            lines.append(
                f"| {ICON.get(f['severity'], '')} {f['severity']} | `{cell(loc['path'])}:{loc['line']}:{loc['column']}` "
                f"| [{f['rule_id']}]({DOCS}/{f['rule_id']}.md) `{f['slug']}` | {cell(f['message'])} |"
            )
        if len(active) > MAX_ROWS:
            lines.append(
                f"\n… and {len(active) - MAX_ROWS} more; see the SARIF file or the code-scanning alerts."
            )
        lines.append("")
    if status == 2 and stderr.strip():
        lines += ["```text", stderr.strip(), "```", ""]
    if sarif:
        lines += [f"SARIF: `{sarif}`", ""]
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--report", type=Path, required=True)
    p.add_argument("--stderr", type=Path)
    p.add_argument("--status", type=int, required=True)
    p.add_argument("--sarif", default="")
    p.add_argument("--fail-on", default="")  # empty: the config file's (else error)
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--summary", type=Path, required=True)
    a = p.parse_args()
    report = json.loads(a.report.read_text(encoding="utf-8")) if a.report.is_file() else None
    stderr = a.stderr.read_text(encoding="utf-8", errors="replace") if a.stderr and a.stderr.is_file() else ""
    sarif = a.sarif if a.sarif and Path(a.sarif).is_file() else ""
    s = report["summary"] if report else {"errors": 0, "warnings": 0, "notes": 0, "suppressed": 0}
    outputs = {
        "errors": s["errors"],
        "warnings": s["warnings"],
        "notes": s["notes"],
        "suppressed": s["suppressed"],
        "findings": s["errors"] + s["warnings"] + s["notes"],
        "sarif-file": sarif,
        "exit-code": a.status,
    }
    with a.output.open("a", encoding="utf-8") as fh:
        for key, value in outputs.items():
            fh.write(f"{key}={value}\n")
    with a.summary.open("a", encoding="utf-8") as fh:
        fh.write(summary_markdown(report, a.status, stderr, a.fail_on, sarif))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
