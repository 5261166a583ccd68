"""The self-describing benchmark record (no torch import: the cost model and dashboard read it).

One record = one benchmark run: config, environment, weights label, every raw timing and the
summaries. Fields that could not be measured are None and a ``*_reason`` says why.

Typed hand-offs (`typed.TypedResult`: attributes to read, the stored JSON unchanged):

* `PresetSummary` - one preset's seconds per image and per step, their spread and the phase split;
* `BenchSummary` - the primary preset's figures the cost model reads (`apply.bench_overrides`,
  `artcost.model.measured`): seconds per image, power, utilisation, energy.
"""

from __future__ import annotations

import statistics
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from artcost.bench.typed import TypedResult

SCHEMA_VERSION = 1


def summarise(values: list[float]) -> dict:
    """mean, median, p95 (nearest-rank), min, max, stdev and spread ((max-min)/median) of ``values``."""
    if not values:
        return {"n": 0, "mean": None, "median": None, "p95": None, "min": None, "max": None, "stdev": None, "spread": None}
    s = sorted(values)
    med = statistics.median(s)
    rank = max(1, -(-95 * len(s) // 100))  # ceil(0.95 n), nearest-rank definition
    return {
        "n": len(s),
        "mean": statistics.fmean(s),
        "median": med,
        "p95": s[rank - 1],
        "min": s[0],
        "max": s[-1],
        "stdev": statistics.stdev(s) if len(s) > 1 else 0.0,
        "spread": (s[-1] - s[0]) / med if med else None,
    }


class PresetSummary(TypedResult):
    """One preset's timed runs in figures (`summaries.summarise_preset`). Seconds unless named otherwise;
    ``*_stats`` are `summarise` dicts (n, mean, median, p95, min, max, stdev, spread)."""

    batch_size: int | None = None
    images: int | None = None  # images made in the timed runs
    seconds_per_image: float | None = None  # mean over runs of run seconds / batch size
    seconds_per_image_stats: dict | None = None
    images_per_minute: float | None = None
    seconds_per_step: float | None = None  # mean over every denoising iteration of every run
    seconds_per_step_stats: dict | None = None
    denoise_iterations_per_run: int | None = None
    unet_calls_per_run: int | None = None  # PNDM: steps + 1
    run_s_stats: dict | None = None
    text_s_stats: dict | None = None
    decode_s_stats: dict | None = None
    overhead_s_stats: dict | None = None
    harness_overhead_share: float | None = None  # of the summed run seconds, what no phase covers
    between_runs_share: float | None = None  # of the timed window's wall seconds, spent between runs
    phase_share: dict | None = None  # {"text", "denoise", "decode"}: shares of the summed run seconds


class BenchSummary(TypedResult):
    """What a benchmark record says in figures: the primary preset's, at the run's settings.

    The cost model reads these attributes (`apply.bench_overrides`). Every figure may be None: not
    measured here (no energy meter: ``energy_reason`` says why), or a record stored before it existed.
    """

    preset: str | None = None
    arch: str | None = None
    resolution: int | None = None  # image side, pixels
    steps: int | None = None
    batch_size: int | None = None  # images per pipeline call
    cfg: bool | None = None  # classifier-free guidance on (the UNet runs on twice the rows)
    seconds_per_image: float | None = None
    images_per_minute: float | None = None
    seconds_per_step: float | None = None
    harness_overhead_share: float | None = None
    flops_per_image: float | None = None
    flops_source: str | None = None
    utilisation_vs_probe: float | None = None  # achieved FLOP/s / same-run GEMM probe (0..1)
    unet_step_vs_probe: float | None = None
    utilisation_vs_datasheet: float | None = None
    joules_per_image_gross: float | None = None
    joules_per_image_net: float | None = None  # idle power subtracted
    mean_w: float | None = None  # mean power in the timed window, W
    peak_w: float | None = None
    energy_reason: str | None = None  # why there is no energy figure

    @classmethod
    def of_preset(cls, primary: "PresetResult", *, arch: str, resolution: int, steps: int,
                  cfg: bool) -> "BenchSummary":
        """The record's summary: ``primary``'s figures (a preset that ran) at these settings."""
        s, flops, util, energy = primary.summary, primary.flops, primary.utilisation, primary.energy
        return cls(
            preset=primary.name, arch=arch, resolution=resolution, steps=steps, batch_size=s.batch_size, cfg=cfg,
            seconds_per_image=s.seconds_per_image, images_per_minute=s.images_per_minute,
            seconds_per_step=s.seconds_per_step, harness_overhead_share=s.harness_overhead_share,
            flops_per_image=flops["per_image"], flops_source=flops.get("source"),
            utilisation_vs_probe=util.get("vs_probe"), unet_step_vs_probe=util.get("unet_step_vs_probe"),
            utilisation_vs_datasheet=util.get("vs_datasheet"),
            joules_per_image_gross=energy.get("joules_per_image_gross"),
            joules_per_image_net=energy.get("joules_per_image_net"),
            mean_w=energy.get("mean_w"), peak_w=energy.get("peak_w"),
            energy_reason=energy.get("reason") if energy.get("joules_per_image_gross") is None else None,
        )


class PresetResult(BaseModel):
    """Everything measured for one preset.

    ``runs`` holds one dict per timed pipeline call: total_s, text_s, step_s (list), decode_s,
    overhead_s, unet_calls. ``summary`` holds the per-image and per-step figures (`PresetSummary`).
    """

    model_config = ConfigDict(extra="allow")

    name: str
    status: str  # "ok" | "skipped" | "failed"
    reason: str | None = None
    dtype: str | None = None
    batch_size: int | None = None
    load_s: float | None = None
    warmup_s: list[float] = Field(default_factory=list)
    compile_s: float | None = None
    runs: list[dict] = Field(default_factory=list)
    summary: PresetSummary = Field(default_factory=PresetSummary)
    flops: dict = Field(default_factory=dict)
    utilisation: dict = Field(default_factory=dict)
    energy: dict = Field(default_factory=dict)
    ratio_to_stock: dict | None = None
    health: dict | None = None
    notes: list[str] = Field(default_factory=list)
    # A utilisation above 100% of its denominator is impossible: it is kept out of ``utilisation``'s
    # figures and said here instead (`utilisation_errors`).
    measurement_errors: list[str] = Field(default_factory=list)


class BenchRecord(BaseModel):
    """One benchmark invocation. ``id`` is assigned by the store."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    id: int | None = None
    created_at: str
    config: dict
    environment: dict
    device: dict = Field(default_factory=dict)
    weights_label: str
    tokenizer: str | None = None
    gemm_probe: dict | None = None
    energy_meter: dict = Field(default_factory=dict)
    idle: dict | None = None
    presets: list[PresetResult] = Field(default_factory=list)
    primary_preset: str = "stock"
    # why this preset is the record's figure when the run was asked for the fastest (`runner.pick_fastest`)
    primary_chosen: str | None = None
    batch_sweep: dict | None = None
    timeline: dict = Field(default_factory=dict)
    summary: BenchSummary = Field(default_factory=BenchSummary)
    # Every preset's measurement errors, each line naming its preset (`measurement_errors(rec)` also
    # finds them in records stored before this field existed).
    measurement_errors: list[str] = Field(default_factory=list)

    def preset(self, name: str) -> PresetResult | None:
        return next((p for p in self.presets if p.name == name), None)

    # Convenience accessors used by apply.py, the CLI and the dashboard.
    @property
    def arch(self) -> str:
        return self.config.get("arch")

    @property
    def resolution(self) -> int:
        return self.config.get("resolution")

    @property
    def steps(self) -> int:
        return self.config.get("steps")

    @property
    def device_name(self) -> str:
        return self.environment.get("device_name") or self.config.get("device", "?")

    def describe(self) -> str:
        return f"bench record {self.id} on {self.device_name}, {self.created_at[:10]}, {self.weights_label}"

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> "BenchRecord":
        return cls.model_validate_json(text)


OVER_100 = {
    # utilisation key: (what ran, the denominator, key of the achieved rate, key of the denominator's rate)
    "vs_probe": ("whole run", "the same-run GEMM probe", "achieved_flops", "probe_flops"),
    "unet_step_vs_probe": ("UNet step", "the same-run GEMM probe", "unet_step_flops", "probe_flops"),
    "vs_datasheet": ("whole run", "the datasheet peak", "achieved_flops", "datasheet_flops"),
    "unet_step_vs_datasheet": ("UNet step", "the datasheet peak", "unet_step_flops", "datasheet_flops"),
}
"""The utilisation figures that cannot exceed 100%: the probe is a GEMM timed on this device in the same
run, the datasheet figure the device's dense peak."""


def _gflops(v) -> str:
    return "?" if v is None else f"{v / 1e9:.3g} GFLOP/s"


def utilisation_errors(util: dict) -> list[str]:
    """Take every utilisation above 100% out of ``util``'s figures (in place) and say why, one line each.

    Above 100% of a same-run GEMM probe (or of the datasheet peak) is physically impossible, so it is a
    measurement error (FLOPs counted for another model than the one timed, or a timer that missed work),
    never a figure: the key is set to None, the ratio kept under ``util["over_100"]`` for diagnosis.
    """
    errors = []
    for key, (what, against, rate_key, denom_key) in OVER_100.items():
        v = util.get(key)
        if v is None or v <= 1.0:
            continue
        # the two rates say how far off it is; no percentage is printed, even in the error (a reader copies it)
        errors.append(f"{what} faster than {against} ({_gflops(util.get(rate_key))} counted per second of "
                      f"timing vs {_gflops(util.get(denom_key))}): above 100% is impossible, so the FLOP count "
                      "or the timing is wrong; no utilisation is reported")
        util.setdefault("over_100", {})[key] = v
        util[key] = None
    return errors


def measurement_errors(rec: BenchRecord) -> list[str]:
    """The record's measurement errors: those it stores, or for a record stored before they were
    (schema 1 without the field), any utilisation above 100% found in its summary or presets."""
    if rec.measurement_errors:
        return list(rec.measurement_errors)
    found = []
    for p in rec.presets:
        util = dict(p.utilisation or {})
        found += [f"preset {p.name}: {e}" for e in (p.measurement_errors or utilisation_errors(util))]
    if not found:
        util = {"vs_probe": rec.summary.utilisation_vs_probe,
                "unet_step_vs_probe": rec.summary.unet_step_vs_probe,
                "vs_datasheet": rec.summary.utilisation_vs_datasheet}
        found = [f"preset {rec.primary_preset}: {e}" for e in utilisation_errors(util)]
    return found


FLAT_FIELDS = ["id", "created_at", "arch", "resolution", "steps", "device", "weights", "preset", "batch_size",
               "seconds_per_image", "images_per_minute", "seconds_per_step", "joules_per_image_gross",
               "joules_per_image_net", "mean_w", "utilisation_vs_probe", "utilisation_vs_datasheet",
               "harness_overhead_share", "energy_meter", "measurement_errors"]


def _possible(v):
    """A utilisation as a figure, or None when above 100% (impossible: a measurement error, not a figure)."""
    return None if v is not None and v > 1.0 else v


def flat_row(rec: BenchRecord) -> dict[str, Any]:
    """One flat row per record for CSV export and `bench list` (an impossible utilisation is left empty
    and its error is in ``measurement_errors``)."""
    s = rec.summary
    return {
        "id": rec.id,
        "created_at": rec.created_at,
        "arch": rec.arch,
        "resolution": rec.resolution,
        "steps": rec.steps,
        "device": rec.device_name,
        "weights": rec.weights_label,
        "preset": rec.primary_preset,
        "batch_size": s.batch_size,
        "seconds_per_image": s.seconds_per_image,
        "images_per_minute": s.images_per_minute,
        "seconds_per_step": s.seconds_per_step,
        "joules_per_image_gross": s.joules_per_image_gross,
        "joules_per_image_net": s.joules_per_image_net,
        "mean_w": s.mean_w,
        "utilisation_vs_probe": _possible(s.utilisation_vs_probe),
        "utilisation_vs_datasheet": _possible(s.utilisation_vs_datasheet),
        "harness_overhead_share": s.harness_overhead_share,
        "energy_meter": rec.energy_meter.get("meter"),
        "measurement_errors": "; ".join(measurement_errors(rec)),
    }
