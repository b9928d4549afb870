"""The contract between the engine and each language front end.

Every front end (``linter.terraform``, ``linter.arm``, ``linter.bicep``, ``linter.k8s``) exposes
``load(files: list[Path], ctx: LoadContext) -> LoadResult``. ``files`` are exactly the files
discovery classified as that language (excludes already applied); the front end groups them into
stacks itself (a Terraform module directory with its variable files and local modules, an ARM
template with its parameter file, a Bicep file with its modules, a manifest set). When it must
read a file it was not given (a local module outside the scanned paths, a Bicep module), it lists
directories through ``LoadContext.files_in``, which honours the same excludes. The engine never
looks inside a language. Spans carry absolute paths; reporters relativise them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from linter.graph import Resource
from linter.model import Finding, Severity, Span
from linter.realpaths import RealPaths
from linter.report import Notification

TERRAFORM = "terraform"
ARM = "arm"
BICEP = "bicep"
KUBERNETES = "kubernetes"


@dataclass
class LoadContext:
    """Options that front ends need; filled from the CLI and the config file."""

    #: Terraform ``--var-file`` (a Path) and ``--var NAME=VALUE`` (a str), in the order they apply:
    #: the later one wins, as in Terraform
    terraform_vars: list[Path | str] = field(default_factory=list)
    #: Terraform ``--plan``: ``terraform show -json`` output of a plan of the scanned configuration
    plan: Path | None = None
    #: where ``TF_VAR_name`` values come from (the process environment unless a caller says otherwise)
    environment: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    param_files: dict[Path, Path] = field(default_factory=dict)  # ARM --param-file TEMPLATE=PARAMS
    deployment: dict[str, str] = field(default_factory=dict)  # resourceGroup.location, subscriptionId, ...
    max_file_bytes: int = 16 * 1024 * 1024
    hcl_parser: str = "tree-sitter"  # Terraform: "tree-sitter" or "python-hcl2" (options.HCL_PARSERS)
    #: the scan's excludes (``--exclude``, config ``exclude``): an excluded path is never read
    excluded: Callable[[Path], bool] = field(default=lambda path: False)
    #: resolved path -> text: an editor's unsaved buffers, read instead of the files on disk
    #: (``linter.textfile.read_text``); parse caches key on content, so they stay correct
    overlay: Mapping[Path, str] = field(default_factory=dict)
    #: resolved paths of this run's files (``Path.resolve``, each directory asked once)
    real_paths: RealPaths = field(default_factory=RealPaths)

    def files_in(self, directory: Path, *patterns: str) -> list[Path]:
        """The files of ``directory`` matching any glob in ``patterns``, sorted, excludes dropped."""
        if not directory.is_dir():
            return []
        found = {p for pattern in patterns for p in directory.glob(pattern) if p.is_file()}
        return sorted(p for p in found if not self.excluded(p))


@dataclass
class InlineSuppression:
    """A suppression written in a source file (comment, ARM metadata, Kubernetes annotation)."""

    span: Span
    rule_ids: tuple[str, ...]
    reason: str
    until: str = ""  # ISO date after which it stops working
    scope: str = "line"  # "line": the finding's line or the next resource; "resource": a whole resource
    address: str = ""  # for scope "resource" and module calls: the resource/module address prefix


@dataclass
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Finding] = field(default_factory=list)  # AKSB000 and friends
    suppressions: list[InlineSuppression] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # files actually read (for the summary)
    #: tool-level messages (a skipped template, syntax the reader does not support): SARIF
    #: ``toolExecutionNotifications`` and the text summary; never findings
    notifications: list[Notification] = field(default_factory=list)

    def add(self, other: LoadResult) -> None:
        """Append everything ``other`` holds (a front end assembling its stacks' results)."""
        self.resources.extend(other.resources)
        self.diagnostics.extend(other.diagnostics)
        self.suppressions.extend(other.suppressions)
        self.files.extend(other.files)
        self.notifications.extend(other.notifications)


def parse_error(path: Path, line: int, column: int, message: str) -> Finding:
    """The AKSB000 finding for a file that looks like IaC but cannot be parsed."""
    return Finding(
        rule_id="AKSB000",
        slug="parse-error",
        message=message,
        span=Span(str(path), max(line, 1), max(column, 1)),
        severity=Severity.ERROR,
        address=str(path),
    )
