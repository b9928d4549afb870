"""Suppressions written in ARM JSON, which has no comments: a resource's ``metadata``.

The records go to the engine's suppress step with the other front ends' (``LoadResult``);
validation (reason, known ID, expiry) happens there, like for comments.
"""

from __future__ import annotations

from typing import Any

from linter.frontend import InlineSuppression
from linter.model import Span


def from_arm_metadata(metadata: Any, span: Span, address: str) -> list[InlineSuppression]:
    """Records for an ARM resource's ``metadata`` (JSON has no comments), for the ARM front end.

    Accepted shapes, under ``"aks-backup-lint": {"ignore": ...}``::

        {"AKSB102": "reason until=2027-01-31"}
        {"AKSB102": {"reason": "...", "until": "2027-01-31"}}

    Validation (reason, known ID, expiry) happens in ``apply`` like for comments; a value of the
    wrong shape becomes a record without a reason, so it is reported rather than ignored.
    """
    if not isinstance(metadata, dict):
        return []
    ours = metadata.get("aks-backup-lint")
    ignore = ours.get("ignore") if isinstance(ours, dict) else None
    if not isinstance(ignore, dict):
        return []
    out = []
    for key, value in ignore.items():
        reason, until = "", ""
        if isinstance(value, str):
            reason = value
        elif isinstance(value, dict):
            reason = str(value.get("reason") or "")
            until = str(value.get("until") or "")
        out.append(
            InlineSuppression(span, (str(key),), reason, until=until, scope="resource", address=address)
        )
    return out
