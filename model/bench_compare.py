"""One of our benchmark records beside the published runs of its model (`artcost bench compare ID`).

Each catalogue row of the record's architecture is brought to the record's settings (resolution, steps,
classifier-free guidance) by the ratio of counted FLOPs per image (`catalogue.speed_at`), so a row at 50
steps and ours at 20 are compared per image of the same work; what the FLOPs cannot even out is said
beside each row: precision, energy scope (GPU board, node, wall, CPU package), batch size, an optimised
runtime, several GPUs, figures of the denoising loop only. A pure function of the record: plain data out.
"""

from __future__ import annotations

from typing import Any

from artcost.model.catalogue import SCOPE_WORDS, NotScalable, catalogue, differences, flops, speed_at

METER_SCOPE = {"nvml-counter": "gpu_only", "nvml-sampling": "gpu_only", "rapl": "cpu_package"}
SCOPE_WORDS_ALL = {**SCOPE_WORDS, "cpu_package": "CPU package only (RAPL)"}


def compare_record(rec) -> dict[str, Any]:
    """Our record `rec` beside every catalogue row of its model, each row's figures brought to the record's
    settings (resolution, steps, CFG) by counted FLOPs, with what differs (precision, energy scope, batch).

    Returns plain data: {record: {...}, rows: [{...}], not_comparable: [{id, why}], flops_per_image}."""
    s = rec.summary
    arch, res, steps = rec.arch, rec.resolution, rec.steps
    cfg = bool(s.get("cfg", True))
    prim = rec.preset(rec.primary_preset)
    precision = (prim.dtype if prim is not None else None) or rec.config.get("dtype")
    meter = (rec.energy_meter or {}).get("meter")
    scope = METER_SCOPE.get(meter)
    spi = s.get("seconds_per_image")
    joules = s.get("joules_per_image_gross")
    batch = s.get("batch_size") or rec.config.get("batch_size")
    try:
        record_flops = flops(arch, res, steps, cfg)
    except NotScalable:
        record_flops = s.get("flops_per_image")
    record = {
        "id": rec.id, "device": rec.device_name, "date": rec.created_at[:10], "weights": rec.weights_label,
        "settings": f"{arch} {res}px, {steps} steps, CFG {'on' if cfg else 'off'}, batch {batch}, {precision or 'precision ?'}",
        "seconds_per_image": spi, "joules_per_image": joules, "energy_scope": scope,
        "energy_scope_words": SCOPE_WORDS_ALL.get(scope, f"not measured ({meter or 'no meter'})"),
        "flops_per_image": record_flops,
        "achieved_tflops": (record_flops / spi / 1e12) if record_flops and spi else None,
    }
    rows, skipped = [], []
    # issue #26: a run is set beside ours only when both state their precision and their FLOPs can be counted
    # (so the scaling means something); an energy only when both state the same scope (never mixed)
    ours_missing = [w for w, ok in (("our record states no precision", bool(precision)),
                                    ("our record's FLOPs per image are not counted", bool(record_flops))) if not ok]
    for r in catalogue():
        if r.flop_arch != arch:
            continue
        if ours_missing:
            skipped.append({"id": r.id, "device": r.device, "why": "; ".join(ours_missing)})
            continue
        if r.precision.strip().lower() in ("unknown", "not stated", ""):
            skipped.append({"id": r.id, "device": r.device, "why": "the source states no precision"})
            continue
        try:
            sp = speed_at(r, arch, res, steps, cfg)
        except NotScalable as exc:
            skipped.append({"id": r.id, "device": r.device, "why": str(exc)})
            continue
        row_flops = flops(r.flop_arch, r.resolution_px, r.steps, r.cfg if r.cfg is not None else True) if r.resolution_px and r.steps else None
        flags = differences(r, precision=precision, batch_size=batch, energy_scope=scope)
        if r.model != arch:
            flags.insert(0, f"{r.model} weights (the {arch} architecture)")
        if r.joules_per_image is not None and scope is None:
            flags.append("energy: not measured in our record")
        energy_comparable = r.joules_per_image is not None and scope is not None and r.energy_scope == scope
        if r.joules_per_image is not None and scope is not None and not energy_comparable:
            flags.append(f"energy not set beside ours: {SCOPE_WORDS_ALL.get(r.energy_scope, r.energy_scope)} there, "
                         f"{SCOPE_WORDS_ALL.get(scope, scope)} here")
        rows.append({
            "id": r.id, "device": r.device, "gpus": r.gpus, "model": r.model, "date": r.date,
            "source": r.source.title, "primary": r.source.primary, "published_settings": r.settings,
            "published_seconds_per_image": r.seconds_per_image,
            "seconds_per_image_at_record_settings": sp.seconds_per_image,
            # several GPUs on one image: compared per GPU (GPU-seconds per image), as one GPU of ours
            "gpu_seconds_per_image_at_record_settings": sp.gpu_seconds_per_image,
            "flop_ratio": sp.flop_ratio,
            "record_over_row": (spi / sp.gpu_seconds_per_image) if spi else None,
            "row_achieved_tflops": (row_flops / r.seconds_per_image / r.gpus / 1e12) if row_flops else None,
            "published_joules_per_image": r.joules_per_image,
            "joules_per_image_at_record_settings": sp.joules_per_image if energy_comparable else None,
            "energy_comparable": energy_comparable,
            "energy_scope": r.energy_scope,
            "precision": r.precision, "runtime": r.runtime, "batch_size": r.batch_size,
            "flags": flags,
        })
    rows.sort(key=lambda x: x["gpu_seconds_per_image_at_record_settings"])
    return {"kind": "bench_compare", "record": record, "rows": rows, "not_comparable": skipped,
            "method": ("each row's seconds and joules per image x (counted FLOPs per image at the record's resolution, "
                       "steps and CFG / at the row's own), from the shipped FLOP table (bench/configs/flops_table.json); "
                       "record_over_row = our seconds / the row's GPU-seconds per image (a row on n GPUs counts n x its seconds): "
                       "> 1, our run is slower per GPU; a row is set beside ours only when both state their precision "
                       "and FLOPs can be counted for both, and its energy only when both state the same scope")}
