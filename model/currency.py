"""Currency conversion from one dated table (`artcost/data/exchange_rates.yaml`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import yaml

from artcost.errors import UserError
from artcost.paths import package_data


@dataclass(frozen=True)
class RateTable:
    as_of: str
    source: str
    per_usd: dict[str, float]

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
    def label(self) -> str:
        return f"{self.source}, as of {self.as_of}"


@functools.cache
def rate_table() -> RateTable:
    raw = yaml.safe_load(package_data("exchange_rates.yaml").read_text(encoding="utf-8"))
    return RateTable(as_of=str(raw["as_of"]), source=raw["source"], per_usd={k: float(v) for k, v in raw["rates"].items()})


def known_currencies() -> list[str]:
    return sorted(rate_table().per_usd)
