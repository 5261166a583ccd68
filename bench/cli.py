"""`artcost bench` (run a benchmark), `artcost bench list | show ID | export --csv/--json FILE`.

The lead's top-level CLI mounts `app` with ``app.add_typer(artcost.bench.cli.app, name="bench")``
and turns `UserError` into one line per problem and exit status 2.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from artcost.errors import UserError

_STARTED = time.perf_counter()  # command start, for "time to first timed step"

app = typer.Typer(
    help="Measure this machine: seconds, joules and FLOP/s per image with real diffusers pipelines.",
    add_completion=False,
)
console = Console()


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
    con.print(f"[bold]bench record {rec.id}[/]  {rec.arch} {rec.resolution}px, {rec.steps} steps, "
              f"batch {s.get('batch_size')}, CFG {'on' if s.get('cfg') else 'off'}  —  {rec.device_name}  —  {rec.weights_label}")
    t = Table(show_header=True, header_style="bold")
    for col in ("preset", "dtype", "s/image", "img/min", "s/step", "J/image (gross/net)", "run vs GEMM probe",
                "run vs datasheet", "overhead", "time vs stock"):
        t.add_column(col, justify="right" if col not in ("preset", "dtype") else "left")
    for p in rec.presets:
        if p.status != "ok":
            t.add_row(p.name, p.dtype or "", f"[yellow]{p.status}: {p.reason}[/]", "", "", "", "", "", "", "")
            continue
        e = p.energy
        j = (f"{_fmt(e.get('joules_per_image_gross'))}/{_fmt(e.get('joules_per_image_net'))}"
             if e.get("joules_per_image_gross") is not None else "—")
        u = p.utilisation
        t.add_row(
            p.name, p.dtype or "", _fmt(p.summary["seconds_per_image"]), _fmt(p.summary["images_per_minute"]),
            _fmt(p.summary["seconds_per_step"]), j,
            _util(u, "vs_probe", "probe"), _util(u, "vs_datasheet", "datasheet"),
            _fmt(p.summary["harness_overhead_share"], ".1%"),
            _fmt(p.ratio_to_stock and p.ratio_to_stock["seconds_per_image"], ".2f"),
        )
    con.print(t)
    for err in measurement_errors(rec):
        con.print(f"[red]measurement error:[/] {escape(err)}")
    if s.get("flops_source"):
        con.print(f"FLOPs: {s['flops_source']}")
    if s.get("energy_reason"):
        con.print(f"energy: not measured — {s['energy_reason']}")
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
        con.print(f"batch sweep: max batch {lim.get('max_ok_batch')} ({lim.get('reason')})")
    ttf = rec.timeline.get("startup_to_first_timed_step_s")
    if ttf is not None:
        con.print(f"command start → first timed step: {ttf:.1f} s")


@app.callback(invoke_without_command=True)
def bench(
    ctx: typer.Context,
    arch: str = typer.Option("sd15", help="sd15 | sdxl | tiny (tiny is for tests)."),
    model: Optional[Path] = typer.Option(None, help="Local diffusers folder, or a .safetensors/.ckpt (needs --arch). "
                                         "Without it: the real architecture with synthetic weights."),
    resolution: Optional[int] = typer.Option(None, help="Image side in pixels (default: 512 sd15, 1024 sdxl)."),
    steps: int = typer.Option(20, help="Denoising steps."),
    scheduler: Optional[str] = typer.Option(None, help="pndm|ddim|euler|euler_a|dpmpp_2m|lms|unipc (default: the model's)."),
    guidance_scale: float = typer.Option(7.5, help="CFG scale; above 1 doubles the UNet batch."),
    batch_size: int = typer.Option(1, help="Images per pipeline call."),
    num_images: int = typer.Option(1, help="Minimum images generated in timed runs."),
    seed: int = typer.Option(0),
    device: str = typer.Option("auto", help="auto | cpu | cuda | cuda:N"),
    presets: str = typer.Option("stock", help="Comma list: stock,fp16,bf16,channels_last,compile."),
    primary_preset: str = typer.Option("stock", help="Preset whose figures the record's summary (and cost model) uses."),
    warmup_runs: int = typer.Option(1),
    min_runs: int = typer.Option(3, help="Timed runs: at least this many ..."),
    min_seconds: float = typer.Option(10.0, help="... and at least this long in total."),
    max_runs: int = typer.Option(100),
    batch_sweep: bool = typer.Option(False, help="Also try batch 1, 2, 4, ... until out of memory."),
    max_batch: int = typer.Option(64),
    host_mem_ceiling_gb: Optional[float] = typer.Option(None, help="CPU: treat host RSS above this as out of memory."),
    idle_seconds: float = typer.Option(3.0, help="Idle-power window before the run (skipped without a meter)."),
    gemm_seconds: float = typer.Option(3.0, help="GEMM probe budget per dtype (0 disables)."),
    store: bool = typer.Option(True, "--store/--no-store", help="Save the record in the results database."),
    json_out: Optional[Path] = typer.Option(None, "--json-out", help="Also write the record as JSON here."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Spread --num-images over N Ray workers (one per GPU, "
                                          "or per CPU slot); needs the 'cluster' extra (pip install 'artcost\\[cluster]'). See docs/cluster.md."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="With --workers: an existing Ray cluster "
                                              "(HEAD:6379); default starts and stops a local one."),
):
    """Run a benchmark (when no sub-command is given)."""
    if ctx.invoked_subcommand is not None:
        return
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark

    cfg = make_config(
        arch=arch, model=model, resolution=resolution, steps=steps, scheduler=scheduler,
        guidance_scale=guidance_scale, batch_size=batch_size, num_images=num_images, seed=seed, device=device,
        presets=[p.strip() for p in presets.split(",") if p.strip()], primary_preset=primary_preset,
        warmup_runs=warmup_runs, min_runs=min_runs, min_seconds=min_seconds, max_runs=max_runs,
        batch_sweep=batch_sweep, max_batch=max_batch, host_mem_ceiling_gb=host_mem_ceiling_gb,
        idle_seconds=idle_seconds, gemm_seconds=gemm_seconds, store=store,
    )
    if workers is not None or ray_address is not None:
        from artcost.bench.cluster_cli import run_cluster_command

        if workers is not None and workers < 1:
            raise UserError(f"--workers: must be at least 1 (got {workers})")
        others = [p for p in dict.fromkeys(x.strip() for x in presets.split(",") if x.strip()) if p != primary_preset]
        if others:
            console.print(f"[yellow]note: with --workers only the primary preset ({primary_preset}) is run; "
                          f"not run: {', '.join(others)}[/]")
        job = run_cluster_command(cfg, 1 if workers is None else workers, ray_address, con=console,
                                  json_out=json_out)
        if job["status"] != "complete":
            raise typer.Exit(1)
        return
    rec = run_benchmark(cfg, console=console, command_started=_STARTED)
    print_record(rec)
    if store:
        console.print(f"stored as record {rec.id}; use it with: artcost cost SCENARIO --from-bench {rec.id}")
    if json_out:
        json_out.write_text(rec.model_dump_json(indent=1) + "\n")


@app.command("list")
def list_cmd():
    """List stored benchmark records."""
    from artcost.bench.record import flat_row
    from artcost.bench.store import ResultStore

    st = ResultStore()
    recs = st.all()
    if not recs:
        console.print(f"no bench records in {st.path}")
        return
    t = Table("id", "date", "arch", "px", "steps", "device", "weights", "preset", "s/image", "J/image", "util")
    for r in recs:
        f = flat_row(r)
        t.add_row(str(f["id"]), f["created_at"][:16], f["arch"], str(f["resolution"]), str(f["steps"]),
                  f["device"], f["weights"], f["preset"], _fmt(f["seconds_per_image"]),
                  _fmt(f["joules_per_image_gross"]),
                  "[red]error[/]" if f["measurement_errors"] else _fmt(f["utilisation_vs_probe"], ".0%"))
    console.print(t)


@app.command("show")
def show_cmd(record_id: str = typer.Argument(..., help="Record id or 'latest'."),
             as_json: bool = typer.Option(False, "--json", help="Print the full record as JSON.")):
    """Show one record: the summary table, or everything with --json."""
    from artcost.bench.store import ResultStore

    rec = ResultStore().resolve(record_id)
    if as_json:
        typer.echo(rec.model_dump_json(indent=1))
    else:
        print_record(rec)


@app.command("export")
def export_cmd(csv: Optional[Path] = typer.Option(None, "--csv", help="One row per record."),
               json_path: Optional[Path] = typer.Option(None, "--json", help="Full records as a JSON list.")):
    """Export every record to CSV (flat summary) and/or JSON (complete records)."""
    from artcost.bench.store import ResultStore, export_csv, export_json

    if csv is None and json_path is None:
        raise UserError("artcost bench export: give --csv FILE and/or --json FILE")
    recs = ResultStore().all()
    for flag, path, write in (("--csv", csv, export_csv), ("--json", json_path, export_json)):
        if path is None:
            continue
        try:
            write(recs, path)
        except OSError as exc:
            raise UserError(f"{flag} {path}: cannot write it ({exc.strerror or exc})") from None
        console.print(f"wrote {len(recs)} records to {path}")


def main() -> None:  # pragma: no cover - standalone use before the top-level CLI mounts us
    try:
        app()
    except UserError as exc:
        for line in exc.problems:
            Console(stderr=True).print(f"[red]error:[/] {line}")
        raise SystemExit(exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
