"""Which Kubernetes versions AKS supports, from the dated release calendar shipped with the rules.

``policies/data/aks-kubernetes-versions.json`` is a transcript of the AKS release calendar (and
its LTS table) with the date it describes and where it was read. Support is decided as of that
date, never today's: the linter runs offline and its verdicts must not change with the clock.
A version newer than every version generally available on that date may well be supported by
the time the linter runs, so it is unknown, not unsupported.
"""

from __future__ import annotations

import calendar
import enum
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "policies" / "data" / "aks-kubernetes-versions.json"
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$")
#: the AKS support plan that extends a minor version's support (support_plan / supportPlan)
LTS_PLAN = "akslongtermsupport"


class Support(enum.Enum):
    SUPPORTED = "supported"
    UNSUPPORTED = "unsupported"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class MinorVersion:
    minor: tuple[int, int]
    ga: date  # first day of the GA month
    end_of_life: date
    lts_end_of_life: date | None


@dataclass(frozen=True)
class Calendar:
    as_of: date
    url: str
    versions: tuple[MinorVersion, ...]

    def row(self, minor: tuple[int, int]) -> MinorVersion | None:
        return next((v for v in self.versions if v.minor == minor), None)

    def supported(self, lts: bool = False) -> list[str]:
        """The minors supported on ``as_of`` (with the LTS plan when ``lts``)."""
        return [fmt(v.minor) for v in self.versions if self._within(v, lts)]

    def _within(self, v: MinorVersion, lts: bool) -> bool:
        end = v.lts_end_of_life if lts and v.lts_end_of_life else v.end_of_life
        return v.ga <= self.as_of <= end

    def support(self, version: str, lts: bool | None) -> Support:
        """Support of ``version`` on ``as_of``; ``lts`` None: the cluster's support plan is unknown."""
        minor = parse_minor(version)
        if minor is None:
            return Support.UNKNOWN
        row = self.row(minor)
        if row is None:
            if all(minor > v.minor for v in self.versions):
                return Support.UNKNOWN  # newer than the calendar
            return Support.UNSUPPORTED if minor < min(v.minor for v in self.versions) else Support.UNKNOWN
        if row.ga > self.as_of:
            return Support.UNKNOWN  # not generally available on the data's date, perhaps by now
        if self._within(row, lts=False):
            return Support.SUPPORTED
        if row.lts_end_of_life is not None and self._within(row, lts=True):
            if lts is None:
                return Support.UNKNOWN
            return Support.SUPPORTED if lts else Support.UNSUPPORTED
        return Support.UNSUPPORTED


def parse_minor(version: str) -> tuple[int, int] | None:
    m = _VERSION.match(version.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def fmt(minor: tuple[int, int]) -> str:
    return f"{minor[0]}.{minor[1]}"


def _month(text: str) -> date:
    year, month = (int(x) for x in text.split("-")[:2])
    return date(year, month, 1)


def _end_of_month(text: str) -> date:
    parts = [int(x) for x in text.split("-")]
    if len(parts) == 3:
        return date(*parts)
    return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])


@cache
def aks_calendar() -> Calendar:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    versions = tuple(
        MinorVersion(
            minor=parse_minor(row["minor"]) or (0, 0),
            ga=_month(row["ga"]),
            end_of_life=_end_of_month(row["end_of_life"]),
            lts_end_of_life=_end_of_month(row["lts_end_of_life"]) if row.get("lts_end_of_life") else None,
        )
        for row in data["versions"]
    )
    return Calendar(date.fromisoformat(data["as_of"]), data["url"], versions)
