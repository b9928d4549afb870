"""The one fingerprint of a finding, shared by SARIF, JSON, GitLab and the baseline.

Code-scanning alerts, GitLab issues and baseline entries are keyed on it, so it must survive
moving or reformatting code: it hashes *what* is wrong (rule, resource address, canonical
attribute path, and the finding's ``properties``: the facts a rule declares to tell its findings
on one attribute apart, such as the missing role and its principal) and *where it lives
logically* (the directory of the file, relative to the repository root, because two Terraform
root modules may declare the same address), never line numbers, columns or message text.

Two distinct findings must never share a fingerprint: GitHub would merge their alerts and a
baseline recording one would hide the other. ``tests/test_fingerprint.py`` checks that over the
findings of every fixture.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath

from linter.model import Finding

#: ``partialFingerprints`` key in SARIF; bump the version if the recipe below ever changes.
FINGERPRINT_KEY = "aksbLogicalFingerprint/v1"


def _relative(file: str, base: Path | None) -> str:
    if base is None or not os.path.isabs(file):
        return PurePosixPath(Path(file).as_posix()).as_posix()
    try:
        return Path(os.path.relpath(file, base)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(file).as_posix()


def fingerprint(finding: Finding, base: Path | None = None) -> str:
    """sha256 hex of rule id, directory, address, attribute path and the finding's properties.

    ``base`` is the repository root (``Report.base_dir``): absolute paths, which some findings
    carry as their address (AKSB000 uses the file), are made relative to it so the value is the
    same on every machine and checkout location.
    """
    rel_file = _relative(finding.span.file, base)
    directory = PurePosixPath(rel_file).parent.as_posix()
    address = finding.address or rel_file
    if os.path.isabs(address) or address == finding.span.file:
        # a file used as an address: keep the file name (a parse error is about that file)
        address = _relative(address, base)
    parts = (finding.rule_id, directory, address, finding.attribute)
    parts += tuple(f"{key}={value}" for key, value in sorted(finding.properties.items()))
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
