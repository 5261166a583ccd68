"""Use a stored benchmark result as the cost model's speed and power (no torch import).

`bench_overrides(ref, scenario, scale_by_flops)` returns overrides keyed by dotted scenario paths and
a provenance line. A record measured at another resolution or step count than the scenario's is
refused, unless ``scale_by_flops``: then seconds per image scale by the ratio of counted FLOPs per
image (shipped table `configs/flops_table.json`, from the same FlopCounterMode counts).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from artcost.bench.flops import FlopBreakdown
from artcost.bench.record import BenchRecord
from artcost.errors import ArgumentError, UserError


@lru_cache(maxsize=1)
def flops_table() -> dict:
    return json.loads((resources.files("artcost.bench.configs") / "flops_table.json").read_text())


def flops_per_image(arch: str, resolution: int, steps: int, cfg: bool, extra_unet_calls: int = 0) -> float:
    """Counted FLOPs per image from the shipped table (`FlopBreakdown.nominal_per_image`); UserError for a
    size not in it. ``extra_unet_calls``: UNet calls per run beyond ``steps`` (PNDM: 1)."""
    entry = flops_table().get(arch, {}).get(str(resolution))
    if entry is None:
        known = ", ".join(flops_table().get(arch, {})) or "none"
        raise UserError(f"no FLOP count for {arch} at {resolution}px to scale by (counted: {known})")
    return FlopBreakdown.from_dict(entry).nominal_per_image(steps, cfg, extra_unet_calls)


def _load(ref: str) -> BenchRecord:
    from artcost.bench.store import ResultStore

    return ResultStore().resolve(ref)


def bench_overrides(ref: str, scenario, scale_by_flops: bool = False, record: BenchRecord | None = None
                    ) -> tuple[dict[str, float | int | str], str]:
    """Overrides and provenance from bench record ``ref`` (``latest`` or an id) for ``scenario``.

    Reads ``scenario.generation.resolution_px``, ``.steps`` and ``.arch`` (each may be None: then the
    record's value is taken as matching). Raises UserError when the record does not exist, the
    architecture differs, or resolution/steps differ without ``scale_by_flops``.
    """
    rec = record or _load(ref)
    gen = getattr(scenario, "generation", None)
    want_res = getattr(gen, "resolution_px", None) or rec.resolution
    want_steps = getattr(gen, "steps", None) or rec.steps
    want_arch = getattr(gen, "arch", None) or rec.arch
    s = rec.summary
    spi = s.seconds_per_image
    if spi is None:
        raise UserError(f"bench record {rec.id}: has no seconds per image")
    date = rec.created_at[:10]
    where = f"bench record {rec.id} on {rec.device_name}, {date}, {rec.weights_label}"
    if want_arch != rec.arch:
        raise UserError(f"bench record {rec.id} measured {rec.arch}, the scenario uses {want_arch}: "
                        f"measure {want_arch} first")
    mismatch = []
    if want_res != rec.resolution:
        mismatch.append(f"resolution {rec.resolution}px vs scenario {want_res}px")
    if want_steps != rec.steps:
        mismatch.append(f"{rec.steps} steps vs scenario {want_steps}")
    overrides: dict[str, float] = {}
    if mismatch and not scale_by_flops:
        raise ArgumentError("from_bench", f"record {rec.id} was measured at " + "; ".join(mismatch)
                            + ". Re-run the benchmark at the scenario's settings, or scale it by counted FLOPs "
                            "(`scale_by_flops`)", ref)
    if mismatch:
        cfg = True if s.cfg is None else bool(s.cfg)
        prim = rec.preset(rec.primary_preset)
        extra = 0
        if prim and prim.summary.unet_calls_per_run and rec.steps:
            # e.g. PNDM makes steps + 1 UNet calls at any step count: the extra call is a constant,
            # counted on both sides, not a per-step factor.
            extra = max(0, int(prim.summary.unet_calls_per_run) - int(rec.steps))
        ratio = (flops_per_image(rec.arch, want_res, want_steps, cfg, extra)
                 / flops_per_image(rec.arch, rec.resolution, rec.steps, cfg, extra))
        overrides["generation.seconds_per_image"] = spi * ratio
        provenance = f"scaled from {where} by FLOPs x{ratio:.2f} ({'; '.join(mismatch)})"
    else:
        overrides["generation.seconds_per_image"] = spi
        provenance = f"measured: {where}"
    # The headline names the device the speed belongs to, not the one the scenario assumed.
    overrides["generation.device"] = f"{rec.device_name} (bench record {rec.id})"
    batch = s.batch_size or rec.config.get("batch_size")
    if batch:
        overrides["generation.batch_size"] = int(batch)
    owned = getattr(getattr(scenario, "compute", None), "kind", "owned") == "owned"
    if s.mean_w is not None and owned:
        overrides["compute.owned.board_power_w"] = float(s.mean_w)
        provenance += f", power {s.mean_w:.0f} W ({rec.energy_meter.get('meter')})"
    elif s.mean_w is not None:
        provenance += f", power {s.mean_w:.0f} W measured but not used (the scenario rents its compute)"
    else:
        provenance += ", power not measured"
    return overrides, provenance
