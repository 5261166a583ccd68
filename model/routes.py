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
import math
from dataclasses import dataclass, field
from typing import Any, Mapping


from artcost.errors import ArgumentError, UserError
from artcost.model import costs
from artcost.model.api_prices import ApiPriceRow, api_price_table, billed_megapixels, price_fields
from artcost.model.carbon import Carbon, Intensity, intensity_for
from artcost.model.catalogue import SCOPE_WORDS, NotScalable, PublishedSpeed, best_row, speed_at
from artcost.model.currency import rate_table_for
from artcost.model.gpu_offers import OfferRow, converted, gpu_offers
from artcost.model.headline import Headline, Spread, headline_for
from artcost.model.distributions import magnitude_problem
from artcost.model.loader import LoadedScenario, load_scenario, validate_raw
from artcost.model.quantity import Quantity
from artcost.model.route_breakeven import Crossing, breakeven

KIND_ORDER = ("scenario", "measured", "own", "rent", "api", "subscription", "artist")
KIND_WORDS = {"scenario": "the scenario", "measured": "this machine, measured", "own": "own", "rent": "rent",
              "api": "API", "subscription": "subscription", "artist": "artist"}
OPEN_FAMILIES = ("sdxl", "flux-schnell", "flux-dev", "sd35-medium", "sd35-large")
SUBSCRIPTION_FILE = "subscription-midjourney.yaml"

DEFAULT_OWNER = {
    "lifetime_years": {"value": 4, "source": "assumption: a GPU bought for this work is written off over 4 years "
                                             "(the scenario owns no GPU to take the figure from)"},
    "hours_used_per_year": {"value": 2000, "source": "assumption: 2,000 hours of use a year, about 8 h a working day "
                                                     "(the scenario owns no GPU)"},
}
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

    @property
    def is_machine(self) -> bool:
        return self.kind != "artist"

    def to_dict(self, factor: float = 1.0, carbon_price: float | None = None) -> dict[str, Any]:
        out = {
            "rank": self.rank, "key": self.key, "kind": self.kind, "name": self.name, "model": self.model,
            "cost_per_usable_image": None if self.cost is None else self.cost.scaled(factor).to_dict(),
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
            "statistic": "cost per usable image: median and 5th/95th percentiles of each route's seeded Monte Carlo "
                         "(its headline); ranked by the median",
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


def _gpu_routes(base: LoadedScenario, intensity: Intensity, skipped: list[str]) -> list[Route]:
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
        if same and sc.compute.kind == "owned":
            skipped.append(f"owning {offer.device}: the scenario's own GPU (its own route)")
        else:
            out.append(_own_route(base, offer, sp, speed, ccy, rates, intensity))
        # rent it
        if offer.rent_usd_per_gpu_hour is None:
            skipped.append(f"renting {offer.device}: no published hourly price in gpu_offers.yaml")
        elif same and sc.compute.kind == "cloud":
            skipped.append(f"renting {offer.device}: the scenario's own rented GPU (its own route)")
        else:
            out.append(_rent_route(base, offer, sp, speed, ccy, rates, intensity))
    return out


def _own_route(base, offer: OfferRow, sp: PublishedSpeed, speed: dict, ccy: str, rates, intensity) -> Route:
    sc = base.scenario
    section: dict[str, Any] = {"purchase_price": converted(offer.purchase_usd, ccy, rates, "")}
    notes: list[str] = []
    if sc.compute.owned is not None:
        for f in ("lifetime_years", "hours_used_per_year", "price_per_kwh", "pue", "system_power_w"):
            q = getattr(sc.compute.owned, f)
            section[f] = quantity_raw(q, f"the scenario's owner figure: {base.source_of('compute.owned.' + f)}")
        notes.append("the owner's figures (lifetime, hours a year, tariff, PUE, rest of the system) are the scenario's")
    else:
        section.update(copy.deepcopy(DEFAULT_OWNER))
        section["price_per_kwh"] = {"value": US_TARIFF_USD * rates.factor("USD", ccy), "source": US_TARIFF_SOURCE}
        notes.append("the scenario owns no GPU: lifetime, hours a year and tariff are labelled defaults")
    if sp.mean_power_w is not None and sp.row.energy_scope == "gpu_only":
        section["board_power_w"] = {"value": sp.mean_power_w,
                                    "source": f"published mean power per GPU, J / GPU-s ({sp.energy_label})"}
    else:
        section["board_power_w"] = {"value": offer.board_power_w.value, "source": offer.board_power_w.source}
    r = Route(key=f"own:{offer.id}", kind="own", name=f"own an {offer.device}", model=sp.row.model,
              speed_source=sp.label, price_source=section["purchase_price"]["source"], notes=notes + list(sp.notes))
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
    r = Route(key=f"rent:{offer.id}", kind="rent", name=f"rent an {offer.device}", model=sp.row.model,
              speed_source=sp.label, price_source=section["price_per_gpu_hour"]["source"], notes=notes + list(sp.notes))
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
        generation["seconds_per_image"] = quantity_raw(
            gen.seconds_per_image, f"latency not published by {row.provider}: the scenario's own seconds per image "
                                   "assumed (they count for delivery and attending only)")
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
              speed_source=loaded.source_of("generation.seconds_per_image"), price_source=row.label, notes=notes)
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
    r.carbon = Carbon(None, "not counted: the model has no energy figure for an artist's work", 1.0, "", intensity)
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
               base: LoadedScenario | None = None) -> RoutesResult:
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
    routes: list[Route] = [_scenario_route(base, intensity)]
    if from_bench is not None:
        routes.append(_measured_route(base, file, options, from_bench, scale_by_flops, intensity))
    routes += _gpu_routes(base, intensity, skipped)
    rows, why = pick_api_rows(sc.generation.arch, sc.generation.resolution_px, sc.generation.steps, all_apis)
    notes.append(f"APIs shown: {why}")
    dated = _price_dates_note(sc.meta.as_of, rows)
    if dated:
        notes.insert(0, dated)
    for row in rows:
        r = _api_route(base, row, intensity)
        (skipped.append(r) if isinstance(r, str) else routes.append(r))
    if jobs_per_month is not None:
        if not (isinstance(jobs_per_month, (int, float)) and math.isfinite(jobs_per_month) and jobs_per_month > 0):
            raise ArgumentError("jobs_per_month", f"need a number > 0 (got {jobs_per_month})")
        problem = magnitude_problem(float(jobs_per_month))  # as job.jobs_per_month in a file
        if problem:
            raise ArgumentError("jobs_per_month", problem)
        jobs, jobs_src = float(jobs_per_month), "given for this comparison (jobs_per_month)"
    elif sc.job.jobs_per_month is not None:
        jobs, jobs_src = sc.job.jobs_per_month.central, base.source_of("job.jobs_per_month")
    else:
        jobs, jobs_src = 1.0, ("assumption: 1 job a month (the scenario gives no job.jobs_per_month; "
                               "give one to change it)")
    sub = _subscription_route(base, intensity, jobs, jobs_src)
    (skipped.append(sub) if isinstance(sub, str) else routes.append(sub))
    routes.append(_artist_route(base, intensity))
    ranked = sorted(routes, key=lambda r: (r.cost is None, r.cost.median if r.cost else math.inf))
    for i, r in enumerate(ranked, 1):
        r.rank = i if r.cost is not None else None
    _check_human(ranked, notes)
    crossings, curves = breakeven(ranked)
    return RoutesResult(loaded=base, routes=ranked, crossings=crossings, curves=curves, intensity=intensity,
                        carbon_price=carbon_price, jobs_per_month=jobs, jobs_per_month_source=jobs_src,
                        skipped=skipped, notes=notes)


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
