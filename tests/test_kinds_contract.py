"""Every adapter keeps the contract of ``linter.kinds.ATTRIBUTES``: no attribute outside it.

Policies read only attributes listed there; an adapter that invents a name (or misspells one)
would silently give rules nothing to read. Checked on every fixture, in every language, scanned
as the users would scan them.
"""

from __future__ import annotations

from expectations import scenario_dirs

from linter import kinds
from linter.engine import load
from linter.options import Options


def test_every_adapter_output_is_in_the_contract() -> None:
    outside: set[tuple[str, str, str]] = set()
    languages: set[str] = set()
    for directory in scenario_dirs():
        for resource in load([directory], Options()).graph.resources:
            languages.add(resource.language)
            contract = kinds.ATTRIBUTES.get(resource.kind)
            if contract is None:
                outside.add((resource.kind, "<unknown kind>", directory.as_posix()))
                continue
            outside |= {(resource.kind, a, directory.name) for a in resource.attrs if a not in contract}
            outside |= {
                (resource.kind, f"ref:{a}", directory.name)
                for a in resource.refs
                if f"ref:{a}" not in contract
            }
    assert languages == {"terraform", "arm", "bicep", "kubernetes"}
    assert sorted(outside) == []
