"""SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer), built with sarif-om.

What peers get wrong and this module gets right: ``level`` is always written (sarif-om's own
serializer drops ``warning`` as a default, which makes viewers fall back to the rule's default
level), URIs are repo-relative with ``%SRCROOT%`` declared in ``originalUriBaseIds`` even when a
subfolder is scanned, ``partialFingerprints`` are logical (rule, directory, address, attribute:
see ``linter.fingerprint``) so reformatting does not reopen alerts, suppressed findings keep
their ``suppressions`` entry instead of vanishing, a finding's fix is a ``fixes`` entry (exact
replacements, ``linter.fixes``), and parse errors are also tool execution notifications. Output is deterministic: same report, same bytes.
"""

from __future__ import annotations

import json
from typing import Any

import attr
import sarif_om as om

from linter import __version__
from linter.explain import help_text, render_markdown
from linter.fingerprint import FINGERPRINT_KEY, fingerprint
from linter.model import Finding, Fix, Severity, Span
from linter.report import Report
from linter.rules import RuleSpec

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "aks-backup-lint"
INFORMATION_URI = "https://github.com/aks-backup-lint/aks-backup-lint"
SRCROOT = "%SRCROOT%"
#: GitHub sorts and filters alerts by these (strings, per GitHub's SARIF documentation).
SECURITY_SEVERITY = {Severity.ERROR: "7.0", Severity.WARNING: "4.0", Severity.NOTE: "1.0"}


def to_sarif(obj: Any) -> Any:
    """Serialize sarif-om objects to JSON data: drop defaults and Nones, but never ``level``."""
    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        names = set()
        for f in attr.fields(type(obj)):
            names.add(f.name)
            value = getattr(obj, f.name)
            if value is None:
                continue
            default = f.default.factory() if isinstance(f.default, attr.Factory) else f.default  # type: ignore[arg-type]
            if default is not attr.NOTHING and f.name != "level" and value == default:
                continue
            out[f.metadata.get("schema_property_name", f.name)] = to_sarif(value)
        for key, value in vars(obj).items():  # extra attributes, e.g. PropertyBag "security-severity"
            if key not in names and value is not None:
                out[key] = to_sarif(value)
        return out
    if isinstance(obj, list | tuple):
        return [to_sarif(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_sarif(v) for k, v in obj.items()}
    return obj


def _property_bag(**values: Any) -> om.PropertyBag:
    bag = om.PropertyBag(tags=values.pop("tags", None))
    for key, value in values.items():
        setattr(bag, key, value)
    return bag


def pascal_case(slug: str) -> str:
    """SARIF friendly names are Pascal-case (multitool SARIF2012); the slug stays in the id docs."""
    return "".join(part[:1].upper() + part[1:] for part in slug.split("-"))


def full_description(spec: RuleSpec) -> str:
    """The "What it checks" section as one paragraph (the summary when a rule has none)."""
    text = " ".join(spec.sections().get("What it checks", "").split())
    return text or spec.summary


def descriptor(spec: RuleSpec) -> om.ReportingDescriptor:
    tags = sorted({"aks", "azure-backup", *spec.tags})
    return om.ReportingDescriptor(
        id=spec.id,
        name=pascal_case(spec.slug),
        short_description=om.MultiformatMessageString(text=spec.title),
        full_description=om.MultiformatMessageString(text=full_description(spec)),
        help=om.MultiformatMessageString(text=help_text(spec), markdown=render_markdown(spec)),
        help_uri=spec.help_uri,
        default_configuration=om.ReportingConfiguration(level=spec.severity.value),
        properties=_property_bag(
            tags=tags,
            precision=spec.precision,
            # every level the rule may report (AKSB001: error, warning or note); the default is above
            severities=[s.value for s in spec.severities],
            **{"security-severity": SECURITY_SEVERITY[spec.severity]},
        ),
    )


def _fallback_descriptor(rule_id: str, slug: str) -> om.ReportingDescriptor:
    """A finding from a rule that is not registered (should not happen; keeps ruleIndex valid)."""
    return om.ReportingDescriptor(
        id=rule_id,
        name=pascal_case(slug) if slug else rule_id,
        short_description=om.MultiformatMessageString(text=slug or rule_id),
        default_configuration=om.ReportingConfiguration(level="warning"),
    )


def region(span: Span) -> om.Region:
    end_column = None
    if span.end_line > span.line or span.end_column > span.column:
        end_column = span.end_column if span.end_column >= 1 else None
    return om.Region(
        start_line=span.line,
        start_column=span.column,
        end_line=max(span.end_line, span.line),
        end_column=end_column,
    )


def physical(report: Report, span: Span) -> om.PhysicalLocation:
    return om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=report.repo_path(span.file), uri_base_id=SRCROOT),
        region=region(span),
    )


def replacement_region(span: Span) -> om.Region:
    """The exact region an edit replaces: ``endColumn`` always written, so an empty region is an
    insertion point (an absent ``endColumn`` would mean "to the end of the line")."""
    return om.Region(
        start_line=span.line, start_column=span.column, end_line=span.end_line, end_column=span.end_column
    )


def fixes(report: Report, fix: Fix | None) -> list[om.Fix] | None:
    """A finding's fix as SARIF ``fixes`` (GitHub shows them as suggestions)."""
    if fix is None or not fix.resolved or not fix.edits:
        return None
    changes: dict[str, list[om.Replacement]] = {}
    for edit in fix.edits:
        changes.setdefault(edit.span.file, []).append(
            om.Replacement(
                deleted_region=replacement_region(edit.span),
                inserted_content=om.ArtifactContent(text=edit.text) if edit.text else None,
            )
        )
    return [
        om.Fix(
            description=om.Message(text=fix.description),
            artifact_changes=[
                om.ArtifactChange(
                    artifact_location=om.ArtifactLocation(uri=report.repo_path(file), uri_base_id=SRCROOT),
                    replacements=replacements,
                )
                for file, replacements in changes.items()
            ],
        )
    ]


def result(report: Report, finding: Finding, rule_index: int) -> om.Result:
    logical = None
    if finding.address and finding.address != finding.span.file:  # a resource, not a whole file
        logical = [
            om.LogicalLocation(
                name=finding.address.rsplit(".", 1)[-1],
                fully_qualified_name=finding.address,
                kind="resource",
            )
        ]
    primary = om.Location(physical_location=physical(report, finding.span), logical_locations=logical)
    related = [
        om.Location(id=i, message=om.Message(text=rel.message), physical_location=physical(report, rel.span))
        for i, rel in enumerate(finding.related, start=1)
    ]
    suppressions = None
    if finding.suppression is not None:
        s = finding.suppression
        suppressions = [
            om.Suppression(
                kind=s.kind,
                justification=s.justification,
                location=om.Location(physical_location=physical(report, s.span)) if s.span else None,
            )
        ]
    return om.Result(
        rule_id=finding.rule_id,
        rule_index=rule_index,
        level=finding.severity.value,
        message=om.Message(text=finding.message),
        locations=[primary],
        related_locations=related or None,
        partial_fingerprints={FINGERPRINT_KEY: fingerprint(finding, report.base_dir)},
        suppressions=suppressions,
        fixes=fixes(report, finding.fix),
    )


def _notifications(report: Report) -> list[om.Notification]:
    out = []
    parse_errors = {(f.rule_id, f.span) for f in report.findings if f.rule_id == "AKSB000"}
    for f in report.findings:
        if f.rule_id == "AKSB000" and f.suppression is None:
            out.append(
                om.Notification(
                    message=om.Message(text=f"{report.repo_path(f.span.file)}: {f.message}"),
                    level=f.severity.value,  # a note for syntax the reader does not support
                    locations=[om.Location(physical_location=physical(report, f.span))],
                    descriptor=om.ReportingDescriptorReference(id="AKSB000"),
                )
            )
    for n in report.notifications:
        if (n.rule_id, n.span) in parse_errors:  # said above (or suppressed) already
            continue
        out.append(
            om.Notification(
                message=om.Message(text=n.message),
                level=n.level,
                locations=[om.Location(physical_location=physical(report, n.span))] if n.span else None,
                descriptor=om.ReportingDescriptorReference(id=n.rule_id) if n.rule_id else None,
            )
        )
    return out


def build(report: Report) -> om.SarifLog:
    specs = list(report.rules)
    rules = [descriptor(s) for s in specs]
    index = {s.id: i for i, s in enumerate(specs)}
    for f in report.findings:
        if f.rule_id not in index:
            index[f.rule_id] = len(rules)
            rules.append(_fallback_descriptor(f.rule_id, f.slug))
    category = report.category.rstrip("/") or TOOL_NAME
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name=TOOL_NAME,
                version=__version__,
                semantic_version=__version__,
                information_uri=INFORMATION_URI,
                rules=rules,
            )
        ),
        automation_details=om.RunAutomationDetails(id=f"{category}/"),
        original_uri_base_ids={
            SRCROOT: om.ArtifactLocation(uri=report.base_dir.resolve().as_uri().rstrip("/") + "/")
        },
        column_kind="unicodeCodePoints",
        invocations=[
            om.Invocation(
                execution_successful=not report.tool_error,
                tool_execution_notifications=_notifications(report) or None,
            )
        ],
        results=[result(report, f, index[f.rule_id]) for f in report.findings],
        properties=_property_bag(**{"matrixRevision": report.matrix_revision}),
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def as_dict(report: Report) -> dict[str, Any]:
    data = to_sarif(build(report))
    # ``$schema`` and ``version`` first: what a reader (and a human) looks at to identify the file
    return {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}


def render(report: Report) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
