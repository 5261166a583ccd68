"""Every way to get the scenario's image, side by side (issue #17; docs/routes.md).

For the scenario's job (its finals, candidates, acceptance rate and human time), each route is a scenario
of its own, the same file with only the way of getting the images changed, run through the same cost
model and the same Monte Carlo headline (`headline.headline_for`), so `artcost cost` on a route's scenario
gives the same figures (`Route.loaded.raw` is that scenario; `--json` carries it):

* **the scenario** as written;
* **own** each of a few GPUs of the catalogue (`gpu_offers.yaml`: a new card's price, its power), at the
  speed a published run gives at the job's settings (`catalogue.speed_at`, scaled by counted FLOPs), with
  the owner's figures (lifetime, hours a year, tariff, PUE, rest of the system) the scenario's when it owns
  a GPU, else labelled defaults;
* **rent** them by the GPU-hour (`gpu_offers.yaml`'s published ranges), billed by the scenario's rules
  when it rents, else the schema's defaults (per second, no minimum, no start-up), said so;
* **API**: the price table's rows for the scenario's model (else the cheapest row of each open model
  family), priced per image, per megapixel or by steps at the job's settings;
* **subscription**: the shipped Midjourney scenario's plan;
* **this machine, measured**, when a benchmark record is given;
* **the artist**.

The human inputs are the scenario's on every machine route (prompt tuning, learning, screening, attending
at the route's own generation time, retouching). Each route carries its delivery time and its energy and
carbon per usable image (`carbon.Carbon`: a published or measured energy, or the rated power times the
time labelled an estimate, or none, said so). `breakeven` solves the monthly volume above which owning a
GPU bought for the work beats renting it, the cheapest API and the subscription (`breakeven.solve_crossings`).
"""

from __future__ import annotations

import copy
import datetime as dt
import math

import numpy as np
from dataclasses import dataclass, field
from typing import Any, Mapping


from artcost.errors import ArgumentError, UserError
from artcost.model import costs
from artcost.model.api_prices import ApiPriceRow, api_price_table, billed_megapixels, price_fields
from artcost.model.carbon import ARTIST_CARBON_SOURCE, ARTIST_G_CO2E_PER_IMAGE, Carbon, Intensity, intensity_for
from artcost.model.catalogue import SCOPE_WORDS, NotScalable, PublishedSpeed, best_row, speed_at
from artcost.model.currency import rate_table_for
from artcost.model.gpu_offers import OfferRow, converted, gpu_offers
from artcost.model.distributions import magnitude_problem
from artcost.model.headline import DEFAULT_DRAWS, DEFAULT_SEED, Headline, Spread, headline_for
from artcost.model.loader import LoadedScenario, load_scenario, validate_raw
from artcost.model.quantity import Quantity
from artcost.units import money
from artcost.model.route_breakeven import HOURS_PER_YEAR_MAX, Crossing, breakeven
from artcost.model.route_pairs import (MATERIALITY, TIE_RULE, Draws, Paired, artist_draws, base_inputs, human_share, machine_draws,
                                       rank_groups, route_inputs)

KIND_ORDER = ("scenario", "measured", "own", "rent", "api", "subscription", "artist")
KIND_WORDS = {"scenario": "the scenario", "measured": "this machine, measured", "own": "own", "rent": "rent",
              "api": "API", "subscription": "subscription", "artist": "artist"}
OPEN_FAMILIES = ("sdxl", "flux-schnell", "flux-dev", "sd35-medium", "sd35-large")
SUBSCRIPTION_FILE = "subscription-midjourney.yaml"

DEFAULT_OWNER = {
    "lifetime_years": {"value": 4, "source": "assumption: a GPU bought for this work is written off over 4 years "
                                             "(the scenario owns no GPU to take the figure from)"},
}
DEFAULT_RESALE_SHARE = 0.3
DEFAULT_RESALE_SOURCE = ("assumption: sold for 30% of its price at the end of its life (no published resale figure "
                         "for this card in gpu_offers.yaml; the seed assumes the same share for its own card)")
UNKNOWN_LATENCY_S = 1e-9  # the schema needs a positive speed; this one counts no time
IDLE_NOTE = ("idle draw not counted: the card is assumed switched off, or its machine used for other work, between "
             "jobs (only the work's GPU time draws power)")
US_TARIFF_USD = 0.16  # EIA: US residential average 15.04 c/kWh in 2022, about 16 c in 2023
US_TARIFF_SOURCE = ("US Energy Information Administration (EIA): residential average about 16 c/kWh in 2023; the scenario "
                    "owns no GPU, so it has no tariff of its own")


@dataclass
class Route:
    """One way of getting the scenario's images.

    cost: AI cost per usable image (median and 5th-95th percentile of the seeded Monte Carlo, or the artist's
    price per image), money in the scenario's currency; point: the central-value model's figures (per usable
    image: `per_usable_image`, `compute`, `human`; per job: `delivery_hours`, `gpu_seconds`, `wall_seconds`);
    loaded: the route's own scenario (None for the artist and for a machine measured but not priced)."""

    key: str
    kind: str
    name: str
    model: str | None
    speed_source: str
    price_source: str
    loaded: LoadedScenario | None = None
    headline: Headline | None = None
    cost: Spread | None = None
    point: dict[str, float] = field(default_factory=dict)
    delivery_hours: float | None = None
    carbon: Carbon | None = None
    notes: list[str] = field(default_factory=list)
    unpriced_because: str | None = None
    rank: int | None = None
    tied: bool = False  # tied with the best route (route_pairs.TIE_RULE)
    tied_group: bool = False  # shares its rank with another route
    vs_scenario: Paired | None = None  # this route minus the scenario's own way, draw by draw
    vs_best: Paired | None = None  # this route minus the best route, draw by draw
    machine_only: Spread | None = None  # the machine's part of the cost per usable image (compute items)
    latency_known: bool = True  # False: an API whose latency is not published (its time is left out)
    price_dates: list[str] = field(default_factory=list)  # dates of the table rows that price it

    @property
    def is_machine(self) -> bool:
        return self.kind != "artist"

    @property
    def rank_label(self) -> str | None:
        """'3', or '=1' for a rank shared with a tied route."""
        if self.rank is None:
            return None
        return f"={self.rank}" if self.tied_group else str(self.rank)

    def to_dict(self, factor: float = 1.0, carbon_price: float | None = None) -> dict[str, Any]:
        out = {
            "rank": self.rank, "rank_label": self.rank_label, "tied": self.tied, "key": self.key, "kind": self.kind, "name": self.name, "model": self.model,
            "cost_per_usable_image": None if self.cost is None else self.cost.scaled(factor).to_dict(),
            "vs_scenario": None if self.vs_scenario is None else self.vs_scenario.to_dict(factor),
            "vs_best": None if self.vs_best is None else self.vs_best.to_dict(factor),
            "machine_only_per_usable_image": None if self.machine_only is None else self.machine_only.scaled(factor).to_dict(),
            "latency_known": self.latency_known,
            "point": {k: (v * factor if k in ("per_usable_image", "compute", "human") else v) for k, v in self.point.items()},
            "delivery_hours": self.delivery_hours,
            "carbon": None if self.carbon is None else self.carbon.to_dict(carbon_price),
            "speed_source": self.speed_source,
            "price_source": self.price_source,
            "notes": self.notes,
            "unpriced_because": self.unpriced_because,
            "headline": None if self.headline is None else self.headline.to_dict(),
            "scenario": None if self.loaded is None else self.loaded.raw,
        }
        if out["carbon"] is not None and out["carbon"]["carbon_money_per_usable_image"] is not None:
            out["carbon"]["carbon_money_per_usable_image"] *= factor
        return out


@dataclass
class RoutesResult:
    loaded: LoadedScenario
    routes: list[Route]
    crossings: list[Crossing]
    curves: dict[str, Any]
    intensity: Intensity
    carbon_price: float | None
    jobs_per_month: float
    jobs_per_month_source: str
    skipped: list[str]
    notes: list[str]
    human_share: float = float("nan")  # people's share of the scenario's own cost per usable image (median)

    @property
    def findings(self) -> list[str]:
        return tie_findings(self.routes, self.human_share, 1.0, self.currency)

    @property
    def currency(self) -> str:
        return self.loaded.scenario.meta.currency

    def factor(self, currency: str | None) -> float:
        return rate_table_for(self.loaded).factor(self.currency, (currency or self.currency).upper())

    def to_dict(self, currency: str | None = None) -> dict[str, Any]:
        f = self.factor(currency)
        sc = self.loaded.scenario
        return {
            "kind": "routes",
            "scenario": {"name": sc.meta.name, "file": self.loaded.path, "as_of": str(sc.meta.as_of),
                         "compute": sc.compute.kind, "device": sc.generation.device,
                         "settings": _settings(sc), "currency": self.currency},
            "rates": rate_table_for(self.loaded).label,
            "currency": (currency or self.currency).upper(),
            "exchange_rate": None if f == 1.0 else {"from": self.currency, "to": (currency or self.currency).upper(),
                                                    "factor": f, "source": rate_table_for(self.loaded).label},
            "statistic": ("cost per usable image: median and 5th/95th percentiles of each route's seeded Monte Carlo "
                          "(its headline, as `artcost cost` on its scenario gives); ranked by the median of the paired "
                          "difference to the scenario's own way (vs_scenario: this route minus the scenario's, draw by "
                          "draw on the same draws of the shared inputs; p_cheaper = share of draws where this route "
                          "is cheaper)"),
            "tie_rule": TIE_RULE,
            "findings": tie_findings(self.routes, self.human_share, f, (currency or self.currency).upper()),
            "human_share_of_scenario_cost": self.human_share,
            "grid": {"g_co2e_per_kwh": self.intensity.g_per_kwh, "source": self.intensity.label,
                     "row": self.intensity.row.id},
            "carbon_price_per_tonne": None if self.carbon_price is None else self.carbon_price * f,
            "jobs_per_month": self.jobs_per_month, "jobs_per_month_source": self.jobs_per_month_source,
            "routes": [r.to_dict(f, self.carbon_price) for r in self.routes],
            "breakeven": [c.to_dict() for c in self.crossings],
            "curves": {**self.curves, "cost": {k: [x * f for x in v] for k, v in self.curves.get("cost", {}).items()}},
            "skipped": self.skipped,
            "notes": self.notes,
        }


# --------------------------------------------------------------------------- helpers


def _settings(sc) -> str:
    g = sc.generation
    return f"{g.arch or 'model ?'} {g.resolution_px or '?'}px, {g.steps or '?'} steps"


def quantity_raw(q: Quantity, source: str | None = None) -> dict[str, Any]:
    """A Quantity as a scenario file writes it ({value, source} or {dist: kind, ..., source})."""
    src = source if source is not None else q.source
    if q.dist is not None:
        return {**q.dist.model_dump(), "source": src}
    return {"value": q.value, "source": src}


def _variant(base: LoadedScenario, key: str, kind: str, section: dict[str, Any], generation: dict[str, Any],
             job: dict[str, Any] | None = None, labels: dict[str, str] | None = None) -> LoadedScenario:
    """The base scenario with its compute replaced by `kind: section` and `generation` updated: a route's scenario."""
    raw = copy.deepcopy(base.raw)
    raw.pop("market", None)
    old = raw.get("compute") or {}
    raw["compute"] = {k: v for k, v in old.items() if k in ("grid_region", "datacentre_pue", "carbon_price_per_tonne")}
    raw["compute"][kind] = section
    gen = raw.setdefault("generation", {})
    for k in ("from_bench", "from_catalogue"):
        gen.pop(k, None)
    # the base's filled-in speed (a catalogue row's) is written out, so the route's file stands alone
    gen.setdefault("seconds_per_image", quantity_raw(base.scenario.generation.seconds_per_image,
                                                     base.source_of("generation.seconds_per_image")))
    gen.update(generation)
    if job:
        raw.setdefault("job", {}).update(job)
    shown = f"{base.path} [route {key}]"
    scenario = validate_raw(raw, {}, shown)
    overrides = {p: lab for p, lab in base.overrides.items() if not p.startswith(("compute.", "generation."))}
    # the figures a route sets carry their own source: shown as it is, not as a line of the scenario's file
    for prefix, part in ((f"compute.{kind}.", section), ("generation.", generation), ("job.", job or {})):
        for k, v in part.items():
            if isinstance(v, dict) and isinstance(v.get("source"), str):
                overrides[prefix + k] = v["source"]
    overrides.update(labels or {})
    return LoadedScenario(scenario=scenario, path=shown, raw=raw, overrides=overrides)


def _point(loaded: LoadedScenario) -> dict[str, float]:
    sc = loaded.scenario
    ai = costs.ai_job(sc.values(), sc.compute.kind)
    usable = float(ai["usable_images"])
    return {
        "per_usable_image": float(ai["per_usable_image"]),
        "compute": float(ai["compute_total"]) / usable,
        "human": float(ai["human_total"]) / usable,
        "usable_images": usable,
        "delivery_hours": float(ai["delivery_hours"]),
        "gpu_seconds": float(ai["gpu_seconds"]),
        "wall_seconds": float(ai["wall_seconds"]),
    }


def _priced(route: Route, loaded: LoadedScenario) -> Route:
    route.loaded = loaded
    route.headline = headline_for(loaded)
    route.cost = route.headline.ai
    route.point = _point(loaded)
    route.delivery_hours = route.point["delivery_hours"]
    return route


def _energy_owned(loaded: LoadedScenario, point: dict[str, float]) -> tuple[float, str, str]:
    """kWh per usable image at the device of an owned GPU (board + rest of system x GPU time), what it is, and its
    basis in two words."""
    own = loaded.scenario.compute.owned
    board, system = own.board_power_w.central, own.system_power_w.central
    kwh = point["gpu_seconds"] * (board + system) / costs.JOULES_PER_KWH / point["usable_images"]
    src = loaded.source_of("compute.owned.board_power_w")
    bare = src.split(": ", 1)[1] if src.startswith(loaded.path + ": ") else src
    if bare.startswith("published"):
        what, basis = f"{board:.0f} W board power: {bare}", "published, GPU board"
    elif "bench record" in src:
        what, basis = f"measured: {board:.0f} W ({src})", "measured"
    else:
        what, basis = f"estimate: rated board power {board:.0f} W ({src}) x GPU time; not a measurement", "rated power, estimate"
    if system:
        what += f"; + {system:.0f} W rest of the system ({loaded.source_of('compute.owned.system_power_w')})"
        basis += " + system"
    return kwh, what, basis


def _pue_cloud(sc) -> tuple[float, str]:
    if sc.compute.datacentre_pue is not None:
        return sc.compute.datacentre_pue.central, f"compute.datacentre_pue: {sc.compute.datacentre_pue.source or 'given'}"
    return 1.0, "default: 1.0, no data-centre overhead counted (compute.datacentre_pue sets one)"


def _carbon_for(route: Route, intensity: Intensity, sp: PublishedSpeed | None = None,
                offer: OfferRow | None = None, none_why: str | None = None) -> Carbon:
    """The route's energy and carbon per usable image; never invented (none, said why, when there is no figure)."""
    loaded = route.loaded
    if loaded is None or none_why is not None:
        return Carbon(None, none_why or "no energy figure", 1.0, "", intensity)
    sc = loaded.scenario
    kind = sc.compute.kind
    p = route.point
    candidates = sc.generation.candidates_per_job.central
    if kind == "owned":
        kwh, what, basis = _energy_owned(loaded, p)
        return Carbon(kwh, what, sc.compute.owned.pue.central, loaded.source_of("compute.owned.pue"), intensity, basis)
    if kind == "cloud":
        pue, pue_src = _pue_cloud(sc)
        if sp is not None and sp.joules_per_image is not None:
            kwh = sp.joules_per_image * candidates / costs.JOULES_PER_KWH / p["usable_images"]
            return Carbon(kwh, sp.energy_label, pue, pue_src, intensity,
                          f"published, {SCOPE_WORDS[sp.row.energy_scope].split(' (')[0]}")
        if offer is not None:
            kwh = p["gpu_seconds"] * offer.board_power_w.value / costs.JOULES_PER_KWH / p["usable_images"]
            return Carbon(kwh, f"estimate: rated board power {offer.board_power_w.value:.0f} W "
                               f"({offer.board_power_w.source}) x GPU time; the published run gives no energy",
                          pue, pue_src, intensity, "rated power, estimate")
        return Carbon(None, "no energy figure: the scenario gives no power for its rented GPU (generation.from_catalogue "
                            "with a run that publishes joules gives one)", pue, pue_src, intensity)
    return Carbon(None, "no energy figure: the provider publishes none", 1.0, "", intensity)


# --------------------------------------------------------------------------- the routes


def _scenario_route(base: LoadedScenario, intensity: Intensity) -> Route:
    sc = base.scenario
    words = {"owned": "owns", "cloud": "rents", "subscription": "subscribes to", "api": "calls an API on"}[sc.compute.kind]
    device = sc.generation.device or "its GPU"
    if words == "rents":  # a scenario's device may say "(rented)" already: "rents NVIDIA H100 SXM (rented)"
        device = device.replace(" (rented)", "")
    r = Route(key="scenario", kind="scenario", name=f"the scenario: {words} {device}",
              model=sc.generation.arch, speed_source=base.source_of("generation.seconds_per_image"),
              price_source=f"the scenario's compute.{sc.compute.kind}")
    _priced(r, base)
    sp = None
    ref = sc.generation.from_catalogue
    if ref and base.source_of("generation.seconds_per_image").split(": ", 1)[-1].startswith("published"):
        from artcost.model.catalogue import catalogue

        row = catalogue().by_id[ref]
        try:
            sp = speed_at(row, sc.generation.arch, sc.generation.resolution_px, sc.generation.steps)
        except NotScalable:
            sp = None
    r.carbon = _carbon_for(r, intensity, sp=sp)
    return r


def _gpu_routes(base: LoadedScenario, intensity: Intensity, skipped: list[str], jobs: float, jobs_src: str
                ) -> list[Route]:
    sc = base.scenario
    gen = sc.generation
    from artcost.model.measured import device_key

    if gen.arch is None:
        skipped.append("owning and renting a GPU: the scenario names no model architecture (generation.arch), "
                       "so no published run can give a GPU's speed for its job")
        return []
    ccy = sc.meta.currency
    rates = rate_table_for(base)
    own_key = device_key(gen.device)
    out: list[Route] = []
    for offer in gpu_offers():
        row, passed = best_row(device_key(offer.device), gen.arch, gen.resolution_px, gen.steps)
        if row is None:
            why = "; ".join(passed) if passed else f"no published {gen.arch} run on it"
            skipped.append(f"{offer.device}: no usable published run for {_settings(sc)} ({why})")
            continue
        sp = speed_at(row, gen.arch, gen.resolution_px, gen.steps)
        speed = {"seconds_per_image": {"value": sp.gpu_seconds_per_image, "source": sp.label},
                 "device": offer.device}
        if row.batch_size:
            speed["batch_size"] = row.batch_size
        same = own_key and device_key(offer.device) == own_key
        # own it
        if offer.purchase_usd is None:
            if offer.seller is None:  # a seller's row is the same card as the market row: nothing to say twice
                skipped.append(f"owning {offer.device}: no purchase price with a source in gpu_offers.yaml")
        elif same and sc.compute.kind == "owned":
            skipped.append(f"owning {offer.device}: the scenario's own GPU (its own route)")
        else:
            out.append(_own_route(base, offer, sp, speed, ccy, rates, intensity, jobs, jobs_src))
        # rent it
        if offer.rent_usd_per_gpu_hour is None:
            skipped.append(f"renting {offer.device}: no published hourly price in gpu_offers.yaml")
        elif same and sc.compute.kind == "cloud" and offer.seller is None:  # a named seller's price is another way
            skipped.append(f"renting {offer.device}: the scenario's own rented GPU (its own route)")
        else:
            out.append(_rent_route(base, offer, sp, speed, ccy, rates, intensity))
    return out


def owned_hours(jobs: float, candidates: float, seconds_per_image: float, gpus: float) -> float:
    """Hours a year a GPU bought for this work alone is busy: 12 x jobs a month x a job's GPU-seconds / 3,600 /
    GPUs, at most a (leap) year's hours; the same formula `route_breakeven.own_cost` sweeps."""
    return min(12.0 * jobs * candidates * seconds_per_image / 3600.0 / gpus, HOURS_PER_YEAR_MAX)


def _resale(base, offer: OfferRow, price_central_usd: float, fx: float) -> tuple[float, str]:
    """A catalogue card's resale value at the end of its life: the row's published share, else the scenario's own
    card's share (resale / purchase price), else the labelled default."""
    if offer.resale_share is not None:
        share, src = offer.resale_share.value, f"gpu_offers.yaml: {offer.resale_share.source}"
    else:
        own = base.scenario.compute.owned
        if own is not None and own.resale_value.central > 0 and own.purchase_price.central > 0:
            share = own.resale_value.central / own.purchase_price.central
            src = (f"the scenario's own card's resale share ({share:.0%} of its price: "
                   f"{base.source_of('compute.owned.resale_value')})")
        else:
            share, src = DEFAULT_RESALE_SHARE, DEFAULT_RESALE_SOURCE
    value = share * price_central_usd * fx
    return value, f"{share:.0%} of the central purchase price, ${price_central_usd * share:,.0f}: {src}"


def _own_route(base, offer: OfferRow, sp: PublishedSpeed, speed: dict, ccy: str, rates, intensity,
               jobs: float, jobs_src: str) -> Route:
    sc = base.scenario
    fx = rates.factor("USD", ccy)
    section: dict[str, Any] = {"purchase_price": converted(offer.purchase_usd, ccy, rates, "")}
    notes: list[str] = []
    # a GPU bought for this work is busy the work's own hours at the scenario's volume, not a fixed 2,000 h a year
    # (which priced owning an RTX 4090 below renting it at 4 jobs a month, ~11 GPU-hours a year): the ranking and
    # the break-even table then use the same hours and cannot disagree
    hours = owned_hours(jobs, sc.generation.candidates_per_job.central, sp.gpu_seconds_per_image,
                        sc.generation.gpus.central)
    section["hours_used_per_year"] = {
        "value": hours,
        "source": (f"the work's own hours at {jobs:g} job{'' if jobs == 1 else 's'} a month ({jobs_src}): 12 x jobs x "
                   f"{sc.generation.candidates_per_job.central:g} candidates x {sp.gpu_seconds_per_image:.3g} s / 3,600 "
                   f"/ {sc.generation.gpus.central:g} GPU{'s' if sc.generation.gpus.central != 1 else ''} = {hours:.3g} h "
                   "a year (a GPU bought for this work alone)")}
    resale, resale_src = _resale(base, offer, offer.purchase_usd.central, fx)
    section["resale_value"] = {"value": resale, "source": resale_src}
    if sc.compute.owned is not None:
        for f in ("lifetime_years", "price_per_kwh", "pue", "system_power_w"):
            q = getattr(sc.compute.owned, f)
            section[f] = quantity_raw(q, f"the scenario's owner figure: {base.source_of('compute.owned.' + f)}")
        notes.append("the owner's figures (lifetime, tariff, PUE, rest of the system) are the scenario's; the hours "
                     "a year are this work's own at the scenario's volume"
                     + (f", not the scenario's {sc.compute.owned.hours_used_per_year.central:,.0f} h for its own card "
                        "(shared with its other use)" if sc.compute.owned.hours_used_per_year.central > hours else ""))
    else:
        section.update(copy.deepcopy(DEFAULT_OWNER))
        section["price_per_kwh"] = {"value": US_TARIFF_USD * fx, "source": US_TARIFF_SOURCE}
        notes.append("the scenario owns no GPU: lifetime and tariff are labelled defaults; the hours a year are this "
                     "work's own at the scenario's volume")
    notes.append(IDLE_NOTE)
    if sp.mean_power_w is not None and sp.row.energy_scope == "gpu_only":
        section["board_power_w"] = {"value": sp.mean_power_w,
                                    "source": f"published mean power per GPU, J / GPU-s ({sp.energy_label})"}
    else:
        section["board_power_w"] = {"value": offer.board_power_w.value, "source": offer.board_power_w.source}
    r = Route(key=f"own:{offer.id}", kind="own", name=f"own an {offer.device}", model=sp.row.model,
              speed_source=sp.label, price_source=section["purchase_price"]["source"], notes=notes + list(sp.notes),
              price_dates=[offer.purchase_usd.date])
    _priced(r, _variant(base, r.key, "owned", section, speed))
    r.carbon = _carbon_for(r, intensity, sp=sp, offer=offer)
    return r


def _rent_route(base, offer: OfferRow, sp: PublishedSpeed, speed: dict, ccy: str, rates, intensity) -> Route:
    sc = base.scenario
    section: dict[str, Any] = {"price_per_gpu_hour": converted(offer.rent_usd_per_gpu_hour, ccy, rates, " per GPU-hour")}
    notes: list[str] = []
    if sc.compute.cloud is not None:
        for f in ("billing_granularity_seconds", "minimum_billed_seconds", "startup_seconds_per_gpu"):
            section[f] = quantity_raw(getattr(sc.compute.cloud, f),
                                      f"the scenario's billing rule: {base.source_of('compute.cloud.' + f)}")
        notes.append("billing rules (granularity, minimum, start-up) are the scenario's")
    else:
        notes.append("billing rules are the schema's defaults: per-second billing, no minimum, no billed start-up")
    seller = f" ({offer.seller})" if offer.seller else ""
    r = Route(key=f"rent:{offer.id}", kind="rent", name=f"rent an {offer.device}{seller}", model=sp.row.model,
              speed_source=sp.label, price_source=section["price_per_gpu_hour"]["source"], notes=notes + list(sp.notes),
              price_dates=[offer.rent_usd_per_gpu_hour.date])
    _priced(r, _variant(base, r.key, "cloud", section, {**speed, "device": f"{offer.device} (rented)"}))
    r.carbon = _carbon_for(r, intensity, sp=sp, offer=offer)
    if r.carbon.energy_kwh is not None:
        r.notes.append("the data centre is assumed on the scenario's grid")
    return r


def api_usd_per_image(row: ApiPriceRow, resolution_px: int | None, steps: int | None) -> float | None:
    """What one image costs at (resolution, steps) under a row's pricing, in USD (None when it cannot be said)."""
    try:
        usd, _, _ = price_fields(row, steps)
    except ValueError:
        return None
    total = usd.get("price_per_image", 0.0)
    if "price_per_megapixel" in usd:
        if resolution_px is None:
            return None
        total += usd["price_per_megapixel"] * billed_megapixels(resolution_px, row.rounds_up)
    if "price_per_step" in usd:
        if steps is None:
            return None
        total += usd["price_per_step"] * max(0, steps - int(usd.get("steps_included", 0)))
    return total


def pick_api_rows(arch: str | None, resolution_px: int | None, steps: int | None, all_apis: bool = False
                  ) -> tuple[list[ApiPriceRow], str]:
    """The API rows to show: every row (`all_apis`), else the rows of the scenario's model, else the cheapest row
    of each open model family at the job's settings; and a sentence saying which."""
    rows = list(api_price_table())
    if all_apis:
        return rows, f"every row of the price table ({len(rows)})"
    same = [r for r in rows if arch is not None and r.model == arch]
    if same:
        return same, f"the price table's rows for {arch}"
    picked = []
    for family in OPEN_FAMILIES:
        priced = [(api_usd_per_image(r, resolution_px, steps), r) for r in rows if r.model == family]
        priced = [(p, r) for p, r in priced if p is not None]
        if priced:
            picked.append(min(priced, key=lambda x: x[0])[1])
    model = arch or "the scenario's model"
    why = (f"no API in the price table sells {model}: the cheapest row of each open model "
           f"family ({', '.join(OPEN_FAMILIES)}) at the job's settings (all {len(rows)} rows on request)")
    return picked, why


def _api_route(base: LoadedScenario, row: ApiPriceRow, intensity: Intensity) -> Route | str:
    sc = base.scenario
    gen = sc.generation
    section: dict[str, Any] = {"from_price_table": row.id}
    generation: dict[str, Any] = {"device": f"{row.provider} API ({row.provider_model})"}
    labels = {}
    if row.latency_s_per_image is None:
        # not the scenario's own speed (that borrowed a 3060 Ti's 2.75 s for every API and moved the break-even by
        # a third): unknown, so no generation time is counted, and the route says so
        generation["seconds_per_image"] = {"value": UNKNOWN_LATENCY_S, "source": (
            f"latency not published by {row.provider}: unknown, left out of attending time and delivery "
            f"({UNKNOWN_LATENCY_S:g} s stands in for it)")}
        generation["batch_size"] = 1
    else:  # the variant keeps the scenario's speed unless told otherwise: the published latency replaces it
        generation["seconds_per_image"] = {"value": row.latency_s_per_image,
                                           "source": f"published latency of {row.provider}: {row.label}"}
        generation["batch_size"] = 1
    try:
        _, _, notes = price_fields(row, gen.steps)
        loaded = _variant(base, f"api:{row.id}", "api", section, generation, labels=labels)
    except (ValueError, UserError) as exc:
        text = exc.problems[0] if isinstance(exc, UserError) else str(exc)
        return f"API {row.id}: {text}"
    notes = list(notes)
    if row.model != gen.arch:
        notes.insert(0, f"runs {row.model}, not the scenario's {gen.arch or 'model'}: the scenario's candidates and "
                        "acceptance rate are kept")
    if not row.primary:
        notes.append("price from a secondary page")
    r = Route(key=f"api:{row.id}", kind="api", name=f"API: {row.provider} {row.provider_model}", model=row.model,
              speed_source=loaded.source_of("generation.seconds_per_image"), price_source=row.label, notes=notes,
              latency_known=row.latency_s_per_image is not None, price_dates=[row.page_date or row.as_of])
    if not r.latency_known:
        r.notes.append("the API's own generation time is unknown: delivery is at least the figure shown")
    _priced(r, loaded)
    r.carbon = _carbon_for(r, intensity, none_why=f"no energy figure: {row.provider} publishes none")
    return r


def _subscription_route(base: LoadedScenario, intensity: Intensity, jobs: float, jobs_source: str) -> Route | str:
    from artcost.paths import shipped_scenarios_dir

    sc = base.scenario
    mj = load_scenario(shipped_scenarios_dir() / SUBSCRIPTION_FILE)
    if sc.compute.kind == "subscription" and sc.compute.subscription == mj.scenario.compute.subscription:
        return f"subscription: the scenario's own ({SUBSCRIPTION_FILE})"
    rates = rate_table_for(base)
    fx = rates.factor(mj.scenario.meta.currency, sc.meta.currency)
    conv = "" if fx == 1 else f"; x{fx:.6g} {sc.meta.currency}/{mj.scenario.meta.currency}, {rates.year}'s rate"
    section: dict[str, Any] = {}
    for f in ("monthly_fee", "images_included_per_month", "price_per_extra_image"):
        q = getattr(mj.scenario.compute.subscription, f)
        money = f != "images_included_per_month"
        src = f"{SUBSCRIPTION_FILE}: {q.source}" + (conv if money else "")
        raw = quantity_raw(q, src)
        if money:
            raw = _scale_raw(raw, fx)
        section[f] = raw
    mj_gen = mj.scenario.generation
    generation = {"seconds_per_image": quantity_raw(mj_gen.seconds_per_image, f"{SUBSCRIPTION_FILE}: "
                                                    f"{mj_gen.seconds_per_image.source}"),
                  "device": mj_gen.device or "Midjourney (hosted)", "gpus": 1, "scaling_efficiency": 1}
    job = {"jobs_per_month": {"value": jobs, "source": jobs_source}}
    loaded = _variant(base, "subscription:midjourney", "subscription", section, generation, job=job)
    r = Route(key="subscription:midjourney", kind="subscription", name="subscription: Midjourney Standard",
              model="other:midjourney", speed_source=loaded.source_of("generation.seconds_per_image"),
              price_source=f"{SUBSCRIPTION_FILE} (the shipped scenario's plan)",
              notes=[f"runs Midjourney, not the scenario's {sc.generation.arch or 'model'}: the scenario's candidates "
                     "and acceptance rate are kept", f"{jobs:g} job{'' if jobs == 1 else 's'} a month share{'s' if jobs == 1 else ''} the fee ({jobs_source})"])
    _priced(r, loaded)
    r.carbon = _carbon_for(r, intensity, none_why="no energy figure: Midjourney publishes none")
    return r


def _scale_raw(raw: dict[str, Any], fx: float) -> dict[str, Any]:
    out = dict(raw)
    for k in ("value", "low", "mode", "high", "median", "p90", "mean", "sd"):
        if isinstance(out.get(k), (int, float)):
            out[k] = out[k] * fx
    return out


def _artist_route(base: LoadedScenario, intensity: Intensity) -> Route:
    sc = base.scenario
    h = headline_for(base)
    r = Route(key="artist", kind="artist", name=f"the artist ({sc.artist.tier or 'commissioned'})", model=None,
              speed_source=base.source_of("artist.lead_time_days"), price_source=base.source_of("artist.price_per_image"))
    r.cost = h.artist
    r.point = {"per_usable_image": h.point_artist, "compute": 0.0, "human": h.point_artist,
               "delivery_hours": sc.artist.lead_time_days.central * costs.HOURS_PER_DAY}
    r.delivery_hours = r.point["delivery_hours"]
    r.notes.append(f"available in time with probability {sc.artist.availability_probability.central:.0%}")
    # the artist's carbon, beside the machines' (issue #26): a published per-image range, with its own accounting
    r.carbon = Carbon(None, ARTIST_CARBON_SOURCE, 1.0, "", intensity, "published, per capita",
                      published_range_g=ARTIST_G_CO2E_PER_IMAGE)
    return r


def _measured_route(base: LoadedScenario, file, load_options: dict[str, Any], from_bench: str, scale_by_flops: bool,
                    intensity: Intensity) -> Route:
    """The scenario's job on the machine a benchmark record measured: priced only with that machine's own
    price and power (`model.measured`); else its time and measured energy, unpriced, saying what to give."""
    from artcost.model.measured import MeasuredSpeed, load_measured

    out = load_measured(file, from_bench=from_bench, scale_by_flops=scale_by_flops, **load_options)
    if not isinstance(out, MeasuredSpeed):
        r = Route(key="measured", kind="measured", name=f"this machine, measured: {out.scenario.generation.device}",
                  model=out.scenario.generation.arch, speed_source=out.source_of("generation.seconds_per_image"),
                  price_source=f"the scenario's compute.{out.scenario.compute.kind}")
        _priced(r, out)
        r.carbon = _carbon_for(r, intensity)
        r.notes.extend(out.notes)
        return r
    r = Route(key="measured", kind="measured", name=f"this machine, measured: {out.record_device}", model=None,
              speed_source=out.provenance,
              price_source="this machine's own price and power" if out.loaded else "not priced")
    r.notes.append(out.sentence())
    if out.loaded is not None:
        _priced(r, out.loaded)
        r.carbon = _carbon_for(r, intensity)
    else:
        r.unpriced_because = out.not_priced_because or "not priced"
        r.notes.extend(f"to price it, give {m} ({out.hints.get(m, '')})" for m in out.missing)
        usable = _point(base)["usable_images"]
        wall = out.job_seconds / (base.scenario.generation.gpus.central * base.scenario.generation.scaling_efficiency.central)
        r.point = {"gpu_seconds": out.job_seconds, "wall_seconds": wall, "usable_images": usable}
        r.delivery_hours = _point(base)["delivery_hours"] - _point(base)["wall_seconds"] / 3600.0 + wall / 3600.0
        if out.power_w is not None:
            kwh = out.job_seconds * out.power_w / costs.JOULES_PER_KWH / usable
            r.carbon = Carbon(kwh, f"measured: {out.power_note}", 1.0, "default: 1.0 (a machine of one's own)", intensity,
                              "measured")
        else:
            r.carbon = Carbon(None, f"no energy figure: power {out.power_note}", 1.0, "", intensity)
    r.notes.extend(out.notes)
    return r


# --------------------------------------------------------------------------- entry point


def routes_for(file, overrides: Mapping[str, Any] | None = None, from_bench: str | None = None,
               scale_by_flops: bool = False, jobs_per_month: float | None = None, all_apis: bool = False, *,
               label: str | None = None, typed: Mapping[str, str] | None = None,
               base: LoadedScenario | None = None, today: dt.date | None = None) -> RoutesResult:
    """Every route for the scenario in `file` (with `overrides`, labelled `label`, as `model.measured` reads them):
    ranked by median cost per usable image. `base` (an already loaded scenario, e.g. the dashboard's) skips loading."""
    from artcost.model.measured import load_with_options

    options: dict[str, Any] = {"overrides": overrides, "typed": typed}
    if label is not None:
        options["label"] = label
    if base is None:
        base = load_with_options(file, **options)
    sc = base.scenario
    intensity = intensity_for(sc.compute.grid_region)
    carbon_price = None if sc.compute.carbon_price_per_tonne is None else sc.compute.carbon_price_per_tonne.central
    skipped: list[str] = []
    notes: list[str] = list(base.notes)
    jobs, jobs_src = _jobs(sc, base, jobs_per_month)
    routes: list[Route] = [_scenario_route(base, intensity)]
    if from_bench is not None:
        routes.append(_measured_route(base, file, options, from_bench, scale_by_flops, intensity))
    routes += _gpu_routes(base, intensity, skipped, jobs, jobs_src)
    rows, why = pick_api_rows(sc.generation.arch, sc.generation.resolution_px, sc.generation.steps, all_apis)
    notes.append(f"APIs shown: {why}")
    dated = _price_dates_note(sc.meta.as_of, rows)
    if dated:
        notes.insert(0, dated)
    for row in rows:
        r = _api_route(base, row, intensity)
        (skipped.append(r) if isinstance(r, str) else routes.append(r))
    sub = _subscription_route(base, intensity, jobs, jobs_src)
    (skipped.append(sub) if isinstance(sub, str) else routes.append(sub))
    routes.append(_artist_route(base, intensity))
    for r in routes:
        stale = stale_price_note(r.price_dates, today or dt.date.today())
        if stale:
            r.notes.append(stale)
    ranked, share = _rank_paired(base, routes, jobs)
    _check_human(ranked, notes)
    crossings, curves = breakeven(ranked, jobs)
    return RoutesResult(loaded=base, routes=ranked, crossings=crossings, curves=curves, intensity=intensity,
                        carbon_price=carbon_price, jobs_per_month=jobs, jobs_per_month_source=jobs_src,
                        skipped=skipped, notes=notes, human_share=share)


def _jobs(sc, base: LoadedScenario, jobs_per_month: float | None) -> tuple[float, str]:
    """Jobs a month: given for this comparison, else the scenario's, else 1 (said to be an assumption)."""
    if jobs_per_month is not None:
        if not (isinstance(jobs_per_month, (int, float)) and math.isfinite(jobs_per_month) and jobs_per_month > 0):
            raise ArgumentError("jobs_per_month", f"need a number > 0 (got {jobs_per_month})")
        problem = magnitude_problem(float(jobs_per_month))  # as job.jobs_per_month in a file
        if problem:
            raise ArgumentError("jobs_per_month", problem)
        return float(jobs_per_month), "given for this comparison (jobs_per_month)"
    if sc.job.jobs_per_month is not None:
        return sc.job.jobs_per_month.central, base.source_of("job.jobs_per_month")
    return 1.0, "assumption: 1 job a month (the scenario gives no job.jobs_per_month; give one to change it)"


STALE_MONTHS = 6


def stale_price_note(dates: list[str], today: dt.date) -> str | None:
    """'price read 2026-03, more than 6 months before today (2026-12-05): ...' for a route priced from a table row
    older than STALE_MONTHS months, counted from the day the routes are run (what a buyer pays now)."""
    old = []
    for d in dates:
        y, m = int(d[:4]), int(d[5:7]) if len(d) >= 7 else 1
        day = int(d[8:10]) if len(d) >= 10 else 1
        months = (today.year - y) * 12 + (today.month - m) - (1 if today.day < day else 0)
        if months > STALE_MONTHS or (months == STALE_MONTHS and today.day > day):
            old.append(d)
    if not old:
        return None
    return (f"priced from a table row dated {', '.join(sorted(set(old)))}, more than {STALE_MONTHS} months before "
            f"today ({today.isoformat()}): prices move, check the provider's page before relying on it")


def _owned_hours_per_draw(r: Route, inputs: dict[str, np.ndarray], jobs: float) -> np.ndarray:
    """A GPU bought for the work is busy the work's hours in each draw (a draw with twice the candidates keeps it
    busy twice as long, so its price is spread over twice the hours: the price per job stays the price per job)."""
    sc = r.loaded.scenario
    central = sc.values()
    get = lambda p: np.asarray(inputs.get(p, central[p]), dtype=float)  # noqa: E731
    return np.minimum(12.0 * jobs * get("generation.candidates_per_job") * get("generation.seconds_per_image") / 3600.0
                      / get("generation.gpus"), HOURS_PER_YEAR_MAX)


def _rank_paired(base: LoadedScenario, routes: list[Route], jobs: float, draws: int = DEFAULT_DRAWS,
                 seed: int = DEFAULT_SEED) -> tuple[list[Route], list[str]]:
    """Ranks from paired draws (`route_pairs`): each route's difference from the scenario's own way and from the
    best, ties called ties, and the machine-only cost; the findings that follow."""
    shared = base_inputs(base, draws, seed)
    samples: dict[str, Draws] = {}
    for r in routes:
        if r.cost is None:
            continue
        if r.kind == "artist":
            samples[r.key] = artist_draws(base, shared, draws)
        elif r.loaded is not None:
            inputs = route_inputs(r.loaded, base, shared, draws, seed, r.key)
            if r.kind == "own":
                inputs["compute.owned.hours_used_per_year"] = _owned_hours_per_draw(r, inputs, jobs)
            samples[r.key] = machine_draws(r.loaded, inputs, draws)
            if r.kind == "own":
                # the route's own figure, from these draws: its hours follow each draw's job, not the central one
                r.cost = Spread.of(samples[r.key].total)
    ref = samples["scenario"]
    for r in routes:
        if r.key in samples:
            r.vs_scenario = Paired.of(samples[r.key].total - ref.total)
            if r.kind != "artist":
                r.machine_only = Spread.of(samples[r.key].compute)
    priced = sorted((r for r in routes if r.key in samples), key=lambda r: r.vs_scenario.median)
    groups = rank_groups([r.key for r in priced], samples)
    best = priced[0]
    sizes: dict[str, int] = {}
    for k, (_, leader) in groups.items():
        sizes[leader] = sizes.get(leader, 0) + 1
    for r in priced:
        r.rank, leader = groups[r.key]
        r.tied_group = sizes[leader] > 1
        r.tied = r.tied_group and leader == best.key
        r.vs_best = Paired.of(samples[r.key].total - samples[best.key].total)
    unpriced = [r for r in routes if r.key not in samples]
    return priced + unpriced, human_share(samples["scenario"])


def tie_findings(routes: list[Route], share: float, factor: float, ccy: str) -> list[str]:
    """The routes' finding in words: the cheapest way and what it is tied with, or that every machine way is tied
    and the people's time (`share` of the scenario's cost) is what moves the cost; money x `factor` in `ccy`."""
    priced = [r for r in routes if r.vs_scenario is not None]
    machines = [r for r in priced if r.is_machine]
    if not machines:
        return []
    best = machines[0]
    tied = [r for r in machines if r.rank == best.rank]
    own = next(r for r in priced if r.kind == "scenario")
    people = f"the people's time is {share:.0%} of the cost"
    if len(tied) == len(machines) and len(machines) > 1:
        return [f"Every machine way is tied ({len(machines)} ways within noise or {MATERIALITY:.0%}): the machine does "
                f"not decide the cost; the people's time does, {share:.0%} of the scenario's own cost per usable image "
                "(tuning, learning, screening, attending, retouching)."]
    if len(tied) > 1:
        text = (f"Cheapest way, tied within noise or {MATERIALITY:.0%}: {', '.join(r.name for r in tied)}; {people}.")
    else:
        text = f"Cheapest way: {best.name}, clear of the next (paired, over {MATERIALITY:.0%}); {people}."
    if own is not best and own.rank != best.rank:
        v = own.vs_best
        text += (f" The scenario's own way ranks {own.rank_label}, {money(v.median * factor, ccy)} dearer per usable "
                 f"image (90%: {money(v.p5 * factor, '')}–{money(v.p95 * factor, '')}).")
    return [text]


def _price_dates_note(as_of, rows) -> str | None:
    """A scenario dated before the catalogue's prices says so: a 2022 scenario was told to rent an RTX 4090 at
    March 2026's rates without a word on the dates. None when every price is of the scenario's year or before."""
    dates = sorted({str(p.date) for o in gpu_offers() for p in (o.purchase_usd, o.rent_usd_per_gpu_hour)
                    if p is not None and p.date} | {str(r.as_of) for r in rows})
    scenario = as_of.isoformat()
    if not dates or dates[-1][:4] <= scenario[:4]:
        return None
    return (f"the scenario is as of {scenario}; the GPU offers and API prices are of their own dates ({dates[0]} to "
            f"{dates[-1]}): the routes price those offers around the scenario's human time, not what was on sale "
            f"on {scenario}")


def _check_human(routes: list[Route], notes: list[str]) -> None:
    """The human inputs are the scenario's on every machine route: the human cost per usable image differs only by
    attending the route's own generation time. Said in a note (and tested)."""
    machine = [r for r in routes if r.is_machine and r.loaded is not None]
    fixed = {}
    for r in machine:
        ai = costs.ai_job(r.loaded.scenario.values(), r.loaded.scenario.compute.kind)
        fixed[r.key] = float(sum(ai[k] for k in costs.HUMAN_ITEMS if k != "supervision") / ai["usable_images"])
    if fixed:
        vals = list(fixed.values())
        same = max(vals) - min(vals) <= 1e-9 * max(1.0, abs(max(vals)))
        notes.append("human time is the scenario's on every machine route (prompt tuning, learning, screening, "
                     "retouching: " + ("identical" if same else "NOT identical: a bug") + "); attending the runs "
                     "follows each route's generation time")
