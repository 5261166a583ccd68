"""From raw timings to a preset's figures: its summary, FLOPs, utilisation and energy (pure arithmetic,
no torch), and every preset's ratio to stock."""

from __future__ import annotations

from artcost.bench.energy import Measurement, net_energy_j
from artcost.bench.phases import RunTiming
from artcost.bench.record import PresetResult, PresetSummary, summarise, utilisation_errors


def summarise_preset(res: PresetResult, timings: list[RunTiming], meas: Measurement, wall: float, batch: int, flops,
                     probe: dict | None, peak: dict | None, idle_w: float | None) -> None:
    """Fill ``res.runs``, ``summary``, ``flops``, ``utilisation``, ``energy`` from raw timings (pure).

    ``meas``: the timed window's energy; ``wall``: its wall seconds; ``batch``: images per call;
    ``flops``: a `flops.FlopBreakdown` (per batch row); ``probe``/``peak``: the same-run GEMM probe and
    the datasheet peak (``best_flops``/``flops`` in FLOP/s, None when absent); ``idle_w``: idle watts.
    """
    res.runs = [t.as_dict() for t in timings]
    res.summary = _timing_summary(timings, wall, batch)
    res.flops, fpi, unet_per_call = _flops(timings[0], flops, batch)
    res.utilisation = _utilisation(fpi * res.summary.images / sum(t.total_s for t in timings),
                                   unet_per_call, res.summary.seconds_per_step_stats, probe, peak)
    res.measurement_errors = utilisation_errors(res.utilisation)
    res.energy = _energy(meas, res.summary.images, idle_w)


def _timing_summary(timings: list[RunTiming], wall: float, batch: int) -> PresetSummary:
    per_image = [t.total_s / batch for t in timings]
    run_total = sum(t.total_s for t in timings)
    s_img = summarise(per_image)
    s_step = summarise([s for t in timings for s in t.step_s])
    return PresetSummary(
        batch_size=batch,
        images=batch * len(timings),
        seconds_per_image=s_img["mean"],
        seconds_per_image_stats=s_img,
        images_per_minute=60.0 / s_img["mean"],
        seconds_per_step=s_step["mean"],
        seconds_per_step_stats=s_step,
        denoise_iterations_per_run=len(timings[0].step_s),
        unet_calls_per_run=timings[0].unet_calls,
        run_s_stats=summarise([t.total_s for t in timings]),
        text_s_stats=summarise([t.text_s for t in timings]),
        decode_s_stats=summarise([t.decode_s for t in timings]),
        overhead_s_stats=summarise([t.overhead_s for t in timings]),
        harness_overhead_share=sum(t.overhead_s for t in timings) / run_total,
        between_runs_share=max(0.0, wall - run_total) / wall if wall > 0 else None,
        phase_share={
            "text": sum(t.text_s for t in timings) / run_total,
            "denoise": sum(t.denoise_s for t in timings) / run_total,
            "decode": sum(t.decode_s for t in timings) / run_total,
        },
    )


def _flops(first: RunTiming, flops, batch: int) -> tuple[dict, float, float]:
    """(the record's ``flops`` dict, FLOPs per image, FLOPs per UNet call) from the rows the hooks saw."""
    fpi = flops.per_image(first.text_rows, first.unet_rows, first.vae_rows, batch)
    unet_per_call = flops.unet_per_row * first.unet_rows / max(1, first.unet_calls)
    return {
        "per_image": fpi,
        "unet_per_call": unet_per_call,
        "unet_per_row": flops.unet_per_row,
        "vae_decode_per_row": flops.vae_decode_per_row,
        "text_per_row": flops.text_per_row,
        "latent_side": flops.latent_side,
        "counted_with": "torch.utils.flop_counter.FlopCounterMode on meta",
        "source": flops.source or None,
    }, fpi, unet_per_call


def _utilisation(achieved: float, unet_per_call: float, step_stats: dict, probe: dict | None,
                 peak: dict | None) -> dict:
    """Achieved FLOP/s of the run and of a UNet step (median), against the probe and the datasheet."""
    step_rate = unet_per_call / step_stats["median"] if step_stats["median"] else None
    util = {"achieved_flops": achieved, "unet_step_flops": step_rate}
    if probe:
        util["probe_flops"] = probe["best_flops"]
        util["vs_probe"] = achieved / probe["best_flops"]
        util["unet_step_vs_probe"] = step_rate / probe["best_flops"] if step_rate else None
    if peak:
        util["datasheet_flops"] = peak["flops"]
        util["datasheet_source"] = peak["source"]
        util["vs_datasheet"] = achieved / peak["flops"]
        util["unet_step_vs_datasheet"] = step_rate / peak["flops"] if step_rate else None
    else:
        util["vs_datasheet"] = None
        util["datasheet_reason"] = "device not in the shipped datasheet table (configs/peaks.yaml)"
    return util


def _energy(meas: Measurement, images: int, idle_w: float | None) -> dict:
    """Gross and (with idle watts) net joules per image, mean and peak watts; the meter and its reason."""
    energy = {"meter": meas.meter, "reason": meas.reason, "window": meas.as_dict()}
    if meas.energy_j is not None:
        energy["joules_per_image_gross"] = meas.energy_j / images
        energy["mean_w"] = meas.mean_w
        energy["peak_w"] = meas.peak_w
        if idle_w is not None:
            energy["idle_w"] = idle_w
            energy["joules_per_image_net"] = net_energy_j(meas.energy_j, idle_w, meas.seconds) / images
    return energy


def ratios_to_stock(results: list[PresetResult]) -> None:
    """Set every preset's ``ratio_to_stock`` (time per image, speed-up, joules per image) when stock ran."""
    stock = next((r for r in results if r.name == "stock" and r.status == "ok"), None)
    if stock is None:
        return
    for r in results:
        if r.status != "ok":
            continue
        r.ratio_to_stock = {
            "seconds_per_image": r.summary.seconds_per_image / stock.summary.seconds_per_image,
            "speedup": stock.summary.seconds_per_image / r.summary.seconds_per_image,
        }
        if r.energy.get("joules_per_image_gross") and stock.energy.get("joules_per_image_gross"):
            r.ratio_to_stock["joules_per_image"] = (
                r.energy["joules_per_image_gross"] / stock.energy["joules_per_image_gross"])


def primary_sentence(rec) -> str | None:
    """When a record's figure is the fastest preset's (``--primary-preset fastest``): which preset, why, and
    its seconds per image beside stock's; None for a record whose primary preset was named."""
    chosen = getattr(rec, "primary_chosen", None)
    if not chosen:
        return None
    stock, prim = rec.preset("stock"), rec.preset(rec.primary_preset)
    line = f"the record's figure: preset {rec.primary_preset} ({chosen})"
    if stock is not None and stock.status == "ok" and prim is not None and prim is not stock:
        line += (f"; {prim.summary.seconds_per_image:.3g} s/image beside stock's "
                 f"{stock.summary.seconds_per_image:.3g}")
    return line
