"""Currency conversion from dated yearly-average tables (`artcost/data/exchange_rates.yaml`).

`rate_table(year)` gives the table of one calendar year; a scenario converts at its `meta.as_of`
year (`rate_table_for(scenario)`). A year without a table takes the nearest year that has one
(the later of two equally near), and the table's `label` says which year was asked for and which
was used. `rate_table()` with no year is the latest table.

`parse_money` reads money the user typed with its currency ('45USD', '45 USD') into a scenario's
currency at a given year's table, and says which currency a plain number was read in.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import yaml

from artcost.errors import ArgumentError, UserError
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
                shown = c if len(c) <= 12 else c[:11] + "…"  # never a whole argument, however long
                raise ArgumentError("currency", f"unknown currency {shown!r}; known: {', '.join(sorted(self.per_usd))}")
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


# --------------------------------------------------------------------------- money typed by the user

_MONEY_TEXT = re.compile(r"^\s*([-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]{3})\s*$")


@dataclass(frozen=True)
class MoneyInput:
    """An amount the user typed (`--set human.wage_per_hour=45USD`, or a plain 45), in the scenario's currency.

    given_in: the currency typed, None when none was (then the amount is read in the scenario's currency);
    factor and rate: the conversion used (1 and None when none was needed)."""

    typed: str
    amount: float
    currency: str
    given_in: str | None = None
    factor: float = 1.0
    rate: RateTable | None = None

    @property
    def label(self) -> str:
        """What the source column says next to the figure."""
        if self.given_in is None:
            # the typed figure beside its currency: shown in another currency, 6.687 USD/h alone hid the 45
            return f"read as {self.amount:,.6g} {self.currency}, the scenario's currency"
        if self.given_in == self.currency:
            return f"given in {self.currency}"
        return (f"{self.typed} = {self.amount:,.6g} {self.currency} at {self.factor:.6g} {self.currency}/{self.given_in}, "
                f"{self.rate.label if self.rate else ''}").rstrip(", ")


def parse_money(text: Any, into: str, year: int | dt.date | str | None, what: str = "") -> MoneyInput | None:
    """`text` as money in currency `into`: '45USD' or '45 USD' converted at `year`'s table, a plain number
    read as `into`; None for anything else (left to the schema to judge).  UserError for an unknown
    currency code."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        if isinstance(text, int) and text.bit_length() > 1000:
            return None  # too large for a float: left to the schema, which bounds it as it bounds a file's figures
        return MoneyInput(typed=f"{text:g}", amount=float(text), currency=into)
    if not isinstance(text, str):
        return None
    m = _MONEY_TEXT.match(text)
    if m is None:
        return None
    number, code = float(m.group(1).replace("_", "")), m.group(2).upper()
    table = rate_table(year)
    if code not in table.per_usd:
        raise UserError(f"{what or text}: unknown currency {code!r}; known: {', '.join(sorted(table.per_usd))}")
    typed = f"{m.group(1)} {code}"
    if code == into:
        return MoneyInput(typed=typed, amount=number, currency=into, given_in=code)
    f = table.factor(code, into)
    return MoneyInput(typed=typed, amount=number * f, currency=into, given_in=code, factor=f, rate=table)


def currency_suffix(text: Any) -> str | None:
    """The currency code written after a number ('45USD' -> 'USD'), else None."""
    m = _MONEY_TEXT.match(text) if isinstance(text, str) else None
    return m.group(2).upper() if m else None
