"""The self-describing benchmark record (no torch import: the cost model and dashboard read it).

One record = one `artcost bench` invocation: config, environment, weights label, every raw timing
and the summaries. Fields that could not be measured are None and a ``*_reason`` says why.
"""

from __future__ import annotations

import statistics
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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


class PresetResult(BaseModel):
    """Everything measured for one preset.

    ``runs`` holds one dict per timed pipeline call: total_s, text_s, step_s (list), decode_s,
    overhead_s, unet_calls. ``summary`` holds the per-image and per-step figures.
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
    summary: dict = Field(default_factory=dict)
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
    batch_sweep: dict | None = None
    timeline: dict = Field(default_factory=dict)
    summary: dict = Field(default_factory=dict)
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
        errors.append(f"{what} at {v:.0%} of {against} ({_gflops(util.get(rate_key))} counted per second of "
                      f"timing vs {_gflops(util.get(denom_key))}): above 100% is impossible, so the FLOP count "
                      "or the timing is wrong; the figure is not reported")
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
        util = {"vs_probe": rec.summary.get("utilisation_vs_probe"),
                "unet_step_vs_probe": rec.summary.get("unet_step_vs_probe"),
                "vs_datasheet": rec.summary.get("utilisation_vs_datasheet")}
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
        "batch_size": s.get("batch_size"),
        "seconds_per_image": s.get("seconds_per_image"),
        "images_per_minute": s.get("images_per_minute"),
        "seconds_per_step": s.get("seconds_per_step"),
        "joules_per_image_gross": s.get("joules_per_image_gross"),
        "joules_per_image_net": s.get("joules_per_image_net"),
        "mean_w": s.get("mean_w"),
        "utilisation_vs_probe": _possible(s.get("utilisation_vs_probe")),
        "utilisation_vs_datasheet": _possible(s.get("utilisation_vs_datasheet")),
        "harness_overhead_share": s.get("harness_overhead_share"),
        "energy_meter": rec.energy_meter.get("meter"),
        "measurement_errors": "; ".join(measurement_errors(rec)),
    }
