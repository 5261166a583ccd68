"""`artcost bench`: measure this machine, on one device or (`--workers N`) spread over many with Ray.

    artcost bench [options]                   one benchmark run; with --workers N, one cluster job
    artcost bench list | show ID | export     the stored benchmark records
    artcost bench cluster list | show ID      the stored cluster jobs (`bench-cluster list|show`: the same, hidden)

`bench --workers` is the one command that runs a cluster job; the cluster's own options
(--calibration-runs, --chunk-runs, --ray-address) apply with it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from artcost import jsonout
from artcost.cli import STARTED
from artcost.cli.render import print_table
from artcost.errors import UserError

# The flag of each `BenchConfig` field, so a bad setting is named as the user typed it ('--steps: ...').
BENCH_FLAGS = {
    "arch": "--arch", "model": "--model", "resolution": "--resolution", "steps": "--steps",
    "scheduler": "--scheduler", "guidance_scale": "--guidance-scale", "batch_size": "--batch-size",
    "num_images": "--num-images", "seed": "--seed", "device": "--device", "presets": "--presets",
    "primary_preset": "--primary-preset", "warmup_runs": "--warmup-runs",
    "warmup_steps": "--warmup-steps", "min_runs": "--min-runs",
    "min_seconds": "--min-seconds", "max_runs": "--max-runs", "batch_sweep": "--batch-sweep",
    "max_batch": "--max-batch", "host_mem_ceiling_gb": "--host-mem-ceiling-gb", "idle_seconds": "--idle-seconds",
    "gemm_seconds": "--gemm-seconds", "store": "--no-store", "without_t5": "--no-t5",
}

app = typer.Typer(add_completion=False)  # the top-level commands this module adds: bench, bench-cluster (hidden)
bench_app = typer.Typer(
    help="Measure this machine: seconds, joules and FLOP/s per image with real diffusers pipelines.",
    add_completion=False,
)
cluster_app = typer.Typer(help="Stored cluster jobs (run one with: artcost bench --workers N).", add_completion=False)
console = Console()
STDOUT = Path("-")  # a path option given as '-' writes to standard output


def _timed_run_lines(con):
    """A line after each timed run ('preset stock: timed run 2 of at least 2, 31 s so far'): `make run`'s timed
    runs were silent for 90 s on a 2-core CPU, and a silent minute reads as a hang (issue #28)."""
    def on_event(event: dict) -> None:
        if event.get("phase") == "timed":
            con.print(f"preset {_t(event.get('preset'))}: timed run {event.get('runs')} of at least "
                      f"{event.get('need_runs')}, {float(event.get('seconds') or 0):.0f} s so far", highlight=False)

    return on_event


def _t(v) -> str:
    """A record's text (a name, a reason) as it may reach the terminal: one line, control characters written as
    escapes (\\x1b, not a terminal escape) and console markup shown as typed, never applied."""
    from rich.markup import escape

    from artcost.errors import one_line

    return escape(one_line("" if v is None else str(v)))


def _fmt(v, spec=".3g", none="—"):
    return none if v is None else format(v, spec)


_ERROR_CELL = "[red]error: >100% of {what}[/]"


def _util(u: dict, key: str, what: str) -> str:
    """A utilisation cell: the percentage, or the error an impossible (>100%) one is (never its figure);
    records stored before such errors were recorded are checked here too."""
    v = u.get(key)
    if key in (u.get("over_100") or {}) or (v is not None and v > 1.0):
        return _ERROR_CELL.format(what=what)
    return _fmt(v, ".0%")


def print_record(rec, con: Console = console) -> None:
    """The human summary of one record: a table with one row per preset; measurement errors below it."""
    from rich.markup import escape

    from artcost.bench.record import measurement_errors

    s = rec.summary
    con.print(f"[bold]bench record {'(not stored)' if rec.id is None else rec.id}[/]  {_t(rec.arch)} {rec.resolution}px, "
              f"{_steps(rec.steps)}, "
              f"batch {s.get('batch_size')}, CFG {'on' if s.get('cfg') else 'off'}  —  {_t(rec.device_name)}  —  {_t(rec.weights_label)}")
    t = Table(show_header=True, header_style="bold")
    for col in ("preset", "dtype", "s/image", "img/min", "s/step", "J/image (gross/net)", "run vs GEMM probe",
                "run vs datasheet", "overhead", "time vs stock"):
        t.add_column(col, justify="right" if col not in ("preset", "dtype") else "left")
    for p in rec.presets:
        t.add_row(*_preset_cells(p))
    print_table(t, con)
    _say_primary(rec, con)
    for err in measurement_errors(rec):
        con.print(f"[red]measurement error:[/] {escape(err)}")
    if s.get("flops_source"):
        con.print(f"FLOPs: {_t(s['flops_source'])}")
    if s.get("energy_reason"):
        con.print(f"energy: not measured — {_t(s['energy_reason'])}")
    g = rec.gemm_probe
    if g:
        prim = rec.preset(rec.primary_preset)
        pu = dict(prim.utilisation) if prim is not None else {}
        pu.setdefault("vs_probe", s.get("utilisation_vs_probe"))
        pu.setdefault("unet_step_vs_probe", s.get("unet_step_vs_probe"))

        def of_it(label: str, key: str) -> str:
            cell = _util(pu, key, "probe")
            return f"{label}: [red]error, above 100% of it[/]" if cell.startswith("[red]") else f"{label} at {cell} of it"

        con.print(f"GEMM probe: {g['best_flops'] / 1e9:.0f} GFLOP/s ({g['dtype']}, n={g['n']}); "
                  f"{of_it('whole run', 'vs_probe')} (the table's figure), "
                  f"{of_it('UNet steps alone', 'unet_step_vs_probe')}")
    if rec.batch_sweep:
        lim = rec.batch_sweep["limit"]
        con.print(f"batch sweep: max batch {lim.get('max_ok_batch')} ({_t(lim.get('reason'))})")
    ttf = rec.timeline.get("startup_to_first_timed_step_s")
    if ttf is not None:
        con.print(f"command start → first timed step: {ttf:.1f} s")


def _say_primary(rec, con: Console) -> None:
    """When the record's figure is the fastest preset's: which one and why, beside stock's figure."""
    from rich.markup import escape

    from artcost.bench.summaries import primary_sentence

    line = primary_sentence(rec)
    if line:
        con.print(f"[bold]{escape(line)}[/]")


def _preset_cells(p) -> list[str]:
    """One preset's cells of the record's table (a skipped or failed preset: its status and reason)."""
    if p.status != "ok":
        return [_t(p.name), _t(p.dtype), f"[yellow]{_t(p.status)}: {_t(p.reason)}[/]", "", "", "", "", "", "", ""]
    e = p.energy
    j = (f"{_fmt(e.get('joules_per_image_gross'))}/{_fmt(e.get('joules_per_image_net'))}"
         if e.get("joules_per_image_gross") is not None else "—")
    u = p.utilisation
    f = p.summary.get  # a record from before a figure existed lacks it: shown as not measured
    return [_t(p.name), _t(p.dtype), _fmt(f("seconds_per_image")), _fmt(f("images_per_minute")),
            _fmt(f("seconds_per_step")), j, _util(u, "vs_probe", "probe"), _util(u, "vs_datasheet", "datasheet"),
            _fmt(f("harness_overhead_share"), ".1%"),
            _fmt(p.ratio_to_stock and p.ratio_to_stock["seconds_per_image"], ".2f")]


def _steps(n: int) -> str:
    return f"{n} step{'' if n == 1 else 's'}"


def _json_console(*paths: Optional[Path], flag: bool = False) -> Console:
    """The console for progress and tables: stderr when JSON goes to standard output, so the JSON stays clean."""
    return Console(stderr=True) if flag or any(p == STDOUT for p in paths) else console


def _bench_outputs(json_out: Optional[Path], model: Optional[Path]):
    """The --json-out target checked before measuring (`artcost.outputs.plan_outputs`): never the results
    database, the model file it loads, a device or a folder."""
    from artcost.outputs import inputs, plan_outputs, results_database

    return plan_outputs({"--json-out": json_out},
                        [*results_database(), *inputs([model], "the model this benchmark loads")])


def _warn_damaged(lines: list[str], con: Console) -> None:
    """Damaged rows, one line each, on standard error: the good records are still listed and exported."""
    for line in lines:
        con.print(f"warning: {line}", markup=False, soft_wrap=True, style="yellow")


@bench_app.callback(invoke_without_command=True)
def bench(
    ctx: typer.Context,
    arch: str = typer.Option("sd15", help="sd15 | sdxl | flux-schnell | flux-dev | sd35-medium | sd35-large; "
                             "few-step SDXL: sdxl-turbo | sdxl-lightning | sdxl-lcm (tiny, tiny-flux, tiny-sd3: for tests)."),
    model: Optional[Path] = typer.Option(None, help="Local diffusers folder, or a .safetensors/.ckpt (needs --arch); "
                                         "with --workers it must exist at the same path on every machine. "
                                         "Without it: the real architecture with synthetic weights."),
    resolution: Optional[int] = typer.Option(None, help="Image side in pixels (default: 512 sd15, 1024 the others, "
                                             "512 sdxl-turbo)."),
    steps: Optional[int] = typer.Option(None, help="Denoising steps (default: the model's: 20 sd15/sdxl, 4 flux-schnell, "
                                        "50 flux-dev, 40 sd35-medium, 28 sd35-large; the variant's model card)."),
    scheduler: Optional[str] = typer.Option(None, help="pndm|ddim|euler|euler_a|dpmpp_2m|lms|unipc (default: the model's)."),
    guidance_scale: Optional[float] = typer.Option(None, help="Guidance scale (default: the model's: 7.5 sd15/sdxl, 0 "
                                                   "flux-schnell, 3.5 flux-dev, 4.5 sd35-medium, 3.5 sd35-large); "
                                                   "above 1 doubles the denoiser's batch (CFG), except FLUX's, "
                                                   "an input of one pass."),
    no_t5: bool = typer.Option(False, "--no-t5", help="SD3.5: run without the T5 text encoder (diffusers feeds zeros "
                               "in its place; the transformer's work is unchanged)."),
    batch_size: int = typer.Option(1, help="Images per pipeline call."),
    num_images: Optional[int] = typer.Option(None, help="Minimum images generated in timed runs (default 1); "
                                             "with --workers, the images the job makes, all workers together (default 32)."),
    seed: int = typer.Option(0, help="Seed of the first pipeline call; with --workers, call j of the job uses seed+j, "
                             "whichever worker makes it."),
    device: str = typer.Option("auto", help="auto | cpu | cuda | cuda:N (with --workers, Ray assigns one GPU per worker)."),
    presets: str = typer.Option("stock", help="Comma list of stock,fp16,bf16,channels_last,compile (with inductor "
                                "freezing),alloc (glibc malloc thresholds), or options joined with '+': "
                                "stock,bf16,bf16+compile+alloc. Stock always runs, first."),
    primary_preset: str = typer.Option("stock", help="Preset whose figures the record's summary (and cost model) uses, "
                                       "or 'fastest' (the fastest preset that beat stock in every run); "
                                       "the only one run with --workers."),
    warmup_runs: int = typer.Option(1, help="Untimed calls before the timed runs (the first checks the activations)."),
    warmup_steps: Optional[int] = typer.Option(
        None, help="Denoising steps of each warm-up call, at most --steps (default 1, which runs every kernel of a timed call at its "
                   "shapes; compile: all the steps)."),
    min_runs: int = typer.Option(3, help="Timed runs: at least this many ..."),
    min_seconds: float = typer.Option(10.0, help="... and at least this long in total."),
    max_runs: int = typer.Option(100),
    batch_sweep: bool = typer.Option(False, help="Also try batch 1, 2, 4, ... until out of memory."),
    max_batch: int = typer.Option(64),
    host_mem_ceiling_gb: Optional[float] = typer.Option(None, help="CPU: treat host RSS above this as out of memory."),
    idle_seconds: float = typer.Option(3.0, help="Idle-power window before the run (skipped without a meter)."),
    gemm_seconds: float = typer.Option(3.0, help="GEMM probe budget per dtype (0 disables)."),
    store: bool = typer.Option(True, "--store/--no-store", help="Save the record (or the cluster job) in the results database."),
    json_out: Optional[Path] = typer.Option(None, "--json-out", help="Also write the record (or the cluster job) as "
                                            "JSON here; '-' writes it to standard output (progress goes to stderr)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Spread --num-images over N Ray workers (one per GPU, "
                                          "or per CPU slot); needs the 'cluster' extra (pip install 'artcost\\[cluster]'). See docs/cluster.md."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="With --workers: an existing Ray cluster "
                                              "(HEAD:6379); default starts and stops a local one."),
    calibration_runs: Optional[int] = typer.Option(None, "--calibration-runs", help="With --workers: pipeline calls "
                                                   "worker 0 makes alone first (default: a tenth of the job, at least 2)."),
    chunk_runs: int = typer.Option(1, "--chunk-runs", help="With --workers: pipeline calls per dispatched chunk "
                                   "(the unit of re-queue)."),
):
    """Run a benchmark (when no sub-command is given); with --workers N, one job over N devices."""
    if ctx.invoked_subcommand is not None:
        return
    from artcost.bench.config import make_config

    cluster = workers is not None or ray_address is not None
    if workers is not None and workers < 1:
        raise UserError(f"--workers: must be at least 1 (got {workers})")
    if cluster and primary_preset == "fastest":
        raise UserError("--primary-preset fastest: a cluster job runs one preset; name it (stock, bf16, ...)")
    if not cluster and (calibration_runs is not None or chunk_runs != 1):
        raise UserError("--calibration-runs and --chunk-runs apply to a cluster job: give --workers N too")
    cfg = make_config(
        BENCH_FLAGS, arch=arch, model=model, resolution=resolution, steps=steps, scheduler=scheduler,
        guidance_scale=guidance_scale, batch_size=batch_size,
        num_images=num_images if num_images is not None else (32 if cluster else 1), seed=seed, device=device,
        presets=[p.strip() for p in presets.split(",") if p.strip()], primary_preset=primary_preset,
        warmup_runs=warmup_runs, warmup_steps=warmup_steps, min_runs=min_runs, min_seconds=min_seconds, max_runs=max_runs,
        batch_sweep=batch_sweep, max_batch=max_batch, host_mem_ceiling_gb=host_mem_ceiling_gb,
        idle_seconds=idle_seconds, gemm_seconds=gemm_seconds, store=store, without_t5=no_t5,
    )
    try:
        plan = _bench_outputs(json_out, model)
    except UserError as exc:
        raise UserError([f"{line}; nothing was measured" for line in exc.problems]) from None
    con = _json_console(json_out)
    if cluster:
        others = [p for p in dict.fromkeys(x.strip() for x in presets.split(",") if x.strip()) if p != primary_preset]
        if others:
            con.print(f"[yellow]note: with --workers only the primary preset ({primary_preset}) is run; "
                      f"not run: {', '.join(others)}[/]")
        job = run_cluster_command(cfg, 1 if workers is None else workers, ray_address, calibration_runs, chunk_runs,
                                  con=con, json_out=json_out, plan=plan)
        if job["status"] != "complete":
            raise typer.Exit(1)
        return
    from artcost.bench.runner import run_benchmark

    from artcost.bench.memory import DoesNotFit
    from artcost.cli.options import flag_names

    from artcost.bench.kept import NotStored

    out = plan.outputs.get("--json-out")
    try:
        with flag_names(device="--device", model="--model", arch="--arch"):
            rec = run_benchmark(cfg, console=con, command_started=STARTED, progress=_timed_run_lines(con),
                                keep_to=out if out is not None and not out.to_stdout else None)
    except DoesNotFit as exc:
        raise UserError(f"{exc}. Count its FLOPs without weights: artcost bench flops --arch {exc.arch}") from None
    except NotStored as exc:  # measured, not stored: the record is in a file, and the message says which
        print_record(exc.record, con)
        _not_stored(exc, plan, out)
    print_record(rec, con)
    if store:
        con.print(f"stored as record {rec.id}; use it with: artcost cost SCENARIO --from-bench {rec.id}")
    if out is not None:
        plan.write_text("--json-out", rec.model_dump_json(indent=1) + "\n")


@bench_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print the records' summaries as JSON (one object per row).")):
    """List stored benchmark records."""
    from artcost.bench.record import flat_row
    from artcost.bench.store import ResultStore

    st = ResultStore()
    recs, damaged = st.scan()
    _warn_damaged(damaged, Console(stderr=True, highlight=False))
    if as_json:
        typer.echo(jsonout.dumps([flat_row(r) for r in recs], indent=1))
        return
    if not recs:
        console.print(f"no bench records in {st.path}")
        return
    t = Table("id", "date", "arch", "px", "steps", "device", "weights", "preset", "s/image", "J/image", "util")
    for r in recs:
        f = flat_row(r)
        t.add_row(str(f["id"]), _t(f["created_at"][:16]), _t(f["arch"]), str(f["resolution"]), str(f["steps"]),
                  _t(f["device"]), _t(f["weights"]), _t(f["preset"]), _fmt(f["seconds_per_image"]),
                  _fmt(f["joules_per_image_gross"]),
                  "[red]error[/]" if f["measurement_errors"] else _fmt(f["utilisation_vs_probe"], ".0%"))
    print_table(t, console)


@bench_app.command("show")
def show_cmd(record_id: str = typer.Argument(..., help="Record id or 'latest'."),
             as_json: bool = typer.Option(False, "--json", help="Print the full record as JSON.")):
    """Show one record: the summary table, or everything with --json."""
    from artcost.bench.store import ResultStore

    rec = ResultStore().resolve(record_id)
    if as_json:
        typer.echo(rec.model_dump_json(indent=1))
    else:
        print_record(rec)


@bench_app.command("export")
def export_cmd(csv: Optional[Path] = typer.Option(None, "--csv", help="One row per record ('-': standard output)."),
               json_path: Optional[Path] = typer.Option(None, "--json", help="Full records as a JSON list ('-': standard output).")):
    """Export every record to CSV (flat summary) and/or JSON (complete records)."""
    from artcost.bench.store import ResultStore, export_csv_text, export_json_text
    from artcost.outputs import plan_outputs

    if csv is None and json_path is None:
        raise UserError("artcost bench export: give --csv FILE and/or --json FILE ('-' for standard output)")
    st = ResultStore()
    plan = plan_outputs({"--csv": csv, "--json": json_path}, results_database_of(st))
    recs, damaged = st.scan()
    con = _json_console(csv, json_path)
    _warn_damaged(damaged, Console(stderr=True, highlight=False))
    for flag, text in (("--csv", export_csv_text), ("--json", export_json_text)):
        if flag in plan.outputs:
            out = plan.write_text(flag, text(recs))
            con.print(f"wrote {len(recs)} records to {out.shown()}"
                      + (f" ({len(damaged)} damaged row{'s' if len(damaged) > 1 else ''} skipped)" if damaged else ""))


def results_database_of(store) -> list:
    """The database a store opened (the default one, or ARTCOST_DATA's) and its side files, for the guard."""
    from artcost.outputs import database_files

    return database_files(store.path)


@bench_app.command("import")
def import_cmd(file: Path = typer.Argument(..., help="A record file: what a benchmark kept when the results database "
                                           "refused it, a --json-out file, or a bench export --json list."),
               as_json: bool = typer.Option(False, "--json", help="Print each record's id and whether it was stored now.")):
    """Store a benchmark record kept in a file (when the results database was locked or full, or from another
    machine). Each record is validated first; one already stored (the same measurement) is not stored twice."""
    from artcost.bench.kept import read_kept
    from artcost.bench.store import ResultStore

    from artcost.bench.cluster_store import ClusterStore
    from artcost.bench.record import BenchRecord

    items = read_kept(file)
    records, jobs = ResultStore(), ClusterStore()
    done = [("record", *records.import_record(x)) if isinstance(x, BenchRecord) else ("cluster job", *jobs.import_job(x))
            for x in items]
    if as_json:
        typer.echo(jsonout.dumps([{"file": str(file), "kind": kind, "id": rid, "stored_now": new}
                                  for kind, rid, new in done], indent=1))
        return
    for kind, rid, new in done:
        use = "--from-bench" if kind == "record" else "--from-cluster"
        console.print(f"{file}: stored as {kind} {rid}; use it with: artcost cost SCENARIO {use} {rid}" if new
                      else f"{file}: already stored as {kind} {rid}; nothing changed", markup=False)


@bench_app.command("flops")
def flops_cmd(
    arch: str = typer.Option(..., help="Any --arch of artcost bench (a few-step variant counts as its architecture "
                             "at its own steps and guidance)."),
    resolution: Optional[int] = typer.Option(None, help="Image side in pixels (default: the model's)."),
    steps: Optional[int] = typer.Option(None, help="Denoising steps (default: the model's)."),
    guidance_scale: Optional[float] = typer.Option(None, help="Guidance scale (default: the model's); above 1 doubles "
                                                   "the denoiser's rows, except FLUX's."),
    no_t5: bool = typer.Option(False, "--no-t5", help="SD3.5 without its T5 encoder."),
    as_json: bool = typer.Option(False, "--json", help="Print the count as JSON."),
):
    """FLOPs per image of an architecture, counted on the meta device from its shipped configs: no weights,
    seconds, on any machine (scale a published speed by it where the model does not fit here)."""
    from artcost.bench.config import make_config
    from artcost.bench.flops import ModelConfigs, count_flops

    cfg = make_config(BENCH_FLAGS, arch=arch, resolution=resolution, steps=steps, guidance_scale=guidance_scale,
                      without_t5=no_t5, store=False)
    res = cfg.effective_resolution()
    b = count_flops(ModelConfigs.from_template(cfg.arch, without=cfg.without), res)
    per_image = b.nominal_per_image(cfg.steps, cfg=cfg.cfg_on)
    rows = 2 if cfg.cfg_on else 1
    out = {"arch": cfg.arch, "variant": cfg.variant, "resolution": res, "steps": cfg.steps,
           "guidance_scale": cfg.guidance_scale, "cfg": cfg.cfg_on, "without": list(cfg.without),
           "text_per_row": b.text_per_row, "denoiser_per_row": b.unet_per_row,
           "vae_decode_per_row": b.vae_decode_per_row, "per_image": per_image, "source": b.source}
    if as_json:
        typer.echo(jsonout.dumps(out, indent=1))
        return
    name = cfg.variant or cfg.arch
    console.print(f"[bold]{name}[/] at {res} px, {_steps(cfg.steps)}, guidance {cfg.guidance_scale:g} "
                  f"(CFG {'on: denoiser rows x2' if cfg.cfg_on else 'off'})"
                  + (f", without {', '.join(cfg.without)}" if cfg.without else ""))
    t = Table("component", "GFLOP per row", "rows per image", "GFLOP per image")
    for comp, f in b.text_per_row.items():
        n = rows if get_arch_encoded(cfg.arch) else 1
        t.add_row(comp, f"{f / 1e9:,.1f}", str(n), f"{f * n / 1e9:,.1f}")
    t.add_row("denoiser", f"{b.unet_per_row / 1e9:,.1f}", f"{cfg.steps} x {rows}",
              f"{b.unet_per_row * cfg.steps * rows / 1e9:,.1f}")
    t.add_row("vae decode", f"{b.vae_decode_per_row / 1e9:,.1f}", "1", f"{b.vae_decode_per_row / 1e9:,.1f}")
    print_table(t, console)
    console.print(f"per image: [bold]{per_image / 1e12:,.2f} TFLOP[/] ({b.source}; matmuls, convolutions and "
                  "attention, 2 FLOPs per multiply-accumulate)")


def get_arch_encoded(arch: str) -> bool:
    """Whether the negative prompt goes through the text encoders under CFG (SD1.5, SD3; not SDXL)."""
    from artcost.bench.archs import get_arch

    return get_arch(arch).negative_prompt_encoded


# --------------------------------------------------------------------------- cluster jobs


def run_cluster_command(config, workers: int, ray_address: str | None, calibration_runs: int | None = None,
                        chunk_runs: int = 1, con: Console | None = console, json_out: Path | None = None,
                        plan=None) -> dict:
    """Run one cluster job for ``config`` (a `BenchConfig`), print progress and the result; return the job dict."""
    from artcost.bench.cluster import ClusterSettings, run_cluster_job

    settings = ClusterSettings(workers=workers, ray_address=ray_address, calibration_runs=calibration_runs,
                               chunk_runs=chunk_runs)
    total = -(-config.num_images // config.batch_size) * config.batch_size
    done = {"n": 0}

    def on_event(kind: str, **kw) -> None:
        if con is None:
            return
        if kind == "starting":
            where = {"local": "a local Ray (stopped at the end)", "existing": f"the Ray cluster at {ray_address}",
                     "reused": "the Ray already running in this process"}[kw["mode"]]
            con.print(f"starting {kw['workers']} {kw['device_kind']} worker(s) on {where}; each builds the pipeline and warms up ...")
        elif kind == "ready":
            i = kw["info"]
            con.print(f"  worker {kw['worker']}: {i['hostname']} {i['device_name']} — built in {i['load_s']:.1f} s, "
                      f"energy meter {i['meter']}")
        elif kind == "phase":
            what = "calibration: worker 0 alone" if kw["name"] == "calibration" else f"scaled phase: {kw['workers']} workers"
            con.print(f"{what}, {kw['runs']} pipeline call(s) ...")
        elif kind == "chunk":
            done["n"] += kw["images"]
            if done["n"] == total or done["n"] % max(1, total // 10) < kw["images"]:
                con.print(f"  {done['n']}/{total} images")
        elif kind == "failed":
            con.print(f"[red]  worker {kw['worker']} failed: {kw['error']}[/]; {kw['requeued_images']} image(s) re-queued")

    from artcost.cli.options import flag_names

    from artcost.bench.kept import NotStored

    plan = plan or (_bench_outputs(json_out, None) if json_out else None)
    out = plan.outputs.get("--json-out") if plan is not None else None
    try:
        with flag_names(ray_address="--ray-address", device="--device", workers="--workers",
                        calibration_runs="--calibration-runs", chunk_runs="--chunk-runs", model="--model", arch="--arch"):
            job = run_cluster_job(config, settings, on_event=on_event,
                                  keep_to=out if out is not None and not out.to_stdout else None)
    except NotStored as exc:  # measured, not stored: the job is in a file, and the message says which
        if con is not None:
            print_job(exc.record, con)
        _not_stored(exc, plan, out)
    if con is not None:
        print_job(job, con)
        if job.get("id") is not None:
            con.print(f"stored as cluster job {job['id']}; use its scaling with: artcost cost SCENARIO --from-cluster {job['id']}")
    if out is not None:
        plan.write_text("--json-out", jsonout.dumps(job, indent=1) + "\n")
    return job


def _not_stored(exc, plan, out) -> None:
    """After `NotStored`: the JSON asked for on standard output still goes there; the error says where the
    measurement is kept (or, when no file could hold it, writes its JSON on standard error)."""
    if out is not None and out.to_stdout:
        plan.write_text("--json-out", exc.text)
    if exc.kept is None:
        sys.stderr.write(exc.text)
    later = f": store it later with: artcost bench import {exc.kept}" if exc.kept is not None else (
        ": its JSON follows on standard error; save it to a file and store it with: artcost bench import FILE")
    raise UserError([line + later for line in exc.problems]) from None


def print_job(job: dict, con: Console = console) -> None:
    """One table row per worker, then the aggregate lines."""
    s, c = job["summary"], job["config"]
    head = f"cluster job {job.get('id') if job.get('id') is not None else '(not stored)'}"
    con.print(f"[bold]{head}[/]  {c['arch']} {c['resolution']}px, {_steps(c['steps'])}, batch {c['batch_size']} — "
              f"{s['workers']} {s['device_kind']} worker(s) on {', '.join(s['nodes'])} — status [bold]{job['status']}[/]")
    t = Table("worker", "host", "device", "status", "images", "img/min", "s/image (median)", "J/image")
    for p in job["parts"]:
        st = p["status"] if p["status"] == "ok" else f"[red]{p['status']}[/]"
        t.add_row(str(p["worker"]), p.get("hostname") or "?", p.get("device_name") or "?", st, str(p["images"]),
                  _fmt(p.get("images_per_minute")), _fmt(p["seconds_per_image_stats"].get("median")),
                  _fmt(p.get("joules_per_image")))
    print_table(t, con)
    sp = s["per_worker_images_per_minute"]
    con.print(f"images: {s['images']} of {s['images_requested']} in {s['generation_wall_s']:.1f} s of generation "
              f"→ {_fmt(s['images_per_minute'])} img/min overall, {_fmt(s['scaled_images_per_minute'])} img/min with all workers")
    con.print(f"per-worker spread (max−min)/median: {_fmt(sp.get('spread'), '.1%')}; setup (build + warm-up) {s['setup_s']:.1f} s")
    sc = job["scaling"]
    if sc.get("efficiency") is not None:
        one = sc.get("one_worker_images_per_minute")
        con.print(f"scaling efficiency vs one worker: [bold]{sc['efficiency']:.2f}[/]"
                  + (f" (one worker {one:.3g} img/min in the same run)" if one else f" ({sc.get('reason')})"))
    else:
        con.print(f"scaling efficiency: not measured — {sc.get('reason')}")
    if s.get("joules_per_image") is not None:
        con.print(f"energy: {s['joules_per_image']:.4g} J/image (sum of the workers' meters)")
    else:
        con.print(f"energy: not measured — {s.get('energy_reason')}")
    for f in job["failures"]:
        lost = f" , {f['lost_images']} lost" if f.get("lost_images") else ""
        con.print(f"[red]worker {f['worker']} failed ({f['phase']}): {f['error']}[/] — "
                  f"{f['requeued_images']} image(s) re-queued{lost}")


@cluster_app.command("list")
def cluster_list_cmd(as_json: bool = typer.Option(False, "--json", help="Print the jobs' summaries as JSON.")):
    """List stored cluster jobs."""
    from artcost.bench.cluster_store import ClusterStore

    st = ClusterStore()
    jobs = st.list_jobs()
    if as_json:
        typer.echo(jsonout.dumps(jobs, indent=1))
        return
    if not jobs:
        console.print(f"no cluster jobs in {st.path}")
        return
    t = Table("id", "date", "status", "workers", "kind", "arch", "px", "steps", "images", "img/min", "scaling", "J/image")
    for j in jobs:
        t.add_row(str(j["id"]), j["created_at"][:16], j["status"], str(j["workers"]), j["device_kind"] or "",
                  j["arch"] or "", str(j["resolution"]), str(j["steps"]), str(j["images"]),
                  _fmt(j["images_per_minute"]), _fmt(j["scaling_efficiency"], ".2f"), _fmt(j["joules_per_image"]))
    print_table(t, console)


@cluster_app.command("show")
def cluster_show_cmd(job_id: str = typer.Argument(..., help="Job id or 'latest'."),
                     as_json: bool = typer.Option(False, "--json", help="Print the full job with its parts as JSON.")):
    """Show one cluster job: per-worker table and the aggregate, or everything with --json."""
    from artcost.bench.cluster_store import ClusterStore

    job = ClusterStore().resolve(job_id)
    if as_json:
        typer.echo(jsonout.dumps(job, indent=1))
    else:
        print_job(job)


bench_app.add_typer(cluster_app, name="cluster")
app.add_typer(bench_app, name="bench")
app.add_typer(cluster_app, name="bench-cluster", hidden=True)  # the old name of `bench cluster`, kept working

from artcost.cli.bench_compare import compare_cmd  # noqa: E402  (issue #17: a record beside the published runs)

bench_app.command("compare")(compare_cmd)
