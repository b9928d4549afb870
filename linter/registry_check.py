"""Rule keys given by users (IDs, ID prefixes, slugs) must name rules: nothing is silently ignored."""

from __future__ import annotations

import re


class RuleKeyError(ValueError):
    pass


_PREFIX = re.compile(r"^AKSB\d{0,3}$", re.IGNORECASE)


def validate_rule_keys(keys: list[str]) -> None:
    from policies import load_builtin_rules

    registry = load_builtin_rules()
    ids = [r.spec.id for r in registry]
    for key in keys:
        k = key.strip()
        if registry.get(k) is not None:
            continue
        if _PREFIX.match(k) and any(i.startswith(k.upper()) for i in ids):
            continue
        raise RuleKeyError(
            f"unknown rule {key!r} in --select/--ignore; run 'aks-backup-lint rules' for the list"
        )
