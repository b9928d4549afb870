"""What each revision-dependent rule decides under each support-matrix revision (iac-mapping §0).

``explain`` appends a ``## Matrix revisions`` table to the rules listed here when their verdict
differs between the revisions shipped in ``policies/data/matrix/``; ``--matrix REVISION`` (or the
config file) selects the revision a run uses.
"""

from __future__ import annotations

from collections.abc import Callable

from linter import matrix as matrix_mod
from linter.matrix import Matrix


def _arm64(m: Matrix) -> str:
    if m.flag("arm64_supported"):
        return "ARM64 node pools can run the backup extension: not reported"
    return (
        "ARM64 node pools cannot run the backup extension: a note per pool, an error when no x86 pool exists"
    )


def _network_isolated(m: Matrix) -> str:
    if m.flag("network_isolated_supported"):
        return "network-isolated clusters are supported (with the extension, trusted access and private storage access): not reported"
    return "network-isolated clusters are not supported: error"


def _regions(m: Matrix) -> str:
    regions = m.data["regions"]
    if regions["mode"] == "lists":
        return (
            f"{len(regions['vault_and_operational'])} regions with both tiers; operational tier only in "
            f"{', '.join(regions['operational_only'])}; other regions: warning"
        )
    prefixes = ", ".join(f"{p}*" for p in regions["vault_excluded_prefixes"])
    return (
        "operational tier in every public and Government region; no vault tier in "
        f"{', '.join(regions['vault_excluded'])} and {prefixes}"
    )


def _pairs(m: Matrix) -> str:
    return f"regions without a pair: {', '.join(sorted(m.data['unpaired_regions']))}"


def _disk_skus(m: Matrix) -> str:
    skus = sorted(m.data["unsupported_disk_skus"])
    return (
        f"skipped disk SKUs: {', '.join(skus)}"
        if skus
        else "Premium SSD v2 and Ultra disks are supported: not reported"
    )


def _files(m: Matrix) -> str:
    if m.flag("azure_files_smb_supported"):
        return "Azure Files SMB volumes are supported (NFS, Blob and Container Storage are still skipped)"
    return "Azure Files, Blob and Container Storage volumes are skipped: warning"


FACTS: dict[str, Callable[[Matrix], str]] = {
    "AKSB103": _regions,
    "AKSB104": _pairs,
    "AKSB302": _arm64,
    "AKSB303": _network_isolated,
    "AKSB502": _disk_skus,
    "AKSB503": _files,
}


def verdicts(rule_id: str) -> list[tuple[str, str, str]]:
    """(revision, title, verdict) for every shipped revision; empty for revision-independent rules."""
    fact = FACTS.get(rule_id)
    if fact is None:
        return []
    out = []
    for revision in matrix_mod.revisions():
        m = matrix_mod.load(revision)
        out.append((revision, m.title, fact(m)))
    return out


def section(rule_id: str) -> str:
    """The ``## Matrix revisions`` Markdown block, or "" when every revision gives the same verdict."""
    rows = verdicts(rule_id)
    if len({v for _, _, v in rows}) < 2:
        return ""
    lines = [
        "## Matrix revisions",
        "",
        f"The verdict depends on the support-matrix revision (`--matrix`, default `{matrix_mod.DEFAULT_REVISION}`):",
        "",
        "| revision | verdict |",
        "|---|---|",
    ]
    for revision, title, verdict in rows:
        lines.append(f"| `{revision}` ({title}) | {verdict} |")
    return "\n".join(lines) + "\n"
