"""Benchmark: run the diffusion benchmark live, see its history, make a result the scenario's speed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from artcost.bench import config as config_mod
from artcost.bench import store as store_mod
from artcost.dashboard import bench_job, charts, ui
from artcost.dashboard.escape import md
from artcost.errors import UserError

ss = st.session_state
st.title("Benchmark")



@st.cache_resource
def slot() -> bench_job.JobSlot:
    """One slot for the whole server: one benchmark at a time on this machine's accelerator."""
    return bench_job.JobSlot()


@st.cache_resource(show_spinner="Looking for a GPU ...")
def gpu() -> tuple[bool, str]:
    import torch

    if torch.cuda.is_available():
        return True, torch.cuda.get_device_name(0)
    return False, f"torch {torch.__version__} sees no CUDA device"


missing = bench_job.bench_extra_missing()
job_slot = slot()
if missing:
    st.warning(f"Running a benchmark needs the optional [bench] extra ({', '.join(missing)} not installed). "
               f"Install it with:  `{bench_job.INSTALL_HINT}`. The stored results below can still be used.")
else:
    has_gpu, device_text = gpu()
    archs = bench_job.offered_archs(has_gpu)
    if has_gpu:
        st.success(f"GPU: {device_text}")
    else:
        st.info(f"No GPU on this machine ({device_text}). Offered instead: the **CPU tiny run**. {bench_job.TINY_LABEL}")
    running = job_slot.job is not None and job_slot.job.running
    arch = st.selectbox("Architecture", archs, key="bench_arch",
                        help="The real architectures with synthetic weights (a local model can be given to "
                             "`artcost bench --model`); sdxl-turbo/-lightning/-lcm: SDXL with its few-step settings; "
                             "tiny: a test-sized model.")
    default_res, default_steps = bench_job.form_defaults(arch)
    with st.form("bench-form", border=True):
        c = st.columns([1, 3, 1, 1, 1])  # the presets' chips ('bf16+alloc') were cut in a fifth of the form
        c[0].markdown(f"**{arch}**")
        presets = c[1].multiselect("Presets", bench_job.PRESET_CHOICES, default=bench_job.default_presets(has_gpu),
                                   help="stock always runs first; the others are reported against it, and the "
                                        "record's figure is the fastest that beat stock in every run.")
        resolution = c[2].number_input("Resolution (px)", min_value=64, max_value=2048,
                                       value=default_res, step=64)
        steps = c[3].number_input("Steps", min_value=1, max_value=150, value=default_steps)
        batch = c[4].number_input("Batch", min_value=1, max_value=64, value=1)
        clicked = st.form_submit_button("Run" + (" (CPU tiny run)" if not has_gpu else ""), type="primary",
                                        disabled=running)
    if clicked:
        try:
            cfg = config_mod.make_config(
                {"arch": "Architecture", "resolution": "Resolution", "steps": "Steps", "batch_size": "Batch",
                 "presets": "Presets"},  # a bad setting is named by its label on this form
                arch=arch, resolution=int(resolution), steps=int(steps), batch_size=int(batch),
                presets=presets or ["stock"], primary_preset=bench_job.FASTEST, device="auto" if has_gpu else "cpu",
                min_runs=3 if has_gpu else 2, min_seconds=10.0 if has_gpu else 2.0,
                idle_seconds=3.0 if has_gpu else 0.0, gemm_seconds=3.0 if has_gpu else 0.5,
            )
        except UserError as exc:
            for line in exc.problems:
                st.error(md(line))
        else:
            if job_slot.start(cfg):
                st.rerun()  # redraw the form with Run disabled
            st.warning("A benchmark is already running; this click did not start another.")


@st.fragment(run_every=1.0)
def live() -> None:
    """Progress and power of the current run, refreshed every second while it runs."""
    job = job_slot.job
    if job is None:
        return
    label = f"{job.cfg.arch}, {job.cfg.effective_resolution()} px, {job.cfg.steps} steps, batch {job.cfg.batch_size}"
    if job.running:
        st.progress(job.progress(), text=md(f"Running: {label} — {job.messages[-1] if job.messages else 'starting'}"))
    elif job.status == "failed":
        st.error(md("The benchmark failed: " + " ".join(job.error)))
    else:
        st.progress(1.0, text=md(f"Done: {label}"))
        if job.record is not None:  # what it measured, not just that it finished
            st.success(md(f"Record {job.record.id} ({label}, on {job.record.device_name}): "
                          f"{bench_job.result_line(job.record)}"))
            said = bench_job.primary_line(job.record)
            if said:
                st.info(md(said[0].upper() + said[1:]), icon=None)
    meter, reason = job.meter()
    samples = job.power()
    if samples:
        df = pd.DataFrame(samples, columns=["seconds", "watts"])
        ui.show(charts.lines(df, "seconds", ["watts"], "Power during the run (W)", "power (W)",
                             f"Energy meter: {meter}. Sampled every {getattr(job.monitor, 'period_s', 0.1):g} s.",
                             x_title="seconds since the run started"), key="bench-power")
    else:
        st.caption(md(f"No power meter readable on this machine: {reason or 'no meter'}."))
    with st.expander("Runner log"):
        st.code("\n".join(job.messages) or "(nothing yet)")
    if not job.running and ss.get("bench_seen") != id(job):
        ss.bench_seen = id(job)
        st.rerun(scope="app")  # redraw the history with the new record


live()

# --------------------------------------------------------------------------- history
st.subheader("Results database")
try:
    records, damaged = store_mod.ResultStore().scan()  # a damaged row is named, never hides the good ones
except UserError as exc:
    records, damaged = [], []
    for line in exc.problems:
        st.error(md(line))
for line in damaged:
    st.warning(md(line))
rows = bench_job.history_rows(records)
if not rows:
    st.caption("No benchmark results stored yet (artcost bench, or Run above).")
    st.stop()
latest = job_slot.job.record if job_slot.job is not None and job_slot.job.record is not None else None
highlight = str(latest.id) if latest is not None else None
source = "Source: the results database (artcost bench); each point is one preset of one record."
a, b, c = st.columns(3)
with a:
    ui.show(charts.bench_history(rows, "seconds_per_image", "seconds per image", "Seconds per image", source, highlight),
            key="bench-spi")
with b:
    if any(r["joules_per_image"] is not None for r in rows):
        ui.show(charts.bench_history(rows, "joules_per_image", "joules per image (gross)", "Energy per image (J)",
                                     source + " Missing where no meter was readable.", highlight), key="bench-j")
    else:
        st.markdown("**Energy per image (J)**")
        st.caption("No stored record has an energy reading: no power meter was readable where they ran.")
with c:
    ui.show(charts.bench_history(rows, "mfu_vs_probe", "share of the measured GEMM peak",
                                 "Share of the GEMM probe's rate", source, highlight, percent=True),
            key="bench-mfu")
st.dataframe(pd.DataFrame(bench_job.history_table(rows)), hide_index=True, width="stretch")

# --------------------------------------------------------------------------- apply to the scenario
st.subheader("Use a result as the scenario's speed")
by_id = {str(r.id): r for r in records}
ids = list(by_id)[::-1]
pick = st.selectbox("Record", ids, index=ids.index(highlight) if highlight in ids else 0, key="bench_pick",
                    format_func=lambda i: by_id[i].describe())
scale = st.checkbox("Scale by counted FLOPs if resolution or steps differ from the scenario's", key="bench_scale")
sid = ss.sid
if st.button(md(f"Make it the speed of {sid.split(':', 1)[1]}"), key="bench_apply"):
    loaded = ui.base(sid)
    try:
        overrides, provenance, row = bench_job.apply_record(by_id[pick], loaded.scenario, scale)
    except UserError as exc:
        for line in exc.problems:
            st.error(md(line))
    else:
        ss.edits.setdefault(sid, {}).update(overrides)
        ss.edit_labels.setdefault(sid, {}).update({k: provenance for k in overrides})
        ss.bench_applied[sid] = row
        st.success(md(f"{', '.join(f'{k} = {v:.4g}' for k, v in overrides.items())}: {provenance}. "
                      "The Overview, Cost and Report pages now use it."))
