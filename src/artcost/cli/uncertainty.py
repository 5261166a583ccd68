"""`artcost simulate`, `sensitivity`, `breakeven` and `scale`: how sure the answer is, and what would flip it."""

from __future__ import annotations


import math
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from artcost import jsonout
from artcost.cli.options import FileArg, JsonOpt, SeedOpt, SetOpt, flag_names, load_scenario_options
from artcost.cli.render import print_table
from artcost.errors import UserError
from artcost.units import duration

console = Console(highlight=False)
# The scale command's defaults (the model's `scale.DEFAULT_FINALS` and `DEFAULT_JOBS_PER_MONTH`, written out so
# that listing the commands does not load the model; tests/cli/test_cli_package.py checks they agree).
DEFAULT_FINALS = "1,2,5,10,20,50,100"
DEFAULT_JOBS = "0.5,1,2,4,8,16,32,64"


def _num(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:,.1f}"
    if a >= 0.01 or a == 0:
        return f"{x:.3g}" if a < 1 else f"{x:.2f}"
    return f"{x:.3g}"


def _scenario_line(loaded) -> str:
    sc = loaded.scenario
    return f"{sc.meta.name} ({loaded.path}, as of {sc.meta.as_of}); money in {sc.meta.currency}, the scenario's currency"


def _answer(loaded, data: dict[str, Any], note: str, json_out: bool, shown_note: str | None = None) -> bool:
    """Every command's opening: the answer gets its scenario and its note; with --json it is printed as
    JSON (True: nothing more to print), else the scenario line and the note open the tables (False)."""
    data.setdefault("scenario", {"name": loaded.scenario.meta.name, "file": loaded.path})
    data.setdefault("note", note)
    if json_out:
        print(jsonout.dumps(data))
        return True
    console.print(f"[bold]{escape(_scenario_line(loaded))}[/]")
    console.print(shown_note if shown_note is not None else data["note"], markup=False)
    return False


# --------------------------------------------------------------------------- simulate


def simulate(
    file: FileArg,
    draws: Annotated[int, typer.Option("--draws", help="Number of Monte Carlo draws.")] = 100_000,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Monte Carlo over the scenario's distributions: cost per usable image, ratio, delivery times."""
    from artcost.model import costs
    from artcost.model.uncertainty import simulate as run_simulation

    loaded = load_scenario_options(file, set_)
    with flag_names(draws="--draws", seed="--seed"):
        result = run_simulation(loaded, draws=draws, seed=seed)
    s = result.summary()
    if _answer(loaded, s, s["note"], json_out, shown_note=s["note"] + "; inputs and their sources below."):
        return
    ccy = s["currency"]
    t = Table(title="Monte Carlo: outputs", title_justify="left")
    for col in ("output", "central-value model", "mean", "median", "p5", "p95"):
        t.add_column(col, justify="left" if col == "output" else "right")
    for name, o in s["outputs"].items():
        fmt = duration if o["unit"] == "h" else _num
        unit = f" ({ccy})" if o["unit"] == ccy else (" (x)" if o["unit"] == "x" else "")
        det = o["deterministic"]
        t.add_row(o["label"] + unit, fmt(det) if det is not None else "-", fmt(o["mean"]), fmt(o["median"]), fmt(o["p5"]), fmt(o["p95"]))
    print_table(t, console)
    p = s["probabilities"]
    console.print(
        f"P(AI cheaper) = {p['ai_cheaper']:.1%}   P(ratio >= 10) = {p['ratio_ge_10']:.1%}   "
        f"P(ratio >= 100) = {p['ratio_ge_100']:.1%}   (standard error at most {0.5 / math.sqrt(result.draws):.2%})"
    )
    ti = Table(title=f"AI cost of one job by item, mean over draws ({ccy})", title_justify="left")
    ti.add_column("item")
    ti.add_column("mean", justify="right")
    ti.add_column("share", justify="right")
    for item, m in s["ai_items_mean_per_job"].items():
        if m["mean"] == 0 and item in costs.COMPUTE_ITEMS:
            continue
        ti.add_row(item, _num(m["mean"]), f"{m['share']:.1%}" if m["share"] is not None else "-")
    print_table(ti, console)
    _inputs_table(s["inputs"])


def _inputs_table(inputs: dict[str, dict]) -> None:
    t = Table(title="Uncertain inputs (sampled independently) and where they come from", title_justify="left")
    t.add_column("field", no_wrap=True)
    t.add_column("distribution", overflow="fold")
    t.add_column("source", overflow="fold")
    for path, info in inputs.items():
        t.add_row(path, info["describe"], escape(info["source"]))
    print_table(t, console)


# --------------------------------------------------------------------------- sensitivity


def sensitivity(
    file: FileArg,
    output: Annotated[
        str, typer.Option("--output", help="per_usable_image (AI cost per usable image), ratio (artist/AI), or both.")
    ] = "both",
    sobol_n: Annotated[int, typer.Option("--sobol-n", help="Sobol base sample (power of two); model runs = n x (inputs + 2).")] = 1024,
    seed: SeedOpt = 0,
    set_: SetOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Tornado (each input from its p10 to its p90, others central) next to Sobol indices and rank correlations."""
    from artcost.model.sensitivity import OUTPUT_LABELS, rank_correlation, sobol, tornado

    outputs = list(OUTPUT_LABELS) if output == "both" else [output]
    for o in outputs:
        if o not in OUTPUT_LABELS:
            raise UserError(f"--output: unknown output {o!r}; known: {', '.join(OUTPUT_LABELS)}, both")
    loaded = load_scenario_options(file, set_)
    answer: dict[str, Any] = {"scenario": {"name": loaded.scenario.meta.name, "file": loaded.path},
                              "currency": loaded.scenario.meta.currency, "outputs": {}}
    note = ("tornado: deterministic model, one input at a time at its 10th/90th percentile, others at central values; "
            f"Sobol: SALib Saltelli/Sobol' sampling in unit space mapped through each input's quantile function, "
            f"base sample {sobol_n}, seed {seed}; Spearman: 20,000 Monte Carlo draws, seed {seed}")
    with flag_names(n="--sobol-n", seed="--seed", output="--output"):
        for o in outputs:
            rows = tornado(loaded, o)
            sob = sobol(loaded, o, n=sobol_n, seed=seed)
            rho = {r["param"]: r["spearman"] for r in rank_correlation(loaded, o, seed=seed)}
            answer["outputs"][o] = {"label": OUTPUT_LABELS[o], "tornado": rows, "sobol": sob, "spearman": rho}
    swings = any(res["tornado"] for res in answer["outputs"].values())
    nothing = "this scenario has no uncertain inputs (no `dist:` other than fixed): nothing to swing."
    if _answer(loaded, answer, note, json_out, shown_note=None if swings else nothing) or not swings:
        return
    ccy = answer["currency"]
    for o, res in answer["outputs"].items():
        unit = ccy if o == "per_usable_image" else "x"
        rows = res["tornado"]
        base = rows[0]["base"] if rows else float("nan")
        sob = {r["param"]: r for r in res["sobol"]["rows"]}
        t = Table(
            title=f"{res['label']} ({unit}); central value {_num(base)}: inputs by tornado swing",
            title_justify="left",
        )
        t.add_column("input", no_wrap=True)
        for col in ("input p10 .. p90", "output at p10 .. p90", "swing", "Sobol S1", "Sobol ST", "Spearman"):
            t.add_column(col, justify="right", no_wrap=True)
        for r in rows:
            s = sob.get(r["param"], {})
            t.add_row(
                r["param"],
                f"{_num(r['input_low'])} .. {_num(r['input_high'])}",
                f"{_num(r['output_low'])} .. {_num(r['output_high'])}",
                f"{_num(r['swing'])} ({r['share_of_total_swing']:.0%})",
                f"{s.get('S1', float('nan')):.2f}",
                f"{s.get('ST', float('nan')):.2f}",
                f"{res['spearman'].get(r['param'], float('nan')):+.2f}",
            )
        print_table(t, console)
        sum_s1 = res["sobol"]["sum_S1"]
        if sum_s1 is not None:
            console.print(
                f"sum of S1 = {sum_s1:.2f} over {res['sobol']['model_runs']:,} model runs "
                "(near 1: effects add up; well below 1: inputs interact); 95% bootstrap intervals in --json.",
                markup=False,
            )


# --------------------------------------------------------------------------- breakeven


RangeOpt = Annotated[
    Optional[tuple[float, float]],
    typer.Option("--range", help="LO HI: search (or grid) this range of --param instead of the default."),
]


def breakeven_cmd(
    file: FileArg,
    param: Annotated[str, typer.Option("--param", help="Dotted path of the input to solve for, e.g. human.wage_per_hour.")],
    range_: RangeOpt = None,
    grid: Annotated[
        Optional[str], typer.Option("--grid", help="A second input: print the ratio over a grid of --param x --grid instead.")
    ] = None,
    grid_range: Annotated[
        Optional[tuple[float, float]], typer.Option("--grid-range", help="LO HI of the --grid input (default: its p5..p95).")
    ] = None,
    steps: Annotated[int, typer.Option("--steps", help="Grid points per axis in --grid mode.")] = 9,
    set_: SetOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The value of one input at which AI and artist cost per image are equal (others at central values)."""
    # the model names its arguments; each is said as the flag that gave it (--param is x, --grid is y)
    with flag_names(param="--param", x_param="--param", range="--range", x_values="--range", grid="--grid",
                    y_param="--grid", y_values="--grid-range", steps="--steps"):
        _breakeven(file, param, range_, grid, grid_range, steps, set_, json_out)


def _breakeven(file: Path, param: str, range_: tuple[float, float] | None, grid: str | None,
               grid_range: tuple[float, float] | None, steps: int, set_: list[str] | None, json_out: bool) -> None:
    """`breakeven_cmd`'s work: one input solved for, or (`grid`) the ratio over two inputs."""
    from artcost.model.breakeven import axis_values, breakeven, check_param, ratio_grid


    loaded = load_scenario_options(file, set_)
    check_param(loaded, param)
    lo, hi = range_ if range_ else (None, None)
    if grid is not None:
        check_param(loaded, grid, "grid")
        g_lo, g_hi = grid_range if grid_range else (None, None)
        xs = axis_values(loaded, param, lo, hi, steps, "x_values")
        ys = axis_values(loaded, grid, g_lo, g_hi, steps, "y_values")
        res = ratio_grid(loaded, param, xs, grid, ys)
        note = "deterministic model: every other input at its central value; ratio = artist per image / AI per usable image"
        if _answer(loaded, res, note, json_out):
            return
        t = Table(title=f"artist / AI cost ratio: rows {grid}, columns {param}", title_justify="left")
        t.add_column(f"{grid} \\ {param}")
        for x in xs:
            t.add_column(_num(x), justify="right")
        for j, y in enumerate(ys):
            cells = []
            for r in res["ratio"][j]:
                style = "red" if r < 1 else ("yellow" if r < 10 else "")
                cells.append(f"[{style}]{r:,.3g}[/]" if style else f"{r:,.3g}")
            t.add_row(_num(y), *cells)
        print_table(t, console)
        console.print("red: the artist is cheaper (ratio < 1); yellow: AI cheaper by less than 10x.")
        return
    b = breakeven(loaded, param, lo, hi)
    note = "deterministic model: every other input at its central value; solved with scipy.optimize.brentq"
    if _answer(loaded, b.to_dict(), note, json_out):
        return
    console.print(
        f"{param} = {_num(b.central)} now (source: {b.source}); there AI costs {_num(b.ai_at_central)} {b.currency} "
        f"per usable image and the artist {_num(b.artist_at_central)} {b.currency}.",
        markup=False,
    )
    console.print(f"searched {param} from {b.lo:.6g} to {b.hi:.6g}" + ("" if range_ else " (default range; set --range LO HI)"), markup=False)
    console.print(f"[bold]{escape(b.message)}[/]")
    if b.steps:
        console.print(f"the cheaper side also flips at a jump (not a root) at {', '.join(f'{x:.6g}' for x in b.steps)}", markup=False)


# --------------------------------------------------------------------------- scale


def _float_list(text: str, flag: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UserError(f"{flag}: expected comma-separated numbers, e.g. 1,2,5 (got {text!r})") from None
    if not values:
        raise UserError(f"{flag}: expected at least one number")
    return values


def scale(
    file: FileArg,
    finals: Annotated[str, typer.Option("--finals", help="Finals per job, comma-separated.")] = DEFAULT_FINALS,
    jobs: Annotated[str, typer.Option("--jobs", help="Jobs per month, comma-separated.")] = DEFAULT_JOBS,
    horizon_months: Annotated[
        Optional[float], typer.Option("--horizon-months", help="Months over which learning is spread (default: GPU lifetime, else 36).")
    ] = None,
    gpu: Annotated[str, typer.Option("--gpu", help="dedicated: the owned GPU does only this work; shared: keep the scenario's hours per year.")] = "dedicated",
    set_: SetOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Cost per usable image against finals per job and jobs per month (learning and hardware spread further)."""
    from artcost.model.scale import scale_curve

    loaded = load_scenario_options(file, set_)
    with flag_names(finals="--finals", jobs_per_month="--jobs", gpu="--gpu", horizon_months="--horizon-months"):
        res = scale_curve(loaded, _float_list(finals, "--finals"), _float_list(jobs, "--jobs"), horizon_months, gpu)  # type: ignore[arg-type]
    note = "deterministic model at central values, with the scale assumptions listed"
    if _answer(loaded, res, note, json_out, shown_note=note + ": " + "; ".join(res["assumptions"])):
        return
    ccy = res["currency"]
    t = Table(title=f"AI cost per usable image ({ccy}): rows jobs per month, columns finals per job", title_justify="left")
    t.add_column("jobs/month \\ finals")
    for f in res["finals"]:
        t.add_column(f"{f:g}", justify="right")
    for j, jobs_pm in enumerate(res["jobs_per_month"]):
        t.add_row(f"{jobs_pm:g}", *[_num(x) for x in res["per_usable_image"][j]])
    print_table(t, console)
    console.print(f"artist: {_num(res['artist_per_image'])} {ccy} per image at the scenario's central price.")


app = typer.Typer(add_completion=False)
app.command("simulate")(simulate)
app.command("sensitivity")(sensitivity)
app.command("breakeven")(breakeven_cmd)
app.command("scale")(scale)
