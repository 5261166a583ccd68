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


FLAT_FIELDS = ["id", "created_at", "arch", "resolution", "steps", "device", "weights", "preset", "batch_size",
               "seconds_per_image", "images_per_minute", "seconds_per_step", "joules_per_image_gross",
               "joules_per_image_net", "mean_w", "utilisation_vs_probe", "utilisation_vs_datasheet",
               "harness_overhead_share", "energy_meter"]


def flat_row(rec: BenchRecord) -> dict[str, Any]:
    """One flat row per record for CSV export and `bench list`."""
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
        "utilisation_vs_probe": s.get("utilisation_vs_probe"),
        "utilisation_vs_datasheet": s.get("utilisation_vs_datasheet"),
        "harness_overhead_share": s.get("harness_overhead_share"),
        "energy_meter": rec.energy_meter.get("meter"),
    }
