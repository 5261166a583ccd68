"""Currency conversion from dated yearly-average tables (`artcost/data/exchange_rates.yaml`).

`rate_table(year)` gives the table of one calendar year; a scenario converts at its `meta.as_of`
year (`rate_table_for(scenario)`). A year without a table takes the nearest year that has one
(the later of two equally near), and the table's `label` says which year was asked for and which
was used. `rate_table()` with no year is the latest table.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import yaml

from artcost.errors import UserError
from artcost.paths import package_data


@dataclass(frozen=True)
class RateTable:
    as_of: str
    source: str
    per_usd: dict[str, float]
    year: int | None = None
    requested_year: int | None = None  # the year asked for, when no table exists for it

    def factor(self, from_ccy: str, to_ccy: str) -> float:
        """Multiply an amount in `from_ccy` by this to get `to_ccy`."""
        for c in (from_ccy, to_ccy):
            if c not in self.per_usd:
                raise UserError(
                    f"--currency: unknown currency {c!r}; known: {', '.join(sorted(self.per_usd))}"
                )
        return self.per_usd[to_ccy] / self.per_usd[from_ccy]

    def convert(self, amount, from_ccy: str, to_ccy: str):
        return np.asarray(amount, dtype=float) * self.factor(from_ccy, to_ccy)

    @property
    def fallback(self) -> bool:
        return self.requested_year is not None and self.requested_year != self.year

    @property
    def label(self) -> str:
        """The source and year, e.g. 'IRS yearly average ... 2024 (units per USD), as of 2024-12-31'; with
        '; no table for 2026, nearest year 2024 used' when the scenario's own year has none."""
        text = f"{self.source}, as of {self.as_of}"
        if self.fallback:
            text += f"; no table for {self.requested_year}, nearest year {self.year} used"
        return text


def _year_of(when: Any) -> int | None:
    if when is None:
        return None
    if isinstance(when, (dt.date, dt.datetime)):
        return when.year
    if isinstance(when, int):
        return when
    return int(str(when)[:4])


@functools.cache
def rate_tables() -> dict[int, RateTable]:
    """Every yearly table in the shipped file, by year."""
    raw = yaml.safe_load(package_data("exchange_rates.yaml").read_text(encoding="utf-8"))
    tables = {
        int(year): RateTable(as_of=str(block["as_of"]), source=block["source"],
                             per_usd={k: float(v) for k, v in block["rates"].items()}, year=int(year))
        for year, block in raw["years"].items()
    }
    codes = {frozenset(t.per_usd) for t in tables.values()}
    if len(codes) != 1:  # a currency known in one year but not another would convert only sometimes
        raise UserError("exchange_rates.yaml: every year must list the same currencies")
    return tables


@functools.cache
def rate_table(year: int | dt.date | str | None = None) -> RateTable:
    """The table of `year` (a year, a date or 'YYYY-...'); the nearest year's, labelled, when it has none;
    the latest table when `year` is None."""
    tables = rate_tables()
    want = _year_of(year)
    if want is None:
        return tables[max(tables)]
    if want in tables:
        return tables[want]
    nearest = min(tables, key=lambda y: (abs(y - want), -y))
    return replace(tables[nearest], requested_year=want)


def rate_table_for(scenario: Any) -> RateTable:
    """The table of a scenario's `meta.as_of` year (a Scenario or a LoadedScenario)."""
    sc = getattr(scenario, "scenario", scenario)
    return rate_table(sc.meta.as_of)


def known_currencies() -> list[str]:
    return sorted(rate_table().per_usd)
