"""`artcost market` (the market simulator), `artcost market-fit` (Bass calibration from a CSV) and
`artcost market-check` (the back-test: the simulator's default beside published figures)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from artcost import jsonout
from artcost.cli.options import JsonOpt, SeedOpt, SetOpt, flag_names, load_scenario_options, scenario_inputs
from artcost.cli.render import print_table
from artcost.errors import UserError
from artcost.units import money

if TYPE_CHECKING:  # pandas and the market model load when a command runs, not when the commands are listed
    import pandas as pd

    from artcost.model.market import MarketBands, MarketResult
    from artcost.model.market_check import MarketCheck
    from artcost.outputs import OutputPlan

console = Console(highlight=False)
STDOUT = Path("-")


def _yearly(df: pd.DataFrame) -> pd.DataFrame:
    """The start month, each following year's same month, and the last month."""
    keep = (df["t"] % 12 == 0) | (df["t"] == df["t"].max())
    return df[keep]


def headline_text(r: MarketResult) -> str:
    """The central run's sentence, labelled as one run (the typical answer is `MarketHeadline.sentence`)."""
    h = r.headline()
    seg = ", ".join(f"{k} {v:.0%}" for k, v in h["artist_income_index_by_segment"].items())
    return (
        f"Central run (every input at its mode or midpoint; one run, not a typical draw): "
        f"by {h['last_month']}, with {h['awareness']:.0%} of buyers aware of AI, artists keep "
        f"{h['artist_commissions_index']:.0%} of their no-AI commissions and {h['artist_income_index']:.0%} of their "
        f"income ({seg}); after 12 months their income is at {h['artist_income_index_after_12_months']:.0%}. "
        f"Retouchers get {h['retouch_demand']:,.0f} jobs a month at {money(h['retouch_price'], r.currency)}."
    )


def render(r: MarketResult) -> None:
    ccy = r.currency
    console.print()
    console.print(
        f"Detail - from the cost model's central values (a point): AI {money(r.inputs['ai_per_usable_image'], ccy)} "
        "per usable image, delivered in "
        f"{r.inputs['ai_delivery_hours']:.1f} h; artist {money(r.inputs['artist_price_per_image'], ccy)} per image "
        "(segments scale it)",
        markup=False,
    )
    shares = r.monthly.pivot_table(index="month", columns="option", values="commissions", aggfunc="sum")
    shares = shares.div(shares.sum(axis=1), axis=0)
    t = Table(title=f"The central run year by year, all segments (shares of commissions; money in {ccy}; every input "
                    "at its mode or midpoint: one run, not a typical draw)", title_justify="left", padding=(0, 1))
    # column names in words with units (issue #28: 'aware', 'ret jobs', 'ret price' read as code)
    for col in ("month", "buyers aware of AI", "from an artist", "artist using AI", "AI on their own",
                "AI + retoucher", "artists' commissions", "artists' income", f"artists' price ({ccy}/image)",
                "retouch jobs a month", f"retouch price ({ccy}/image)"):
        t.add_column(col, justify="right")
    for _, a in _yearly(r.artists).iterrows():
        m = a["month"]
        b = r.buyers.loc[r.buyers["month"] == m].iloc[0]
        rt = r.retouchers.loc[r.retouchers["month"] == m].iloc[0]
        s = shares.loc[m]
        t.add_row(
            m.strftime("%Y-%m"), f"{b['awareness']:.0%}", f"{s['artist']:.0%}", f"{s['artist_ai']:.0%}",
            f"{s['ai_self']:.0%}", f"{s['ai_retouch']:.0%}", f"{a['commissions_index']:.0%}", f"{a['income_index']:.0%}",
            f"{a['avg_price']:,.0f}", f"{rt['demand']:,.0f}", f"{rt['price']:,.1f}",
        )
    print_table(t, console)
    console.print(
        "Shares of all commissions by way of getting the image; artists' commissions and income against the no-AI "
        "baseline (income net of the machine cost of AI-assisted work); artists' price: their average per image.",
        markup=False,
    )
    last = r.artists_by_segment[r.artists_by_segment["month"] == r.artists["month"].iloc[-1]]
    ts = Table(title=f"By segment, {r.artists['month'].iloc[-1]:%Y-%m}, central run (money in {ccy})",
               title_justify="left")
    for col in ("segment", "artists' commissions", "artists' income", f"artist's price ({ccy}/image)", "its floor",
                f"artist using AI: price ({ccy}/image)", "its floor", f"average paid ({ccy}/image)",
                f"buyers' surplus gain ({ccy}/month)"):
        ts.add_column(col, justify="right")
    for _, s in last.iterrows():
        ts.add_row(s["segment"], f"{s['commissions_index']:.0%}", f"{s['income_index']:.0%}", f"{s['artist_price']:,.0f}",
                   f"{s['price_floor']:,.0f}", f"{s['artist_ai_price']:,.0f}", f"{s['price_floor_ai']:,.0f}",
                   f"{s['avg_price']:,.0f}", f"{s['consumer_surplus']:,.0f}")
    print_table(ts, console)
    console.print(
        "artist price: an artist working without AI, never below its floor (cost of living / images a month); "
        "art+AI price: an artist using AI, never below its own floor (cost of living over the more images a month "
        "AI lets them finish, plus the machine); average paid: over both kinds of work, so it can sit below the "
        "first floor.",
        markup=False,
    )


def render_bands(b: MarketBands) -> None:
    t = Table(title=f"Uncertainty: {b.draws} draws of {len(b.uncertain_inputs)} uncertain inputs (seed {b.seed})",
              title_justify="left")
    for col in ("month", "aware p5-p95", "income p5", "p50", "p95", "work p5", "p50", "p95"):
        t.add_column(col, justify="right", no_wrap=True)
    a = b.artists
    inc = _yearly(a[a["metric"] == "income_index"]).set_index("month")
    com = a[a["metric"] == "commissions_index"].set_index("month")
    aw = b.buyers[b.buyers["metric"] == "awareness"].set_index("month")
    for m, row in inc.iterrows():
        c, w = com.loc[m], aw.loc[m]
        t.add_row(m.strftime("%Y-%m"), f"{w['p5']:.0%}-{w['p95']:.0%}", f"{row['p5']:.0%}", f"{row['p50']:.0%}",
                  f"{row['p95']:.0%}", f"{c['p5']:.0%}", f"{c['p50']:.0%}", f"{c['p95']:.0%}")
    print_table(t, console)
    console.print("p5/p50/p95: 5th, 50th and 95th percentiles across draws, month by month (not one path).", markup=False)


BAND_TABLES = ("artists", "buyers", "retouchers", "shares")


def csv_targets(out: Path, bands: bool) -> dict[str, Path]:
    """The files `--csv OUT` writes, each under the name its error says: OUT (monthly shares) and OUT-<table>.csv."""
    if out == STDOUT or not out.name:  # no name ('.', '/'): the guard refuses it as a folder
        return {"--csv": out}
    stem = out.with_suffix("")
    names = ["artists", "artists-by-segment", "retouchers", "buyers", *(f"bands-{n}" for n in BAND_TABLES if bands)]
    return {"--csv": out, **{f"--csv (its {n} table)": Path(f"{stem}-{n}.csv") for n in names}}


def _csv_frames(r: MarketResult, b: MarketBands | None) -> list[pd.DataFrame]:
    """The tables in the order of `csv_targets`."""
    frames = [r.monthly, r.artists, r.artists_by_segment, r.retouchers, r.buyers]
    return frames + ([getattr(b, n) for n in BAND_TABLES] if b is not None else [])


def _write_csv(plan: OutputPlan, r: MarketResult, b: MarketBands | None) -> list[Path]:
    """Every table through the output guard (each file atomic); standard output takes the monthly shares alone."""
    written = []
    for (flag, out), df in zip(plan.outputs.items(), _csv_frames(r, b)):
        d = df.copy()
        d["month"] = d["month"].dt.strftime("%Y-%m")
        plan.write_text(flag, d.to_csv(index=False))
        if out.path is None:  # one table fits on standard output: the monthly shares
            return []
        written.append(out.path)
    return written


DEFAULT_DRAWS = 1_000  # model.market.DEFAULT_DRAWS (a literal here: the model loads only when a command runs)


def market(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file with a market: section.")],
    json_out: JsonOpt = False,
    csv_out: Annotated[
        Optional[Path], typer.Option("--csv", help="Write the tables as CSV: OUT (monthly shares) and OUT-artists.csv "
                                     "etc.; '-' writes the monthly shares to standard output, instead of the tables.")
    ] = None,
    draws: Annotated[int, typer.Option("--draws", help="Monte Carlo draws behind the headline (median and 90% band) "
                                       "and the p5/p95 bands; 0 = the central run only.")] = DEFAULT_DRAWS,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
) -> None:
    """Simulate the illustration market month by month: who buys from artists, AI or retouchers."""
    from artcost.model.market import bands_of, run_draws, simulate_market
    from artcost.model.market_check import check_draws

    if draws < 0:
        raise UserError(f"--draws {draws}: must be >= 0")
    plan = None
    if csv_out is not None:  # checked before the simulation: not an input, not the database, not a device
        from artcost.outputs import plan_outputs

        plan = plan_outputs(csv_targets(csv_out, bands=draws > 0), scenario_inputs(file),
                            stdout_taken="--json" if json_out else None)
    loaded = load_scenario_options(file, set_)
    t0 = time.perf_counter()
    r = simulate_market(loaded)
    with flag_names(draws="--draws", seed="--seed"):
        d = run_draws(loaded, draws, seed) if draws else None
    b = bands_of(d) if d is not None else None
    h = b.headline() if b is not None else None
    # the claim travels with its verdict: the back-test of the very draws behind the headline
    check = check_draws(d) if d is not None else None
    verdict = check.verdict_line() if check is not None else "back-test: not run (--draws 0: no band to hold figures against)"
    elapsed = time.perf_counter() - t0
    written = _write_csv(plan, r, b) if plan is not None else []
    if csv_out == STDOUT:
        return
    if json_out:
        out: dict[str, Any] = r.to_dict()
        # the headline is the typical answer (medians of the draws); the central run stays under "central", labelled
        out["headline"] = h.to_dict() if h is not None else None
        out["headline_text"] = h.sentence() if h is not None else headline_text(r)
        if h is None:
            out["headline_note"] = "no draws (--draws 0): the central run only, one run with every input at its mode"
        if b is not None:
            out["bands"] = b.to_dict()
        out["back_test"] = None if check is None else {**check.counts(), "compared": check.compared}
        out["back_test_text"] = verdict
        print(jsonout.dumps(out, indent=1))
        return
    # the answer first, with its verdict (it came at line 47 of 54, after the central run's tables: issue #28)
    console.print(f"[bold]{escape(r.scenario_name)}[/]  ({escape(r.scenario_file)})", markup=True)
    if h is not None:
        console.print(f"[bold]{escape(h.sentence())}[/]")
    else:
        console.print(f"[bold]{escape(headline_text(r))}[/]")
    console.print(verdict[0].upper() + verdict[1:], markup=False, style="bold")
    if h is not None:
        console.print(h.note(), markup=False)
    render(r)
    if b is not None:
        render_bands(b)
    for note in r.notes:
        console.print(f"note: {note}", markup=False, style="yellow")
    for p in written:
        console.print(f"wrote {p}", markup=False)
    console.print(f"({elapsed:.2f} s)", markup=False, style="dim")


def market_fit(
    csv_file: Annotated[Path, typer.Argument(help="CSV with columns month (YYYY-MM) and share (0-1 or %).")],
    m: Annotated[
        Optional[float], typer.Option("--m", help="Fix the market potential m (0-1) instead of fitting it.")
    ] = None,
    origin: Annotated[
        Optional[str], typer.Option("--origin", help="Month of t = 0, YYYY-MM (default: the file's '# origin:' line, else its first row).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Fit Bass p and q (and m) to an adoption series by least squares; prints them per month and per year."""
    from artcost.model import bass

    with flag_names(m="--m", origin="--origin"):
        series, fit = bass.fit_csv(csv_file, m=m, origin=origin)
    fitted = bass.cumulative(series.t_months, fit.p_per_month, fit.q_per_month, fit.m)
    if json_out:
        d = fit.as_dict()
        d["file"] = str(csv_file)
        d["rows"] = [{"month": mo, "t": float(t), "share": float(s), "fitted": float(f)}
                     for mo, t, s, f in zip(series.months, series.t_months, series.share, fitted)]
        print(jsonout.dumps(d, indent=1))
        return
    t = Table(title=f"Bass fit to {csv_file} (t = months since {series.origin})", title_justify="left")
    for col in ("month", "t", "observed", "fitted"):
        t.add_column(col, justify="right")
    for mo, tt, s, f in zip(series.months, series.t_months, series.share, fitted):
        t.add_row(mo, f"{tt:g}", f"{s:.1%}", f"{f:.1%}")
    print_table(t, console)
    console.print(
        f"p = {fit.p_per_month:.4g}/month ({fit.p_per_year:.4g}/year), q = {fit.q_per_month:.4g}/month "
        f"({fit.q_per_year:.4g}/year), m = {fit.m:.3g}{' (fitted)' if fit.m_fitted else ' (given)'}; "
        f"RMSE {fit.rmse:.3g} on {fit.n_points} points",
        markup=False,
    )
    if fit.m_fitted and fit.m <= float(series.share.max()) + 1e-9:
        console.print("note: m sits at the series' last value (the data show no slowing yet); consider fixing it with --m",
                      markup=False, style="yellow")
    if fit.q_per_month < 1e-9:
        console.print("note: q is at its bound 0: the series shows no imitation-driven acceleration", markup=False,
                      style="yellow")
    console.print(
        "for a scenario's market section: "
        f"p_per_year: {fit.p_per_year:.3g}, q_per_year: {fit.q_per_year:.3g}, m: {min(fit.m, 1):.3g}",
        markup=False,
    )


# --------------------------------------------------------------------------- market-check: the back-test


def render_check(c: MarketCheck) -> None:
    from artcost.model.market_check import band_text, curve_text, figure_text, horizon_text, verdict_text

    console.print(f"[bold]Back-test: {escape(c.scenario_name)}[/]  ({escape(c.scenario_file)}) against "
                  f"{escape(c.evidence_file)} (as of {escape(c.evidence_as_of)})", markup=True)
    t = Table(title="Published figures beside the simulator's default at the same horizon and segment "
                    "(horizon: months after each study's own release)", title_justify="left", padding=(0, 1))
    t.add_column("what was measured; place, date", max_width=48, overflow="fold")
    t.add_column("horizon", justify="right", no_wrap=True)
    t.add_column("segment: curve", max_width=16)
    t.add_column("figure", justify="right", no_wrap=True)
    t.add_column("default: median (90% band)", justify="right", no_wrap=True)
    t.add_column("central", justify="right", no_wrap=True)
    t.add_column("inside/outside", no_wrap=True)
    for r in c.rows:
        central = figure_text(r.central, r.kind) if r.central is not None else "-"
        place = r.place if len(r.place) <= 32 else r.place[:31] + "…"
        # the measure in words (a row's id, 'demirci2025_image_posts_all', read as code); the id stays in --json
        t.add_row(f"{r.measure}\n  {place}, {r.published}", horizon_text(r), curve_text(r), figure_text(r.effect, r.kind),
                  band_text(r), central, verdict_text(r))
    print_table(t, console)
    skipped = [r for r in c.rows if r.model is None]
    if skipped:
        console.print("Not compared:", markup=False)
        for r in skipped:
            console.print(f"  {r.id} ({figure_text(r.effect, r.kind)}, {r.place}, {r.published}): {r.why}", markup=False)
    console.print(f"[bold]{escape(c.summary())}[/]", markup=True)
    cv = c.cross_validation or {}
    if cv.get("compared"):
        console.print(f"held out (leave one study out, {cv['studies']} studies, refitted without each): {cv['inside']} "
                      f"of {cv['compared']} figures inside the 90% predictive band ({cv['inside_model_band']} inside the "
                      f"model's band alone); {cv['source']}", markup=False)
    else:
        console.print(f"held out: {cv.get('why', 'not available')}", markup=False)
    console.print(f"{c.note()}; outside: how far the published figure lies beyond the band (pp: percentage points "
                  "of the change); *: the study's own 95% interval meets the band. docs/market-model.md says why each "
                  "lands where it does.", markup=False)


def market_check(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file with a market: section.")],
    evidence: Annotated[
        Optional[Path], typer.Option("--evidence", help="Evidence table (YAML, as src/artcost/data/market_evidence.yaml; "
                                     "default: the shipped one).")
    ] = None,
    draws: Annotated[int, typer.Option("--draws", help="Monte Carlo draws behind each median and 90% band.")] = DEFAULT_DRAWS,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Back-test: the simulator's default beside each published figure on illustrators' work and income."""
    from artcost.model.market_check import market_check as run_check
    from artcost.model.market_evidence import load_evidence

    table = load_evidence(evidence)  # a malformed table fails before any simulation, one line per problem
    loaded = load_scenario_options(file, set_)
    t0 = time.perf_counter()
    with flag_names(draws="--draws", seed="--seed"):
        c = run_check(loaded, table, draws=draws, seed=seed)
    elapsed = time.perf_counter() - t0
    if json_out:
        print(jsonout.dumps(c.to_dict(), indent=1))
        return
    render_check(c)
    console.print(f"({elapsed:.2f} s)", markup=False, style="dim")


app = typer.Typer(add_completion=False)
app.command("market")(market)
app.command("market-fit")(market_fit)
app.command("market-check")(market_check)


# --------------------------------------------------------------------------- market-fit-outcomes: calibration


def market_fit_outcomes(
    file: Annotated[Path, typer.Argument(help="Prior scenario: its market section's distributions are the priors "
                                         "(scenarios/seed-2022-market-prior.yaml for the default).")],
    out: Annotated[Path, typer.Option("--out", help="Write the fit's record (JSON: posterior, likelihood, in-sample "
                                      "and held-out checks, wall time, machine) here.")] = Path("market-fit-outcomes.json"),
    evidence: Annotated[
        Optional[Path], typer.Option("--evidence", help="Evidence table (default: the shipped one).")] = None,
    walkers: Annotated[int, typer.Option("--walkers", help="emcee walkers (at least twice the parameters).")] = 32,
    steps: Annotated[int, typer.Option("--steps", help="emcee steps of the main fit (half are burn-in).")] = 500,
    cv_steps: Annotated[int, typer.Option("--cv-steps", help="steps of each leave-one-study-out refit; 0 = no "
                                          "held-out check.")] = 300,
    workers: Annotated[int, typer.Option("--workers", help="processes for the held-out refits.")] = 2,
    seed: SeedOpt = 0,
    json_out: JsonOpt = False,
) -> None:
    """Infer the market's behavioural parameters from the evidence table (emcee), with a leave-one-study-out check."""
    import os
    import platform

    from artcost import jsonout as jo
    from artcost.model.loader import load_scenario
    from artcost.model.market_evidence import load_evidence
    from artcost.model.market_fit import (FitSettings, MEASURES, cross_validate, fingerprint, fit_rows, params_for,
                                          posterior_yaml, predictive, row_sigma, run_fit)

    table = load_evidence(evidence)
    loaded = load_scenario(file)
    sc = loaded.scenario
    if sc.market is None:
        raise UserError(f"{file}: no market: section to fit")
    n_params = len(params_for(sc))
    if walkers < 2 * n_params or walkers % 2:
        raise UserError(f"--walkers {walkers}: need an even number at least twice the {n_params} parameters")
    if steps < 20 or cv_steps < 0 or (0 < cv_steps < 20):
        raise UserError(f"--steps {steps} / --cv-steps {cv_steps}: at least 20 steps (or --cv-steps 0)")
    if workers < 1:
        raise UserError(f"--workers {workers}: at least 1")
    # the one output guard: never the scenario, anything it extends, the evidence table or the results database
    from artcost.cli.options import scenario_inputs
    from artcost.outputs import inputs, plan_outputs

    plan = plan_outputs({"--out": out}, [*scenario_inputs(file), *inputs([table.file], "the evidence table")],
                        stdout_taken="--json" if json_out else None)
    if not plan["--out"].to_stdout and out.suffix.lower() != ".json":  # never a scenario (the prior extends the default) nor another table
        raise UserError(f"--out {out}: the fit's record is JSON; give a file name ending in .json")
    rows = fit_rows(list(table))
    t0 = time.perf_counter()
    settings = FitSettings(walkers=walkers, steps=steps, burn=steps // 2, thin=5, seed=seed)
    post = run_fit(sc, rows, settings)
    pred = predictive(sc, post, rows, seed=seed)
    fit_s = time.perf_counter() - t0
    cv = None
    if cv_steps:
        cv_settings = FitSettings(walkers=walkers, steps=cv_steps, burn=cv_steps // 2, thin=5, seed=seed)
        cv = cross_validate(sc, rows, cv_settings, workers=workers)
    total = time.perf_counter() - t0
    import resource

    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu_s = sum(u.ru_utime + u.ru_stime for u in used)  # the refits' worker processes included
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else \
        platform.processor()
    fields = posterior_yaml(post, f"{Path(file).name}, evidence as of {table.as_of}, seed {seed}")
    summ = post.summary()
    record = {
        "kind": "market_fit_outcomes",
        "command": (f"artcost market-fit-outcomes {file} --walkers {walkers} --steps {steps} --cv-steps {cv_steps} "
                    f"--seed {seed}"),
        "prior_scenario": str(file),
        "evidence": {"file": Path(table.file).name, "as_of": table.as_of, "rows": [r.id for r in rows],
                     "fingerprint": fingerprint([r.model_dump() for r in rows])},
        "settings": {"walkers": walkers, "steps": steps, "burn": steps // 2, "thin": 5, "cv_steps": cv_steps,
                     "seed": seed},
        "sampler": "emcee EnsembleSampler (affine-invariant stretch move), walkers vectorised through the simulator",
        "machine": {"cpu": cpu, "cores_used": workers, "cores_seen": os.cpu_count()},
        "wall_s": {"fit_and_predictive": round(fit_s, 1), "total": round(total, 1)},
        "cpu_s": round(cpu_s, 1),  # on a shared machine the wall time says more about the neighbours
        "acceptance": round(post.acceptance, 3),
        "params": [{"name": p.name, "fields": list(p.paths), "prior": [p.prior[0], list(p.prior[1])],
                    "prior_note": p.prior_note, "scale": p.scale, **summ[p.name]} for p in post.params],
        "likelihood": {
            "model": "g(published) ~ Normal(g(model), own_se^2 + measures_sd^2 + extra_sd^2), each row weighted "
                     "1/(rows of its study); g = ln(1+y) for a change, ln for a ratio, identity for pp and shares",
            "measures": {k: {"sd": v[0], "why": v[1]} for k, v in MEASURES.items()},
            "rows": {r.id: dict(zip(("own_se", "measures_sd", "extra_sd"), row_sigma(r)), study=r.study,
                                measures=r.measures) for r in rows},
        },
        "in_sample": {"inside": sum(v["inside_predictive"] for v in pred.values()),
                      "inside_model_band": sum(v["inside_model"] for v in pred.values()),
                      "compared": len(pred), "rows": pred},
        "cross_validation": cv,
        "effects": {r.id: r.effect for r in rows},
        "scenario_fields": fields,
    }
    plan.write_text("--out", jo.dumps(record, indent=1) + "\n")
    if json_out:
        print(jo.dumps(record, indent=1))
        return
    t = Table(title=f"Posterior of {len(post.params)} parameters ({walkers} walkers x {steps} steps, seed {seed}; "
                    f"acceptance {post.acceptance:.2f})", title_justify="left")
    for col in ("parameter", "prior", "median", "90% interval"):
        t.add_column(col, justify="right" if col != "parameter" else "left", no_wrap=col != "prior")
    for p in post.params:
        s = summ[p.name]
        t.add_row(p.name, f"{p.prior[0]}{tuple(round(x, 3) for x in p.prior[1])}", f"{s['median']:.3g}",
                  f"{s['p5']:.3g} to {s['p95']:.3g}")
    print_table(t, console)
    ins = record["in_sample"]
    console.print(f"in sample: {ins['inside']} of {ins['compared']} published figures inside the 90% predictive band "
                  f"(model band alone: {ins['inside_model_band']})", markup=False)
    if cv is not None:
        console.print(f"held out (leave one study out, {cv['studies']} studies): {cv['inside']} of {cv['compared']} "
                      f"inside the 90% predictive band (model band alone: {cv['inside_model_band']})", markup=False)
    console.print(f"wrote {out}; {total:.0f} s wall, {cpu_s:.0f} s CPU on {cpu}", markup=False)


app.command("market-fit-outcomes")(market_fit_outcomes)
