"""Support-matrix revisions: the facts that changed between revisions of the article.

The data lives in ``policies/data/matrix/<revision>.json`` so that a new revision is a data
change, not a code change (iac-mapping §0).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MATRIX_DIR = Path(__file__).resolve().parent.parent / "policies" / "data" / "matrix"
DEFAULT_REVISION = "2025-06"


class UnknownRevision(ValueError):
    pass


@dataclass(frozen=True)
class Matrix:
    revision: str
    data: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.data.get("title", self.revision))

    def region_tiers(self, region: str) -> str:
        """'vault' (vault and operational), 'operational' (operational only) or 'unlisted'.

        A revision that speaks of "all public regions" still knows only the regions it can name:
        anything else (another cloud, a typo) is unlisted, as in every other revision.
        """
        regions = self.data["regions"]
        if regions["mode"] == "lists":
            if region in regions["vault_and_operational"]:
                return "vault"
            if region in regions["operational_only"]:
                return "operational"
            return "unlisted"
        government = region in regions["government_regions"]
        if not government and region not in regions["public_regions"]:
            return "unlisted"
        if (
            government
            or region in regions["vault_excluded"]
            or region.startswith(tuple(regions["vault_excluded_prefixes"]))
        ):
            return "operational"
        return "vault"

    def paired_region(self, region: str) -> str | None:
        return self.data["paired_regions"].get(region)

    def has_no_pair(self, region: str) -> bool:
        return region in self.data["unpaired_regions"]

    def flag(self, name: str) -> bool:
        return bool(self.data[name])

    @property
    def unsupported_disk_skus(self) -> frozenset[str]:
        return frozenset(s.lower() for s in self.data["unsupported_disk_skus"])


def revisions() -> list[str]:
    return sorted(p.stem for p in MATRIX_DIR.glob("*.json"))


@cache
def load(revision: str = DEFAULT_REVISION) -> Matrix:
    path = MATRIX_DIR / f"{revision}.json"
    if not path.is_file():
        raise UnknownRevision(f"unknown matrix revision {revision!r}; known: {', '.join(revisions())}")
    return Matrix(revision, json.loads(path.read_text(encoding="utf-8")))
