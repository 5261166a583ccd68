"""`artcost bench-cluster --workers N [--ray-address ADDR]`, `bench-cluster list`, `bench-cluster show ID`.

`run_cluster_command` is the plain function behind the command (so ``artcost bench --workers N`` can
call it too); `register(app)` mounts the standalone command group on the top-level Typer app.
"""

from __future__ import annotations


from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from artcost import jsonout
from artcost.bench.cli import _fmt

console = Console()


def run_cluster_command(config, workers: int, ray_address: str | None, calibration_runs: int | None = None,
                        chunk_runs: int = 1, con: Console | None = console, json_out: Path | None = None) -> dict:
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

    job = run_cluster_job(config, settings, on_event=on_event)
    if con is not None:
        print_job(job, con)
        if job.get("id") is not None:
            con.print(f"stored as cluster job {job['id']}; use its scaling with: artcost cost SCENARIO --from-cluster {job['id']}")
    if json_out:
        json_out.write_text(jsonout.dumps(job, indent=1) + "\n")
    return job


def print_job(job: dict, con: Console = console) -> None:
    """One table row per worker, then the aggregate lines."""
    s, c = job["summary"], job["config"]
    head = f"cluster job {job.get('id') if job.get('id') is not None else '(not stored)'}"
    con.print(f"[bold]{head}[/]  {c['arch']} {c['resolution']}px, {c['steps']} steps, batch {c['batch_size']} — "
              f"{s['workers']} {s['device_kind']} worker(s) on {', '.join(s['nodes'])} — status [bold]{job['status']}[/]")
    t = Table("worker", "host", "device", "status", "images", "img/min", "s/image (median)", "J/image")
    for p in job["parts"]:
        st = p["status"] if p["status"] == "ok" else f"[red]{p['status']}[/]"
        t.add_row(str(p["worker"]), p.get("hostname") or "?", p.get("device_name") or "?", st, str(p["images"]),
                  _fmt(p.get("images_per_minute")), _fmt(p["seconds_per_image_stats"].get("median")),
                  _fmt(p.get("joules_per_image")))
    con.print(t)
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


def register(app: typer.Typer) -> None:
    """Mount `artcost bench-cluster` (run / list / show) on the top-level app."""
    cluster_app = typer.Typer(help="Spread one generation job over many GPUs/machines with Ray; measure scaling.",
                              add_completion=False)

    @cluster_app.callback(invoke_without_command=True)
    def bench_cluster(
        ctx: typer.Context,
        workers: int = typer.Option(2, help="Workers: one per GPU, or per CPU slot on a machine without GPUs."),
        ray_address: Optional[str] = typer.Option(None, help="An existing Ray cluster, e.g. HEAD:6379 "
                                                  "(default: start a local Ray and stop it at the end)."),
        arch: str = typer.Option("sd15", help="sd15 | sdxl | tiny (tiny is for tests)."),
        model: Optional[Path] = typer.Option(None, help="Local diffusers folder or .safetensors/.ckpt; must exist "
                                             "at the same path on every machine. Without it: synthetic weights."),
        resolution: Optional[int] = typer.Option(None, help="Image side in pixels (default: 512 sd15, 1024 sdxl)."),
        steps: int = typer.Option(20, help="Denoising steps."),
        scheduler: Optional[str] = typer.Option(None, help="pndm|ddim|euler|euler_a|dpmpp_2m|lms|unipc."),
        guidance_scale: float = typer.Option(7.5, help="CFG scale; above 1 doubles the UNet batch."),
        batch_size: int = typer.Option(1, help="Images per pipeline call."),
        num_images: int = typer.Option(32, help="Images the job makes (all workers together)."),
        seed: int = typer.Option(0, help="Pipeline call j of the job uses seed+j, whichever worker makes it."),
        device: str = typer.Option("auto", help="auto | cpu | cuda (Ray assigns one GPU per worker)."),
        preset: str = typer.Option("stock", help="One of stock,fp16,bf16,channels_last,compile."),
        warmup_runs: int = typer.Option(1),
        idle_seconds: float = typer.Option(3.0, help="Idle-power window per worker (skipped without a meter)."),
        host_mem_ceiling_gb: Optional[float] = typer.Option(None, help="CPU: treat RSS above this as out of memory."),
        calibration_runs: Optional[int] = typer.Option(None, help="Pipeline calls worker 0 makes alone first "
                                                       "(default: a tenth of the job, at least 2)."),
        chunk_runs: int = typer.Option(1, help="Pipeline calls per dispatched chunk (the unit of re-queue)."),
        store: bool = typer.Option(True, "--store/--no-store", help="Save the job in the results database."),
        json_out: Optional[Path] = typer.Option(None, "--json-out", help="Also write the job as JSON here."),
    ):
        """Run one job over WORKERS devices (when no sub-command is given)."""
        if ctx.invoked_subcommand is not None:
            return
        from artcost.bench.config import make_config

        cfg = make_config(arch=arch, model=model, resolution=resolution, steps=steps, scheduler=scheduler,
                          guidance_scale=guidance_scale, batch_size=batch_size, num_images=num_images, seed=seed,
                          device=device, presets=[preset], primary_preset=preset, warmup_runs=warmup_runs,
                          idle_seconds=idle_seconds, host_mem_ceiling_gb=host_mem_ceiling_gb, gemm_seconds=0,
                          store=store)
        job = run_cluster_command(cfg, workers, ray_address, calibration_runs, chunk_runs, json_out=json_out)
        if job["status"] != "complete":
            raise typer.Exit(1)

    @cluster_app.command("list")
    def list_cmd():
        """List stored cluster jobs."""
        from artcost.bench.cluster_store import ClusterStore

        st = ClusterStore()
        jobs = st.list_jobs()
        if not jobs:
            console.print(f"no cluster jobs in {st.path}")
            return
        t = Table("id", "date", "status", "workers", "kind", "arch", "px", "steps", "images", "img/min", "scaling", "J/image")
        for j in jobs:
            t.add_row(str(j["id"]), j["created_at"][:16], j["status"], str(j["workers"]), j["device_kind"] or "",
                      j["arch"] or "", str(j["resolution"]), str(j["steps"]), str(j["images"]),
                      _fmt(j["images_per_minute"]), _fmt(j["scaling_efficiency"], ".2f"), _fmt(j["joules_per_image"]))
        console.print(t)

    @cluster_app.command("show")
    def show_cmd(job_id: str = typer.Argument(..., help="Job id or 'latest'."),
                 as_json: bool = typer.Option(False, "--json", help="Print the full job with its parts as JSON.")):
        """Show one cluster job: per-worker table and the aggregate, or everything with --json."""
        from artcost.bench.cluster_store import ClusterStore

        job = ClusterStore().resolve(job_id)
        if as_json:
            typer.echo(jsonout.dumps(job, indent=1))
        else:
            print_job(job)

    app.add_typer(cluster_app, name="bench-cluster")

