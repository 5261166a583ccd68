"""What a GPU of the catalogue costs to own and to rent (`artcost/data/gpu_offers.yaml`), as scenario figures.

Each row gives a new card's price, its rated board power and, where known, the range of an hour's rent;
`owned_price` and `rent_price` write them as scenario quantities ({value, source} or a uniform/triangular
distribution over a published range) in the scenario's currency, converted at its year's rate and labelled.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from artcost.model.tables import Part, Table, TableRow, date_text, load_table


class Figure(Part):
    value: float = Field(gt=0, le=1e6)
    source: str = Field(min_length=3)


class Price(Part):
    """A price: one value, or a published range (low, high, optionally the most common price)."""

    value: float | None = Field(None, gt=0, le=1e7)
    low: float | None = Field(None, gt=0, le=1e7)
    mode: float | None = Field(None, gt=0, le=1e7)
    high: float | None = Field(None, gt=0, le=1e7)
    date: str
    basis: Literal["primary", "secondary"]
    source: str = Field(min_length=3)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> str:
        return date_text(v)

    @model_validator(mode="after")
    def _one_way(self):
        if (self.value is None) == (self.low is None and self.high is None):
            raise ValueError("give a value, or a range (low and high), not both")
        if self.value is None:
            if self.low is None or self.high is None or not self.low < self.high:
                raise ValueError("a range needs low < high")
            if self.mode is not None and not self.low <= self.mode <= self.high:
                raise ValueError("mode must lie between low and high")
        return self

    @property
    def central(self) -> float:
        if self.value is not None:
            return self.value
        return self.mode if self.mode is not None else (self.low + self.high) / 2

    def quantity(self, factor: float, label: str) -> dict[str, Any]:
        """This price x `factor` as a scenario figure ({value, source} or a distribution), sourced with `label`."""
        if self.value is not None:
            return {"value": self.value * factor, "source": label}
        if self.mode is not None:
            return {"dist": "triangular", "low": self.low * factor, "mode": self.mode * factor,
                    "high": self.high * factor, "source": label}
        return {"dist": "uniform", "low": self.low * factor, "high": self.high * factor, "source": label}

    def text(self) -> str:
        if self.value is not None:
            return f"${_usd(self.value)}"
        mid = f", most often ${_usd(self.mode)}" if self.mode is not None else ""
        return f"${_usd(self.low)}-{_usd(self.high)}{mid}"


def _usd(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.4g}"


class Share(Part):
    """A share of the purchase price (0-1), with where it comes from."""

    value: float = Field(ge=0, le=1)
    source: str = Field(min_length=3)


class OfferRow(TableRow):
    device: str = Field(min_length=2)
    seller: str | None = None  # who rents it, when the row is one seller's
    board_power_w: Figure
    purchase_usd: Price | None = None  # None: no purchase price found (said in the row's notes)
    rent_usd_per_gpu_hour: Price | None = None
    resale_share: Share | None = None  # resale value at the end of its life, as a share of the price
    notes: str | None = None


@functools.cache
def gpu_offers() -> Table[OfferRow]:
    return load_table("gpu_offers", OfferRow)


def offer_for(device: str) -> OfferRow | None:
    """The offer of the GPU `device` (matched by chip), or None."""
    from artcost.model.measured import device_key

    key = device_key(device)
    return next((o for o in gpu_offers() if device_key(o.device) == key), None)


def converted(price: Price, ccy: str, rates, unit: str) -> dict[str, Any]:
    """`price` (USD) as a scenario figure in `ccy` at `rates` (a currency.RateTable), labelled with its source."""
    fx = rates.factor("USD", ccy)
    conv = "" if ccy == "USD" else f"; x{fx:.6g} {ccy}/USD, {rates.year}'s rate"
    return price.quantity(fx, f"gpu_offers.yaml: {price.text()}{unit}, {price.date} ({price.basis}: {price.source}){conv}")
