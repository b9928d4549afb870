"""JUnit XML for CI systems that only understand test reports (Jenkins, Azure Pipelines, GitLab).

One test case per finding: unsuppressed findings are failures (``type`` is the severity),
suppressed ones are skipped with their justification, and each tool error (a path that could not
be read) is a case with an ``error``. A clean run has one passing case so that dashboards show
the linter ran. No timestamps or durations: same input, same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from linter.report import Report


def render(report: Report) -> str:
    active = report.active
    suites = ET.Element("testsuites", name="aks-backup-lint")
    cases = list(report.findings)
    tool_errors = [n for n in report.notifications if n.level == "error"]
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="aks-backup-lint",
        tests=str(max(len(cases) + len(tool_errors), 1)),
        failures=str(len(active)),
        errors=str(len(tool_errors)),
        skipped=str(len(cases) - len(active)),
    )
    for note in tool_errors:
        case = ET.SubElement(
            suite, "testcase", classname="aks-backup-lint", name=f"tool error: {note.message}"
        )
        ET.SubElement(case, "error", message=note.message, type="tool-error")
    for f in cases:
        path = report.repo_path(f.span.file)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=path,
            name=f"{f.rule_id} {f.slug} {path}:{f.span.line}:{f.span.column}",
            file=path,
            line=str(f.span.line),
        )
        if f.suppression is not None:
            ET.SubElement(
                case, "skipped", message=f"suppressed ({f.suppression.kind}): {f.suppression.justification}"
            )
            continue
        failure = ET.SubElement(case, "failure", message=f.message, type=f.severity.value)
        details = [f"{path}:{f.span.line}:{f.span.column}: {f.severity.value} {f.rule_id} {f.message}"]
        details += [
            f"    {report.repo_path(r.span.file)}:{r.span.line}:{r.span.column}: note: {r.message}"
            for r in f.related
        ]
        failure.text = "\n".join(details)
    if not cases and not tool_errors:
        ET.SubElement(
            suite, "testcase", classname="aks-backup-lint", name=f"{report.files_scanned} files checked"
        )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
