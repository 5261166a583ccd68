"""Hosted image APIs: the dated price table (`artcost/data/api_prices.yaml`) and what one image costs.

An API bills per image, per megapixel of output, or by the step count (a schedule, or a price per extra
step); `compute.api` in a scenario holds the same three prices (`price_per_image`, `price_per_megapixel`,
`price_per_step` above `steps_included`), in the scenario's currency, or names a row of the table
(`from_price_table: fal-flux-dev`) whose prices are filled in, converted at the scenario's year's rate and
labelled with the row, provider, date and source. A price the scenario gives itself wins over the row's.

    megapixels        = resolution_px² / 1,000,000                      (10^6 px to the megapixel)
    billed_megapixels = ceil(megapixels) if the provider rounds up, else megapixels
    price per image   = price_per_image + price_per_megapixel × billed_megapixels
                        + price_per_step × max(0, steps − steps_included)
    api (per job)     = candidates_per_job × price per image

(`model/costs.py`, `api_costs`; docs/routes.md.)
"""

from __future__ import annotations

import copy
import functools
import math
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from artcost.model.tables import Part, RowSource, Table, TableRow, date_text, load_table
from artcost.model.suggest import did_you_mean

PIXELS_PER_MEGAPIXEL = 1_000_000
MODELS = ("sd15", "sdxl", "sdxl-turbo", "flux-schnell", "flux-dev", "flux-pro", "sd35-large", "sd35-medium",
          "sd35-large-turbo")


def check_model(v: str) -> str:
    """A model name of the tables' shared vocabulary, or other:<name>."""
    if v in MODELS or (v.startswith("other:") and len(v) > len("other:")):
        return v
    raise ValueError(f"unknown model {v!r}{did_you_mean(v, MODELS)}; known: {', '.join(MODELS)}, or other:<name>")


class Assumes(Part):
    """What the price refers to: resolution (as the page says it), steps, notes."""

    resolution: str | None = None
    steps: int | None = Field(None, gt=0, le=10_000)
    notes: str | None = None


class ExtraPrice(Part):
    per_step: float | None = Field(None, ge=0)


class ApiPriceRow(TableRow):
    """One provider x model x price, as read on its page (see the file's header comment)."""

    provider: str = Field(min_length=1)
    model: str
    provider_model: str = Field(min_length=1)
    pricing_unit: Literal["per_image", "per_megapixel", "per_step", "per_second"]
    price: float | None = Field(None, ge=0, le=1000)
    currency: Literal["USD"]
    usd_per_image: float | None = Field(None, ge=0, le=1000)
    extra_price: ExtraPrice | None = None
    price_by_steps: dict[int, float] | None = None
    assumes: Assumes
    latency_s_per_image: float | None = Field(None, gt=0)
    rate_limit: str | None = None
    as_of: str
    page_date: str | None = None
    source: RowSource
    primary: bool
    notes: str | None = None

    @field_validator("model")
    @classmethod
    def _model(cls, v: str) -> str:
        return check_model(v)

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of(cls, v: Any) -> str:
        return date_text(v)

    @field_validator("page_date", mode="before")
    @classmethod
    def _page_date(cls, v: Any) -> Any:
        return None if v is None else date_text(v)

    @field_validator("price_by_steps")
    @classmethod
    def _schedule(cls, v: dict[int, float] | None) -> dict[int, float] | None:
        if v is None:
            return v
        if len(v) < 1 or any(k <= 0 for k in v) or any(not (0 <= p <= 1000) for p in v.values()):
            raise ValueError("a schedule of step count (> 0) -> USD per image (>= 0)")
        return dict(sorted(v.items()))

    @model_validator(mode="after")
    def _priced(self):
        if self.pricing_unit in ("per_image", "per_megapixel", "per_second") and self.price is None:
            raise ValueError(f"price: required when pricing_unit is {self.pricing_unit}")
        if self.pricing_unit == "per_step" and self.price is None and not self.price_by_steps:
            raise ValueError("price: a per_step row needs a price per step or a price_by_steps schedule")
        if self.pricing_unit == "per_image" and self.usd_per_image is not None and not math.isclose(self.usd_per_image, self.price):
            raise ValueError(f"usd_per_image: a per_image row's usd_per_image is its price ({self.price:g}), "
                             f"got {self.usd_per_image:g}")
        return self

    @property
    def rounds_up(self) -> bool:
        """Whether the provider's page says it bills megapixels rounded up to the next whole one."""
        text = " ".join(x for x in (self.assumes.resolution, self.source.title, self.notes) if x).lower()
        return self.pricing_unit == "per_megapixel" and ("rounded up" in text or "rounding up" in text)

    @property
    def label(self) -> str:
        """'fal.ai fal-ai/flux-1/dev (FLUX.1 [dev]), $0.025 per megapixel, read 2026-12-01 (primary)'."""
        unit = {"per_image": "per image", "per_megapixel": "per megapixel", "per_step": "per step",
                "per_second": "per second"}[self.pricing_unit]
        price = f"${self.price:g} {unit}" if self.price is not None else "priced by step count"
        dated = f"page dated {self.page_date}, " if self.page_date else ""
        return (f"{self.provider} {self.provider_model}, {price}, {dated}read {self.as_of} "
                f"({'primary' if self.primary else 'secondary'}: {self.source.title})")


@functools.cache
def api_price_table() -> Table[ApiPriceRow]:
    """The shipped table, validated (UserError naming file, row and field when it is not)."""
    return load_table("api_prices", ApiPriceRow)


def megapixels(resolution_px: float) -> float:
    """Megapixels of a square image of side `resolution_px`: 1024 px -> 1.048576 MP (10^6 px each)."""
    return float(resolution_px) ** 2 / PIXELS_PER_MEGAPIXEL


def billed_megapixels(resolution_px: float, round_up: bool) -> float:
    mp = megapixels(resolution_px)
    return float(math.ceil(mp - 1e-12)) if round_up else mp


def schedule_price(schedule: dict[int, float], steps: int) -> tuple[float, str]:
    """USD per image at `steps` from a provider's price-by-steps schedule: the listed price, or linear
    interpolation between the two listed step counts around it (labelled). ValueError outside the schedule."""
    points = sorted(schedule.items())
    if steps in schedule:
        return schedule[steps], f"the schedule's price at {steps} steps"
    lo, hi = points[0][0], points[-1][0]
    if not lo <= steps <= hi:
        raise ValueError(f"{steps} steps is outside the provider's schedule ({lo}-{hi} steps)")
    for (s0, p0), (s1, p1) in zip(points, points[1:]):
        if s0 < steps < s1:
            p = p0 + (p1 - p0) * (steps - s0) / (s1 - s0)
            return p, f"interpolated between the schedule's {s0} steps (${p0:g}) and {s1} steps (${p1:g})"
    raise AssertionError("unreachable")


def price_fields(row: ApiPriceRow, steps: int | None) -> tuple[dict[str, float], dict[str, str], list[str]]:
    """The scenario fields (USD amounts) a row gives: {field: usd}, {field: how it was read}, notes.

    Fields: price_per_image, price_per_megapixel, price_per_step, steps_included; megapixel_rounding."""
    usd: dict[str, float] = {}
    how: dict[str, str] = {}
    notes: list[str] = []
    if row.pricing_unit == "per_image":
        usd["price_per_image"] = row.price
        how["price_per_image"] = "per image"
        if row.assumes.steps and steps and steps > row.assumes.steps:
            notes.append(f"the flat price refers to {row.assumes.steps} steps (the provider's default); "
                         f"the scenario runs {steps}")
    elif row.pricing_unit == "per_megapixel":
        usd["price_per_megapixel"] = row.price
        how["price_per_megapixel"] = "per megapixel" + (", billed rounding up to whole megapixels" if row.rounds_up else "")
        if row.rounds_up:
            notes.append("billed rounding up to whole megapixels; the page does not say whether a megapixel is "
                         "10^6 or 2^20 px (a 1024 px image is 1.05 or 1.00 MP): 10^6 assumed")
        if row.extra_price and row.extra_price.per_step:
            usd["price_per_step"] = row.extra_price.per_step
            how["price_per_step"] = (f"per extra step; which steps are 'extra' is not stated: steps above the "
                                     f"API default ({row.assumes.steps}) assumed")
            usd["steps_included"] = float(row.assumes.steps or 0)
    elif row.pricing_unit == "per_step":
        if row.price_by_steps:
            at = steps or row.assumes.steps or min(row.price_by_steps)
            price, read = schedule_price(row.price_by_steps, at)
            usd["price_per_image"] = price
            how["price_per_image"] = read + ("" if steps else " (the scenario gives no generation.steps: the row's default)")
        else:
            usd["price_per_step"] = row.price
            usd["steps_included"] = 0.0
            how["price_per_step"] = "per step"
    else:  # per_second: billed by compute time, which the scenario's seconds per image gives
        raise ValueError(f"{row.id} bills per second of compute; give the scenario its own price per image")
    return usd, how, notes


def fill_from_price_table(data: Any) -> Any:
    """A raw scenario dict with `compute.api.from_price_table` resolved: the row's prices, in the scenario's
    currency at its year's rate, written as {value, source} where the scenario gives none itself.

    Runs before validation (a `Scenario` before-validator); anything it cannot read is left to the schema."""
    if not isinstance(data, dict):
        return data
    compute = data.get("compute")
    api = compute.get("api") if isinstance(compute, dict) else None
    if not isinstance(api, dict) or not isinstance(api.get("from_price_table"), str):
        return data
    from artcost.errors import UserError
    from artcost.model.currency import known_currencies, rate_table

    table = api_price_table()
    ref = api["from_price_table"]
    if ref not in table.by_id:
        raise ValueError(f"compute.api.from_price_table {ref!r}: no such row in {table.file}"
                         f"{did_you_mean(ref, table.by_id)} ({len(table)} rows)")
    row = table.by_id[ref]
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    ccy = meta.get("currency")
    if ccy not in known_currencies():
        return data  # the schema says what is wrong with the currency
    gen = data.get("generation") if isinstance(data.get("generation"), dict) else {}
    steps = gen.get("steps") if isinstance(gen.get("steps"), int) and not isinstance(gen.get("steps"), bool) else None
    try:
        usd, how, _notes = price_fields(row, steps)
    except ValueError as exc:
        raise ValueError(f"compute.api.from_price_table {ref!r}: {exc}") from None
    try:
        rates = rate_table(meta.get("as_of"))
        fx = rates.factor("USD", ccy)
    except (UserError, ValueError, TypeError):
        return data  # a bad as_of or currency: the schema reports it
    out = copy.deepcopy(data)
    target = out["compute"]["api"]
    conv = "" if ccy == "USD" else f" = x{fx:.6g} {ccy}/USD ({rates.label})"  # a scenario file names its rate in full
    for key, amount in usd.items():
        if key in target:
            continue  # the scenario's own figure wins
        if key == "steps_included":
            target[key] = int(amount)
            continue
        target[key] = {"value": amount * fx,
                       "source": f"api_prices.yaml row {ref}: ${amount:g} {how[key]}{conv}; {row.label}"}
    if row.rounds_up and "megapixel_rounding" not in target:
        target["megapixel_rounding"] = "up"
    if row.latency_s_per_image is not None and "seconds_per_image" not in gen:
        out.setdefault("generation", {})["seconds_per_image"] = {
            "value": row.latency_s_per_image, "source": f"api_prices.yaml row {ref}: published latency"}
    return out


def rows_for_model(model: str | None) -> list[ApiPriceRow]:
    """Rows that sell `model` (the tables' vocabulary), cheapest first by their per-image figure where known."""
    return [r for r in api_price_table() if model is not None and r.model == model]
