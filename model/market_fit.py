"""The market's behavioural parameters inferred from what happened to artists (`artcost market-fit-outcomes`;
docs/market-model.md section 10).

Parameters (`PARAMS`): awareness speed per kind of buyer, AI's starting quality and how fast it improves, how far
buyers' requirements bend to price, how sharply buyers choose (one factor on every utility weight), how artists'
prices follow their lost work, how much new demand cheap images bring, how far artists differ (quality and price),
and how many artists take up AI. Each has a prior: the scenario's own distribution where it gives one, else a stated
one (`Param.prior_note`). Every other input stays at its central value during the fit.

Likelihood (`row_sigma`, `log_likelihood`): each compared evidence row i is

    g(y_i) ~ Normal(g(model_i(theta)), s_i^2 + tau_m^2 + extra_i^2),   weight 1 / (rows of its study)

with g = ln(1 + y) for a relative change (so +235% and -17% sit on one scale), the identity for a difference in
percentage points or a share of respondents, ln for a price ratio; s_i the figure's own standard error (its 95%
interval / 3.92 in g, else DEFAULT_SE); tau_m the spread of what it measures (MEASURES: a platform's volume is not
the market's, a survey counts the self-selected, an anecdote is one person); extra_i a row's own extra spread where
it contradicts the rest (`extra_sd` with its why). A study's rows are weighted 1/n so a study counts once however
many figures it reports.

Inference: emcee's affine-invariant ensemble sampler (Foreman-Mackey et al. 2013), every walker of a step evaluated
in ONE vectorised call of the simulator (walkers on the draw axis), seeded. Leave-one-study-out: the fit is re-run
without each study's rows, and those rows are read from the refitted posterior (`cross_validate`).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from artcost.model.market_artists import ARTIST_TYPES, artist_groups
from artcost.model.market_check import row_figures
from artcost.model.market_evidence import SHARE_METRICS, EvidenceRow
from artcost.model.market_schema import SEGMENT_NAMES
from artcost.model.market_steps import SEG, simulate_arrays
from artcost.model.schema import Scenario

FIT_NAME = "market_fit.json"  # the shipped fit's record (artcost/data/), made by the command its "command" names

# What a figure measures -> its extra spread (in g units: log points for a change, share points for a survey).
MEASURES = {
    "platform_did": (0.05, "one platform's volume or prices against a control: a platform's mix and trend are not the market's"),
    "platform_trend": (0.15, "a platform's before/after with no control: its own growth is in the figure"),
    "survey": (0.08, "self-selected respondents, and 'lost work' in their words against the model's threshold"),
    "labour_force": (0.10, "occupations (employees and job postings), not commissions"),
    "anecdote": (0.35, "one person, firm or recruiter beside a segment's average"),
}
DEFAULT_SE = {"relative_change": 0.05, "relative_change_differential": 0.03, "share_of_respondents": 0.03,
              "price_ratio": 0.3}


@dataclass(frozen=True)
class Param:
    """One inferred parameter: the scenario fields it sets (`scale`: multiplies their central values instead),
    its prior ('uniform' (a, b), 'triangular' (low, mode, high) or 'lognormal' (median, sigma)) and why."""

    name: str
    paths: tuple[str, ...]
    prior: tuple[str, tuple[float, ...]]
    prior_note: str
    scale: bool = False

    def bounds(self) -> tuple[float, float]:
        kind, a = self.prior
        if kind == "lognormal":
            return a[0] * math.exp(-6 * a[1]), a[0] * math.exp(6 * a[1])
        return a[0], a[-1]

    def log_prior(self, x: np.ndarray) -> np.ndarray:
        kind, a = self.prior
        with np.errstate(divide="ignore", invalid="ignore"):
            if kind == "uniform":
                return np.where((x >= a[0]) & (x <= a[1]), 0.0, -np.inf)
            if kind == "triangular":
                lo, mo, hi = a
                up = np.where(mo > lo, (x - lo) / max(mo - lo, 1e-300), 1.0)
                down = np.where(hi > mo, (hi - x) / max(hi - mo, 1e-300), 1.0)
                dens = np.where(x < mo, up, down)
                return np.where((x >= lo) & (x <= hi) & (dens > 0), np.log(np.maximum(dens, 1e-300)), -np.inf)
            med, sig = a
            lx = np.log(np.maximum(x, 1e-300))
            return np.where(x > 0, -0.5 * ((lx - math.log(med)) / sig) ** 2 - lx, -np.inf)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        kind, a = self.prior
        if kind == "uniform":
            return rng.uniform(a[0], a[1], n)
        if kind == "triangular":
            return rng.triangular(a[0], a[1], a[2], n)
        return a[0] * np.exp(a[1] * rng.standard_normal(n))


def _dist(sc: Scenario, path: str) -> tuple[str, tuple[float, ...]] | None:
    """The scenario's distribution of a field as a prior, where it is uniform or triangular (pert: its triangle)."""
    q = sc.quantities()[path]
    d = getattr(q, "dist", None)
    if d is None:
        return None
    kind = d.dist
    if kind == "uniform":
        return "uniform", (d.low, d.high)
    if kind in ("triangular", "pert"):
        return "triangular", (d.low, d.mode, d.high)
    return None


M = "market."
WEIGHTS = tuple(f"{SEG}{s}.{w}" for s in SEGMENT_NAMES for w in ("weight_price", "weight_time_per_day", "weight_quality"))


def params_for(sc: Scenario) -> list[Param]:
    """The inferred parameters with their priors: the scenario's distributions where it gives them."""

    def own(path: str, fallback: tuple[str, tuple[float, ...]], note: str) -> tuple[tuple[str, tuple[float, ...]], str]:
        d = _dist(sc, path)
        return (d, "the scenario's own distribution") if d is not None else (fallback, note)

    out = []

    def add(name, paths, fallback, note, scale=False):
        prior, why = own(paths[0], fallback, note) if not scale else (fallback, note)
        out.append(Param(name, tuple(paths), prior, why, scale))

    add("awareness_low_p", [f"{SEG}low.awareness.p_per_year"], ("uniform", (0.1, 1.5)),
        "stated: from a tenth to one and a half a year")
    add("awareness_business_p", [M + "awareness.p_per_year"], ("uniform", (0.02, 1.0)), "stated")
    add("ai_quality_start", [M + "ai.quality_start"], ("uniform", (0.4, 0.7)), "stated")
    add("ai_quality_halflife_years", [M + "ai.quality_halflife_years"], ("uniform", (0.5, 5)), "stated")
    add("requirement_flex_low", [f"{SEG}low.requirement_flex"], ("uniform", (0.0, 0.3)), "stated")
    add("requirement_flex_mid", [f"{SEG}mid.requirement_flex"], ("uniform", (0.0, 0.2)), "stated")
    add("choice_sensitivity", [M + "choice_sensitivity"], ("lognormal", (1.0, 0.5)),
        "stated: the scenario's weights are fixed assumptions; one factor on all of them, median 1, x1.65 at one sd")
    add("price_elasticity", [M + "artists.price_elasticity"], ("uniform", (0.0, 1.5)), "stated")
    add("demand_elasticity_low", [f"{SEG}low.demand_elasticity"], ("uniform", (0.0, 2.0)), "stated")
    add("demand_elasticity_mid", [f"{SEG}mid.demand_elasticity"], ("uniform", (0.0, 1.0)), "stated")
    add("artist_quality_sd", [M + "artist_spread.quality_sd"], ("uniform", (0.01, 0.25)),
        "stated: from artists of one level to a whole profession's range")
    add("artist_price_log_sd", [M + "artist_spread.price_log_sd"], ("uniform", (0.05, 1.0)), "stated")
    add("artist_ai_m", [M + "artist_ai.adoption.m"], ("uniform", (0.1, 0.9)), "stated")
    add("loss_threshold", [M + "artist_spread.loss_threshold"], ("uniform", (0.05, 0.35)),
        "stated: what a respondent counts as having lost work or income is not known; from a twentieth to a third")
    return out


# --------------------------------------------------------------------------- the likelihood


def g(y: np.ndarray | float, kind: str) -> np.ndarray:
    """The scale a row is compared on: ln(1 + y) for a change, ln for a ratio, the figure itself otherwise."""
    y = np.asarray(y, dtype=float)
    if kind == "relative_change":
        return np.log(np.maximum(1.0 + y, 0.02))
    if kind == "price_ratio":
        return np.log(np.maximum(y, 1e-4))
    return y


def row_sigma(row: EvidenceRow) -> tuple[float, float, float]:
    """(own standard error, what-it-measures spread, extra spread) of a row, in g units."""
    if row.ci95 is not None:
        se = float(g(row.ci95[1], row.kind) - g(row.ci95[0], row.kind)) / 3.92
    else:
        se = DEFAULT_SE.get(row.kind, 0.05)
    return se, MEASURES[row.measures][0], float(row.extra_sd or 0.0)


def fit_rows(rows: Sequence[EvidenceRow]) -> list[EvidenceRow]:
    """The rows the fit can read: compared rows (metric not none)."""
    return [r for r in rows if r.compare.metric != "none"]


@dataclass
class _FakeDraws:
    """What `row_figures` reads from `market_bands.Draws`: the runs, a central run, months and the market."""

    runs: dict[str, np.ndarray]
    central: dict[str, np.ndarray]
    market: Any
    months: Any
    draws: int


def _months_needed(sc: Scenario, rows: Sequence[EvidenceRow]) -> int:
    off = max(sc.market.release_offset, 0)
    return min(sc.market.n_months, max(r.window[1] for r in rows) + off + 1)


class Simulator:
    """theta (W, P) -> each row's model figure (W, R), every walker in one vectorised simulator call."""

    def __init__(self, sc: Scenario, params: Sequence[Param], rows: Sequence[EvidenceRow],
                 extra: Mapping[str, np.ndarray] | None = None):
        import pandas as pd

        self.sc, self.params, self.rows = sc, list(params), list(rows)
        T = _months_needed(sc, rows)
        start = pd.Timestamp(f"{sc.market.start}-01")
        self.months = pd.date_range(start, periods=T, freq="MS")
        self.market = sc.market.model_copy(update={"end": self.months[-1].strftime("%Y-%m")})
        self.base = sc.values()
        self.extra = dict(extra or {})  # other inputs drawn per walker (the predictive), else central values
        self.share_keys = {(r.compare.metric, r.segment) for r in rows if r.compare.metric in SHARE_METRICS}

    def values(self, theta: np.ndarray) -> dict[str, Any]:
        W = theta.shape[0]
        v: dict[str, Any] = dict(self.base)
        for k, x in self.extra.items():
            v[k] = np.asarray(x)[:W]
        for j, p in enumerate(self.params):
            for path in p.paths:
                v[path] = (np.broadcast_to(np.asarray(v[path], dtype=float), (W,)) * theta[:, j]) if p.scale \
                    else theta[:, j]
        for k, x in list(v.items()):
            a = np.asarray(x, dtype=float).reshape(-1)
            v[k] = np.full(W, a[0]) if a.size == 1 else a[:W]
        return v

    def figures(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        v = self.values(theta)
        kind = self.sc.compute.kind
        with np.errstate(all="ignore"):
            runs = simulate_arrays(v, kind, self.market)
            shares = {}
            if self.share_keys:
                grp = artist_groups(v, kind, self.market, ARTIST_TYPES)
                for key in self.share_keys:
                    a = grp.share(*key)
                    shares[key] = (a, a[0])
            d = _FakeDraws(runs=runs, central={k: x[:1] for k, x in runs.items()}, market=self.market,
                           months=self.months, draws=theta.shape[0])
            out = np.column_stack([row_figures(r, d, shares)[0] for r in self.rows])  # type: ignore[arg-type]
        return out


def log_likelihood(figures: np.ndarray, rows: Sequence[EvidenceRow]) -> np.ndarray:
    """Sum over rows of weight x Normal log-density of g(published) around g(model) (see the module docstring); (W,)."""
    study_n: dict[str, int] = {}
    for r in rows:
        study_n[r.study] = study_n.get(r.study, 0) + 1
    total = np.zeros(figures.shape[0])
    for i, r in enumerate(rows):
        se, tau, extra = row_sigma(r)
        sd = math.sqrt(se * se + tau * tau + extra * extra)
        z = (g(r.effect, r.kind) - g(figures[:, i], r.kind)) / sd
        total += -0.5 * z * z / study_n[r.study]
    return np.where(np.isfinite(total), total, -np.inf)


# --------------------------------------------------------------------------- the sampler


@dataclass
class FitSettings:
    walkers: int = 32
    steps: int = 500
    burn: int = 250
    thin: int = 5
    seed: int = 0


@dataclass
class Posterior:
    params: list[Param]
    samples: np.ndarray  # (N, P) after burn-in and thinning
    acceptance: float
    wall_s: float
    settings: FitSettings
    rows: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, float]]:
        out = {}
        for j, p in enumerate(self.params):
            p5, p50, p95 = np.percentile(self.samples[:, j], [5, 50, 95])
            out[p.name] = {"median": float(p50), "p5": float(p5), "p95": float(p95)}
        return out


def run_fit(sc: Scenario, rows: Sequence[EvidenceRow], settings: FitSettings | None = None,
            progress: Callable[[int, int], None] | None = None) -> Posterior:
    """Sample the posterior of `params_for(sc)` given `rows` (compared rows only) with emcee, seeded."""
    import emcee

    s = settings or FitSettings()
    rows = fit_rows(rows)
    params = params_for(sc)
    sim = Simulator(sc, params, rows)
    rng = np.random.default_rng(s.seed)
    P = len(params)

    def log_prob(theta: np.ndarray) -> np.ndarray:
        lp = np.sum([p.log_prior(theta[:, j]) for j, p in enumerate(params)], axis=0)
        ok = np.isfinite(lp)
        out = np.full(theta.shape[0], -np.inf)
        if ok.any():
            out[ok] = lp[ok] + log_likelihood(sim.figures(theta[ok]), rows)
        return out

    p0 = np.column_stack([p.sample(rng, s.walkers) for p in params])
    sampler = emcee.EnsembleSampler(s.walkers, P, log_prob, vectorize=True)
    # emcee draws its moves from its own RandomState, started from numpy's global one: set it from our seed
    sampler.random_state = np.random.RandomState(s.seed).get_state()
    t0 = time.perf_counter()
    for k, _ in enumerate(sampler.sample(p0, iterations=s.steps)):
        if progress is not None:
            progress(k + 1, s.steps)
    wall = time.perf_counter() - t0
    chain = sampler.get_chain(discard=s.burn, thin=s.thin, flat=True)
    return Posterior(params=params, samples=chain, acceptance=float(np.mean(sampler.acceptance_fraction)),
                     wall_s=wall, settings=s, rows=[r.id for r in rows])


# --------------------------------------------------------------------------- predictive bands and held-out checks


PREDICTIVE_DRAWS = 300


def predictive(sc: Scenario, post: Posterior, rows: Sequence[EvidenceRow], seed: int = 0,
               n: int = PREDICTIVE_DRAWS) -> dict[str, dict[str, Any]]:
    """Each row's model band (posterior draws of the parameters, every other uncertain input drawn from its
    distribution) and its predictive band (the same plus the row's measurement spread), p5/p50/p95 in the row's units,
    and whether the published figure lies inside each."""
    from artcost.model.uncertainty import draw_inputs

    rows = fit_rows(rows)
    rng = np.random.default_rng(seed)
    pick = post.samples[rng.integers(0, len(post.samples), n)]
    fitted = {path for p in post.params for path in p.paths}
    others = {k: x for k, x in draw_inputs(sc, n, rng, fields="all").items() if k not in fitted}
    sim = Simulator(sc, post.params, rows, extra=others)
    fig = sim.figures(pick)
    out = {}
    for i, r in enumerate(rows):
        se, tau, extra = row_sigma(r)
        sd = math.sqrt(se * se + tau * tau + extra * extra)
        gm = g(fig[:, i], r.kind)
        noisy = gm + sd * rng.standard_normal(n)
        back = _g_inverse(noisy, r.kind)
        if r.kind == "share_of_respondents":  # a share of respondents lies in [0, 1] whatever the noise
            back = np.clip(back, 0.0, 1.0)
        q = np.percentile(fig[:, i], [5, 50, 95])
        pq = np.percentile(back, [5, 50, 95])
        out[r.id] = {"model": [float(x) for x in q], "predictive": [float(x) for x in pq],
                     "inside_model": bool(q[0] <= r.effect <= q[2]), "inside_predictive": bool(pq[0] <= r.effect <= pq[2]),
                     "study": r.study, "sd_g": sd}
    return out


def _g_inverse(z: np.ndarray, kind: str) -> np.ndarray:
    if kind == "relative_change":
        return np.exp(z) - 1.0
    if kind == "price_ratio":
        return np.exp(z)
    return z


def cross_validate(sc: Scenario, rows: Sequence[EvidenceRow], settings: FitSettings,
                   progress: Callable[[str], None] | None = None, workers: int = 1) -> dict[str, Any]:
    """Leave one study out: refit without each study's rows and read those rows from the refitted posterior."""
    rows = fit_rows(rows)
    studies = sorted({r.study for r in rows})
    jobs = [(sc, [r for r in rows if r.study != st], [r for r in rows if r.study == st], settings, st) for st in studies]
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as ex:
            results = list(ex.map(_held_out, jobs))
    else:
        results = []
        for job in jobs:
            results.append(_held_out(job))
            if progress is not None:
                progress(job[-1])
    per_row = {k: v for res in results for k, v in res.items()}
    return {
        "method": "leave one study out: the fit re-run without every row of a study, those rows read from it",
        "studies": len(studies),
        "inside": sum(v["inside_predictive"] for v in per_row.values()),
        "inside_model_band": sum(v["inside_model"] for v in per_row.values()),
        "compared": len(per_row),
        "rows": per_row,
    }


def _held_out(job) -> dict[str, Any]:
    sc, train, test, settings, _ = job
    post = run_fit(sc, train, settings)
    return predictive(sc, post, test, seed=settings.seed)


# --------------------------------------------------------------------------- the default scenario's section


def posterior_yaml(post: Posterior, note: str) -> dict[str, dict[str, Any]]:
    """Each fitted field as a truncated normal (the posterior's median, sd from its 5-95% range / 3.29, cut at the
    prior's bounds), with its source; a scaled parameter is written onto each field it multiplies."""
    out: dict[str, dict[str, Any]] = {}
    summ = post.summary()
    for j, p in enumerate(post.params):
        s = summ[p.name]
        sd = max((s["p95"] - s["p5"]) / 3.29, 1e-6)
        lo, hi = p.bounds()
        src = (f"fit: artcost market-fit-outcomes ({note}); posterior median {s['median']:.3g}, 90% "
               f"{s['p5']:.3g}-{s['p95']:.3g}; prior {p.prior[0]}{tuple(round(x, 4) for x in p.prior[1])} ({p.prior_note})")
        if p.scale:
            out[p.name] = {"factor": s, "source": src}
        else:
            for path in p.paths:
                out[path] = {"dist": "normal", "mean": round(s["median"], 4), "sd": round(sd, 4),
                             "low": round(max(lo, 0.0), 4), "high": round(hi, 4), "source": src}
    return out


def fingerprint(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def apply_fields(text: str, fields: Mapping[str, Mapping[str, Any]]) -> str:
    """A scenario's YAML text with each `market.` field of `fields` (a fit record's scenario_fields) written as a
    one-line flow mapping, in place where the field is written, else added under its section (created at the end of
    the market section when missing). Comments and every other line are kept. How the default scenario got its
    posterior (docs/market-model.md section 10 gives the one-line command)."""
    lines = text.splitlines()

    def flow(spec: Mapping[str, Any]) -> str:
        parts = [f"{k}: {json.dumps(v) if isinstance(v, str) else v}" for k, v in spec.items()]
        return "{" + ", ".join(parts) + "}"

    def locate() -> dict[str, tuple[int, int]]:
        """dotted path -> (line index, indent) of every key line."""
        stack: list[tuple[int, str]] = []
        where = {}
        for i, line in enumerate(lines):
            stripped = line.lstrip(" ")
            if not stripped or stripped.startswith("#") or ":" not in stripped:
                continue
            key = stripped.split(":", 1)[0].strip()
            if not key.replace("_", "").isalnum():
                continue
            ind = len(line) - len(stripped)
            while stack and stack[-1][0] >= ind:
                stack.pop()
            stack.append((ind, key))
            where[".".join(k for _, k in stack)] = (i, ind)
        return where

    for path, spec in fields.items():
        where = locate()
        if path in where:
            i, ind = where[path]
            lines[i] = " " * ind + f"{path.rsplit('.', 1)[1]}: {flow(spec)}"
            continue
        parts = path.split(".")
        k = len(parts) - 1
        while ".".join(parts[:k]) not in where:
            k -= 1
        parent = ".".join(parts[:k])
        i, ind = where[parent]
        # the end of the parent's block: the last line indented deeper than it
        end = i
        for j in range(i + 1, len(lines)):
            s = lines[j]
            if s.strip() and not s.lstrip().startswith("#") and len(s) - len(s.lstrip(" ")) <= ind:
                break
            if s.strip():
                end = j
        new = []
        for depth, name in enumerate(parts[k:-1]):
            new.append(" " * (ind + 2 * (depth + 1)) + f"{name}:")
        new.append(" " * (ind + 2 * (len(parts) - k)) + f"{parts[-1]}: {flow(spec)}")
        lines[end + 1:end + 1] = new
    return "\n".join(lines) + "\n"


def _prior_quantiles(p: Param, n: int = 200_000) -> tuple[float, float, float]:
    x = p.sample(np.random.default_rng(0), n)
    a, b, c = np.percentile(x, [5, 50, 95])
    return float(a), float(b), float(c)


def fit_markdown(record: Mapping[str, Any]) -> str:
    """The fit's record as docs/market-model.md section 10 quotes it: the parameters (prior and posterior, and how
    far each moved, in widths of its prior's 90% range), then each row in sample and held out."""
    lines = ["| parameter | prior | prior: median (90%) | posterior: median (90%) | moved |", "|---|---|---|---|---|"]
    for p in record["params"]:
        param = Param(p["name"], tuple(p["fields"]), (p["prior"][0], tuple(p["prior"][1])), p["prior_note"])
        lo, med, hi = _prior_quantiles(param)
        moved = (p["median"] - med) / max(hi - lo, 1e-12)
        prior = f"{p['prior'][0]}({', '.join(f'{x:g}' for x in p['prior'][1])})"
        lines.append(f"| `{p['name']}` | {prior} | {med:.3g} ({lo:.3g} to {hi:.3g}) | {p['median']:.3g} "
                     f"({p['p5']:.3g} to {p['p95']:.3g}) | {moved:+.2f} |")
    rows = ["", "| evidence | study | published | in sample: predictive 90% | inside | held out: predictive 90% | "
                "inside | held out: model band | inside |", "|---|---|---|---|---|---|---|---|---|"]
    ins = record["in_sample"]["rows"]
    cv = (record.get("cross_validation") or {}).get("rows", {})
    effects = record.get("effects") or {}
    if not effects:  # a record made before it kept them: the shipped table's
        from artcost.model.market_evidence import load_evidence

        effects = {r.id: r.effect for r in load_evidence()}
    for rid, r in ins.items():
        h = cv.get(rid)
        fmt = lambda q: f"{q[0]:+.3g} to {q[2]:+.3g}"  # noqa: E731
        rows.append(f"| `{rid}` | {r['study']} | {effects.get(rid, float('nan')):+.3g} | {fmt(r['predictive'])} | "
                    f"{'yes' if r['inside_predictive'] else 'no'} | {fmt(h['predictive']) if h else '-'} | "
                    f"{('yes' if h['inside_predictive'] else 'no') if h else '-'} | {fmt(h['model']) if h else '-'} | "
                    f"{('yes' if h['inside_model'] else 'no') if h else '-'} |")
    return "\n".join(lines + rows)
