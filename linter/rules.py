"""Rule metadata, the rule registry and the context a rule runs in.

A rule is one module under ``policies/<area>/`` holding one ``@rule(...)``-decorated check
function. Its module docstring is its documentation, in fixed sections (style convention 5),
validated at import together with the rest of the spec, so a bad rule fails loudly and early.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from linter.matrix import Matrix as MatrixRevision
from linter.model import Finding, Fix, RelatedLocation, Severity, Span, Unknown, Value

ARTICLE_URL = (
    "https://learn.microsoft.com/azure/backup/azure-kubernetes-service-cluster-backup-support-matrix"
)
DOCS_BASE_URL = "https://github.com/aks-backup-lint/aks-backup-lint/blob/main/docs/rules"
LANGUAGES = ("terraform", "arm", "bicep", "kubernetes")
REQUIRED_SECTIONS = (
    "What it checks",
    "Why it matters",
    "Azure documentation",
    "Example",
    "Unknown values",
)
OPTIONAL_SECTIONS = ("Options", "Known limitations")
_ID = re.compile(r"^AKSB\d{3}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_BANNED_SLUG_PREFIXES = ("use-", "consider-", "ensure-")
#: a rule key that is an ID prefix: ``AKSB``, ``AKSB2``, ``AKSB30``, ``AKSB301``
_ID_PREFIX = re.compile(r"^AKSB\d{0,3}$", re.IGNORECASE)
#: the edges of ``aks-backup-lint graph`` a rule may label (``RuleSpec.chain_edge``)
CHAIN_EDGES = ("extension", "trusted_access", "role_assignment", "policy")


class RuleSpecError(ValueError):
    """A rule's metadata or documentation is incomplete or inconsistent."""


def option_problem(spec: RuleSpec, name: str, value: object) -> str | None:
    """Why ``value`` is not a valid setting of option ``name`` of ``spec`` (None: it is valid)."""
    if name not in spec.options:
        known = ", ".join(sorted(spec.options)) or "none"
        return f"{spec.id} has no option {name!r} (options: {known})"
    default = spec.options[name]
    kind = type(default)
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        return f"{spec.id} option {name!r} takes a {kind.__name__}, not {value!r}"
    return None


@dataclass(frozen=True)
class Citation:
    """The support-matrix sentence a rule enforces, verbatim, and where it is published."""

    quote: str
    url: str = ARTICLE_URL


@dataclass(frozen=True)
class RuleSpec:
    """Everything known about a rule, declared once in its module (style conventions 2 and 3)."""

    id: str
    slug: str
    severity: Severity  # the default severity (SARIF defaultConfiguration)
    summary: str  # one line: what fails
    kinds: tuple[str, ...]
    languages: tuple[str, ...]
    cite: Citation | None
    since: str = "0.1.0"
    status: str = "stable"
    doc: str = ""
    precision: str = "high"
    tags: tuple[str, ...] = ()
    #: every severity the rule may report (AKSB001: error, warning or note); includes ``severity``
    severities: tuple[Severity, ...] = ()
    #: the linter's own diagnostics (AKSB000, AKSB9xx) are produced by the pipeline, not by ``check``
    diagnostic: bool = False
    #: False for findings a suppression must not hide (problems with suppressions themselves)
    suppressible: bool = True
    #: what the rule decides under a matrix revision (``explain`` shows it where revisions differ)
    revision_verdict: Callable[[MatrixRevision], str] | None = None
    #: the backup-chain edge that ``aks-backup-lint graph`` labels with this rule's ID
    chain_edge: str | None = None
    #: settings users may change (config ``rule-options``): name -> default; the default's type
    #: (bool, int, float, str) is the option's type; each is documented under ``## Options``
    options: Mapping[str, bool | int | float | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.severities:
            object.__setattr__(self, "severities", (self.severity,))
        if self.severity not in self.severities:
            raise RuleSpecError(f"{self.id}: default severity {self.severity.value} not in its severities")
        if not self.languages and not self.diagnostic:
            raise RuleSpecError(f"{self.id}: a rule must name the languages it applies to")
        documented = self.sections().get("Options", "") if self.doc else ""
        undocumented = [name for name in self.options if f"`{name}`" not in documented]
        if undocumented:
            raise RuleSpecError(f"{self.id}: options {undocumented} are not documented under '## Options'")
        if self.chain_edge is not None and self.chain_edge not in CHAIN_EDGES:
            raise RuleSpecError(f"{self.id}: chain_edge {self.chain_edge!r} is not one of {CHAIN_EDGES}")
        if not _ID.match(self.id):
            raise RuleSpecError(f"{self.id}: rule id must match AKSBnnn")
        if not _SLUG.match(self.slug) or self.slug.startswith(_BANNED_SLUG_PREFIXES):
            raise RuleSpecError(f"{self.id}: slug {self.slug!r} must be kebab-case naming the problem")
        if self.status not in ("stable", "preview", "deprecated", "removed"):
            raise RuleSpecError(f"{self.id}: unknown status {self.status!r}")
        unknown_langs = set(self.languages) - set(LANGUAGES)
        if unknown_langs:
            raise RuleSpecError(f"{self.id}: unknown languages {sorted(unknown_langs)}")
        if self.precision not in ("very-high", "high", "medium", "low"):
            raise RuleSpecError(f"{self.id}: precision {self.precision!r}")
        sections = parse_sections(self.doc)
        expected = [s for s in REQUIRED_SECTIONS]
        present = [s for s in sections if s in REQUIRED_SECTIONS]
        if present != expected:
            raise RuleSpecError(f"{self.id}: doc sections {list(sections)} must start with {expected}")
        extra = [s for s in sections if s not in REQUIRED_SECTIONS + OPTIONAL_SECTIONS]
        if extra:
            raise RuleSpecError(f"{self.id}: unexpected doc sections {extra}")
        if self.cite is not None and self.cite.quote not in " ".join(sections["Azure documentation"].split()):
            raise RuleSpecError(f"{self.id}: '## Azure documentation' must quote the cited sentence")

    @property
    def title(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else self.summary

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE_URL}/{self.id}.md"

    def sections(self) -> dict[str, str]:
        return parse_sections(self.doc)


def parse_sections(doc: str) -> dict[str, str]:
    """Split a Markdown docstring into ``## Heading`` -> body, keeping order."""
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in inspect.cleandoc(doc or "").splitlines():
        stripped = line.strip()
        if stripped.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(lines).strip("\n")
            current = stripped[3:].strip()
            lines = []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip("\n")
    return sections


CheckFn = Callable[["ResourceGraphLike", "RuleContext"], Iterator[Finding]]
ResourceGraphLike = Any


@dataclass(frozen=True)
class Rule:
    spec: RuleSpec
    check: CheckFn


class Registry:
    """All rules by id and slug; duplicates are an error at import time."""

    def __init__(self) -> None:
        self._by_id: dict[str, Rule] = {}
        self._by_slug: dict[str, Rule] = {}

    def add(self, rule: Rule) -> None:
        spec = rule.spec
        if spec.id in self._by_id:
            raise RuleSpecError(f"duplicate rule id {spec.id}")
        if spec.slug in self._by_slug:
            raise RuleSpecError(f"duplicate rule slug {spec.slug}")
        self._by_id[spec.id] = rule
        self._by_slug[spec.slug] = rule

    def get(self, key: str) -> Rule | None:
        """The rule with this exact ID or slug."""
        k = key.strip()
        return self._by_id.get(k.upper()) or self._by_slug.get(k.lower())

    def unknown_keys(self, keys: Sequence[str]) -> list[str]:
        """The keys (IDs, ID prefixes, slugs) that match no rule: users are told, never ignored."""
        return [k for k in keys if not any(key_matches(k, r.spec.id, r.spec.slug) for r in self)]

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._by_id.values(), key=lambda r: r.spec.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None


REGISTRY = Registry()


def key_matches(key: str, rule_id: str, slug: str) -> bool:
    """A user's rule key (exact slug, or an ID or ID prefix such as ``AKSB2``) names this rule."""
    k = key.strip()
    if k.lower() == slug:
        return True
    return bool(_ID_PREFIX.match(k)) and rule_id.startswith(k.upper())


def selected(rule_id: str, slug: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    """``--select``/``--ignore`` (and their config keys): selected unless ignored."""
    if select and not any(key_matches(k, rule_id, slug) for k in select):
        return False
    return not any(key_matches(k, rule_id, slug) for k in ignore)


def rule(
    *,
    id: str,
    slug: str,
    severity: Severity,
    summary: str,
    kinds: Sequence[str],
    languages: Sequence[str],
    cite: Citation | None,
    since: str = "0.1.0",
    status: str = "stable",
    precision: str = "high",
    tags: Sequence[str] = (),
    severities: Sequence[Severity] = (),
    diagnostic: bool = False,
    suppressible: bool = True,
    revision_verdict: Callable[[MatrixRevision], str] | None = None,
    chain_edge: str | None = None,
    options: Mapping[str, bool | int | float | str] | None = None,
) -> Callable[[CheckFn], CheckFn]:
    """Declare a rule; its documentation is the docstring of the module defining ``fn``."""

    def register(fn: CheckFn) -> CheckFn:
        module = sys.modules.get(fn.__module__)
        spec = RuleSpec(
            id=id,
            slug=slug,
            severity=severity,
            summary=summary,
            kinds=tuple(kinds),
            languages=tuple(languages),
            cite=cite,
            since=since,
            status=status,
            doc=(module.__doc__ if module else "") or "",
            precision=precision,
            tags=tuple(tags),
            severities=tuple(severities),
            diagnostic=diagnostic,
            suppressible=suppressible,
            revision_verdict=revision_verdict,
            chain_edge=chain_edge,
            options=dict(options or {}),
        )
        REGISTRY.add(Rule(spec, fn))
        fn.spec = spec  # type: ignore[attr-defined]
        return fn

    return register


@dataclass
class RuleContext:
    """What a rule may read besides the graph: its spec, options and the matrix revision."""

    spec: RuleSpec
    matrix: MatrixRevision
    options: Mapping[str, Any] = field(default_factory=dict)
    #: config ``clusters: all``: cluster rules report at full severity for unprotected clusters too
    all_clusters: bool = False

    def option(self, name: str) -> Any:
        """The configured value of a declared option (config ``rule-options``), else its default."""
        if name not in self.spec.options:
            raise RuleSpecError(f"{self.spec.id} reads option {name!r}, which it does not declare")
        return self.options.get(name, self.spec.options[name])

    def cluster_finding(
        self, cluster: Any, protected: bool, message: str, *, resource: Any = None, **kwargs: Any
    ) -> Finding:
        """A finding about ``cluster`` (at ``resource``, default the cluster itself).

        Clusters no backup instance, extension or binding in the scan refers to get it as a
        ``note`` (rules.md, Scope): the problem matters only once the cluster is protected.
        """
        if not protected and not self.all_clusters:
            kwargs["severity"] = Severity.NOTE
            message = f"if you protect this cluster with Azure Backup: {message}"
        return self.finding(resource if resource is not None else cluster, message, **kwargs)

    def finding(
        self,
        resource: Any,
        message: str,
        *,
        attribute: str = "",
        value: Value | None = None,
        span: Span | None = None,
        related: Sequence[RelatedLocation] = (),
        severity: Severity | None = None,
        fix: Fix | None = None,
        properties: Mapping[str, str] | None = None,
    ) -> Finding:
        """A finding about ``attribute`` of ``resource`` (or one element ``value`` of it).

        The location policy (design.md, "Precise locations"): the primary location is where the
        wrong value is written, which may be a tfvars line, a variable default, a local or a
        parameter file; the attribute that uses it becomes a related location ("used by ...
        here"), and so does every place the value passed through. ``span`` overrides the primary
        location for findings that are not about a value (a missing resource, a constraint).
        Related locations never repeat the primary one. ``fix`` (from ``linter.facts.fixes``) is
        kept only when its edits are at the primary location: a fix never edits a variable's
        default or another file on the way.

        ``properties`` name what tells this finding from the rule's other findings on the same
        attribute (a namespace, an interval, a vault): they are part of its fingerprint.
        """
        if severity is not None and severity not in self.spec.severities:
            raise RuleSpecError(
                f"{self.spec.id} reported {severity.value}, not among its declared severities"
            )
        reference = value is None and attribute in resource.refs and attribute not in resource.attrs
        if value is None and attribute:
            value = resource.attrs.get(attribute, resource.refs.get(attribute))
        use = resource.span_of(attribute) if attribute else resource.span
        if reference:  # a reference is the anchor of a finding about what it points at, not the wrong value
            span = span or use
        if value is not None and getattr(value, "via", ()) and getattr(value, "span", None):
            use = value.span  # the value travelled here: this is where it is used
        written, passed = origin(value, use) if span is None else (span, ())
        extra: list[RelatedLocation] = [RelatedLocation(s, "the value passes through here") for s in passed]
        if attribute or value is not None:
            extra.append(RelatedLocation(use, f"used by {resource.address} here"))
        extra.extend(resource.context)  # the kustomize overlay that deploys it, a patched base object
        return Finding(
            rule_id=self.spec.id,
            slug=self.spec.slug,
            message=message,
            span=written,
            severity=severity or self.spec.severity,
            address=resource.address,
            attribute=attribute,
            related=distinct_related(written, [*related, *extra]),
            fix=fix if fix is not None and all(contains(written, e.span) for e in fix.edits) else None,
            properties=dict(properties or {}),
        )

    def unresolved(self, resource: Any, value: Value, what: str) -> Iterator[Finding]:
        """An AKSB902 note for ``--unknown note``: this rule could not decide because of ``value``."""
        if isinstance(value, Unknown):
            yield Finding(
                rule_id="AKSB902",
                slug="unresolved-value",
                message=f"{self.spec.id} could not check {what} of {resource.address}: {value.reason}",
                span=value.span or resource.span,
                severity=Severity.NOTE,
                address=resource.address,
                attribute=what,
                properties={"for_rule": self.spec.id},
            )


def origin(value: Value | None, fallback: Span) -> tuple[Span, tuple[Span, ...]]:
    """Where a value is written, and the places it passed through on its way to its use.

    Front ends record a value's ``span`` (its use, or the literal itself) and ``via``: the
    variable defaults, tfvars lines, locals, module arguments and parameter-file entries it
    travelled through, the first of them where it was written.
    """
    via = tuple(getattr(value, "via", ()) or ())
    own = getattr(value, "span", None) or fallback
    if via:
        return via[0], via[1:]
    return own, ()


def contains(outer: Span, inner: Span) -> bool:
    """``inner`` lies within ``outer`` (same file)."""
    if outer.file != inner.file:
        return False
    end = (outer.end_line, outer.end_column) if outer.end_column else (outer.end_line, 10**9)
    inner_end = (inner.end_line, inner.end_column) if inner.end_column else (inner.end_line, 0)
    return (outer.line, outer.column) <= (inner.line, inner.column) and inner_end <= end


def distinct_related(primary: Span, related: Sequence[RelatedLocation]) -> tuple[RelatedLocation, ...]:
    """Related locations without the primary one, without places that contain it (the attribute
    a literal is written in says nothing new), and without repeats."""
    out: list[RelatedLocation] = []
    seen: set[Span] = set()
    for r in related:
        if r.span == primary or r.span in seen or contains(r.span, primary):
            continue
        seen.add(r.span)
        out.append(r)
    return tuple(out)


def related_value(resource: Any, attribute: str, message: str) -> list[RelatedLocation]:
    """Related locations for the other side of a mismatch: where ``resource.attribute`` is written
    (``message``), and the attribute that uses it when that is elsewhere."""
    use = resource.span_of(attribute)
    written, passed = origin(resource.attrs.get(attribute, resource.refs.get(attribute)), use)
    out = [RelatedLocation(written, message)]
    out += [RelatedLocation(s, f"{message}: passes through here") for s in passed]
    if written != use:
        out.append(RelatedLocation(use, f"{message}: used here"))
    return out
