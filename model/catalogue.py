"""Published benchmark runs (`artcost/data/published_runs.yaml`): a typed catalogue, and a row's speed and
energy at another job's settings, normalised by counted FLOPs.

A scenario may take its speed from a row (`generation.from_catalogue: ID`), to price a GPU its user does
not own; the figure is labelled "published, <source>". A row at other steps or resolution than the
scenario's is scaled by the ratio of counted FLOPs per image (the shipped table of `bench.flops`, read by
`bench.apply.flops_per_image`, torch-free) and labelled so; a row that cannot be scaled (a model without a
FLOP count) is refused at other settings. Energy scales with the same ratio (the same power for a longer
or shorter run). Every difference a reader must weigh is said beside the figure: precision, energy scope
(GPU board, node, wall), batch size, an optimised runtime, several GPUs for one image, and figures of the
denoising loop only. `model.bench_compare` sets one of our bench records beside the rows of its model.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from artcost.errors import UserError
from artcost.model.api_prices import check_model
from artcost.model.suggest import did_you_mean
from artcost.model.tables import RowSource, Table, TableRow, date_text, load_table

# Catalogue model -> the architecture whose FLOPs the shipped table counts (SDXL-Turbo is SDXL's UNet).
FLOP_ARCH = {"sd15": "sd15", "sdxl": "sdxl", "sdxl-turbo": "sdxl"}
SCOPE_WORDS = {"gpu_only": "GPU board only", "node": "whole server (no PSU losses)", "wall": "at the wall (whole machine)"}
_OPTIMISED = re.compile(r"tensorrt|stable-fast|stablefast|nexfort|quant|int8|cuda graph|(?<!no )compile")


class CatalogueSource(RowSource):
    primary: bool


class CatalogueRow(TableRow):
    """One published run (see the file's header comment for every field)."""

    device: str = Field(min_length=2)
    gpus: int = Field(ge=1, le=4096)
    model: str
    model_id: str | None = None
    resolution_px: int | None = Field(None, gt=0, le=65536)
    steps: int | None = Field(None, gt=0, le=10_000)
    guidance: Literal["true", "false", "unknown"]
    batch_size: int | None = Field(None, ge=1)
    precision: str = Field(min_length=1)
    runtime: str = Field(min_length=1)
    seconds_per_image: float | None = Field(None, gt=0, le=1e6)
    seconds_per_step: float | None = Field(None, gt=0, le=1e6)
    joules_per_image: float | None = Field(None, gt=0, le=1e9)
    energy_scope: Literal["gpu_only", "node", "wall"] | None = None
    date: str
    source: CatalogueSource
    notes: str | None = None

    @field_validator("model")
    @classmethod
    def _model(cls, v: str) -> str:
        return check_model(v)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> str:
        if v is None:
            raise ValueError("required: the date of the publication or of its data (YYYY, YYYY-MM or YYYY-MM-DD)")
        return date_text(v)

    @model_validator(mode="after")
    def _consistent(self):
        if (self.joules_per_image is None) != (self.energy_scope is None):
            raise ValueError("joules_per_image and energy_scope go together: an energy figure always states its scope")
        if self.seconds_per_image is None and self.seconds_per_step is None and self.joules_per_image is None:
            raise ValueError("a run needs at least one figure: seconds_per_image, seconds_per_step or joules_per_image")
        return self

    @property
    def flop_arch(self) -> str | None:
        return FLOP_ARCH.get(self.model)

    @property
    def cfg(self) -> bool | None:
        return {"true": True, "false": False}.get(self.guidance)

    @property
    def optimised(self) -> bool:
        return bool(_OPTIMISED.search(self.runtime.lower()))

    @property
    def denoising_only(self) -> bool:
        """Seconds per image derived from iterations per second: the denoising loop without text or VAE."""
        notes = (self.notes or "").lower()
        return "denoising loop" in notes or "denoising only" in notes

    @property
    def settings(self) -> str:
        """'sd15 512px, 25 steps, CFG on, batch 1, fp16, 1 GPU'."""
        cfg = {"true": "CFG on", "false": "no CFG", "unknown": "CFG not stated"}[self.guidance]
        res = f"{self.resolution_px}px" if self.resolution_px else "resolution not stated"
        steps = f"{self.steps} steps" if self.steps else "steps not stated"
        batch = f"batch {self.batch_size}" if self.batch_size else "batch chosen by the harness"
        gpus = f", {self.gpus} GPUs" if self.gpus > 1 else ""
        return f"{self.model} {res}, {steps}, {cfg}, {batch}, {self.precision}{gpus}"

    @property
    def cite(self) -> str:
        """'ML.ENERGY Leaderboard v2 data ... (row mlenergy-v2-..., 2024-09-19)'."""
        return f"{self.source.title} (row {self.id}, {self.date}{'' if self.source.primary else ', secondary'})"


@functools.cache
def catalogue() -> Table[CatalogueRow]:
    """The shipped catalogue, validated (UserError naming file, row and field when it is not)."""
    return load_table("published_runs", CatalogueRow)


def check_row_id(ref: str) -> str:
    """ValueError (one line, with the nearest id) unless `ref` is a row of the catalogue."""
    table = catalogue()
    if ref not in table.by_id:
        raise ValueError(f"no such published run {ref!r} in {table.file}{did_you_mean(ref, table.by_id)} "
                         f"({len(table)} rows)")
    return ref


def sources() -> list[str]:
    """The distinct publications the catalogue's rows come from (by the title's first clause)."""
    return list(dict.fromkeys(_publication(r) for r in catalogue()))


def _publication(row: CatalogueRow) -> str:
    title = row.source.title
    for known in ("ML.ENERGY Leaderboard v3", "ML.ENERGY Leaderboard v2", "ML.ENERGY Leaderboard", "MLPerf Inference",
                  "siliconflow/onediff", "AI Energy Score"):
        if title.startswith(known):
            return known
    return title.split(",")[0].split(" docs/")[0].split(" README")[0]


# --------------------------------------------------------------------------- scaling by counted FLOPs


class NotScalable(Exception):
    """A row cannot be brought to other settings (said in words)."""


def flops(arch: str, resolution: int, steps: int, cfg: bool) -> float:
    """Counted FLOPs per image from the shipped table (torch-free); NotScalable for a size it lacks."""
    from artcost.bench.apply import flops_per_image

    try:
        return flops_per_image(arch, int(resolution), int(steps), bool(cfg))
    except UserError as exc:
        raise NotScalable(exc.problems[0]) from None


@dataclass(frozen=True)
class PublishedSpeed:
    """A row's figures at a job's settings.

    seconds_per_image: wall seconds for one image on the row's `gpus` (scaled); gpu_seconds_per_image:
    the same times the GPUs (what a GPU-hour bills); joules_per_image: scaled, in `energy_scope`
    (None when the row has none); flop_ratio: target FLOPs / row FLOPs (None: same settings)."""

    row: CatalogueRow
    seconds_per_image: float
    joules_per_image: float | None
    flop_ratio: float | None
    scaled_from: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def gpu_seconds_per_image(self) -> float:
        return self.seconds_per_image * self.row.gpus

    @property
    def mean_power_w(self) -> float | None:
        """Mean power per GPU over the run: joules / GPU-seconds (the row's scope)."""
        if self.joules_per_image is None:
            return None
        return self.joules_per_image / self.gpu_seconds_per_image

    @property
    def label(self) -> str:
        """'published, ML.ENERGY ... (row ..., 2024-09-19): 0.867 s per image at sd15 512px, ...'."""
        text = f"published, {self.row.cite}: {_s(self.row.seconds_per_image)} per image at {self.row.settings}"
        if self.flop_ratio is not None:
            text += f"; scaled by counted FLOPs x{self.flop_ratio:.3g} to {self.scaled_from}: {_s(self.seconds_per_image)}"
        if self.row.gpus > 1:
            text += f"; {self.row.gpus} GPUs for one image: {_s(self.gpu_seconds_per_image)} of GPU time"
        return text

    @property
    def energy_label(self) -> str:
        if self.joules_per_image is None:
            return f"no energy figure: {self.row.id} publishes none"
        scope = SCOPE_WORDS[self.row.energy_scope]
        text = f"published {self.row.joules_per_image:,.4g} J per image ({scope}), {self.row.cite}"
        if self.flop_ratio is not None:
            text += f"; scaled with the FLOPs (x{self.flop_ratio:.3g}): {self.joules_per_image:,.4g} J"
        return text


def _s(seconds: float) -> str:
    return f"{seconds:.3g} s" if seconds < 1000 else f"{seconds:,.0f} s"


def differences(row: CatalogueRow, *, precision: str | None = None, batch_size: int | None = None,
                energy_scope: str | None = None) -> list[str]:
    """What a reader must weigh before using the row's figure beside another one, in words."""
    out = []
    if row.denoising_only:
        out.append("seconds of the denoising loop only (from iterations per second): text encoding and VAE decode not included")
    if row.optimised:
        out.append(f"optimised runtime ({row.runtime}), not a stock pipeline")
    if row.gpus > 1:
        out.append(f"{row.gpus} GPUs work on one image; its energy is summed over all of them")
    if row.guidance == "unknown":
        out.append("classifier-free guidance not stated: CFG assumed on for the FLOP count")
    if precision is not None and _precision(precision) != _precision(row.precision):
        out.append(f"precision differs: {row.precision} published, {precision} here")
    elif precision is None and row.precision not in ("fp16", "bf16"):
        out.append(f"precision {row.precision}")
    if batch_size is not None and row.batch_size is not None and batch_size != row.batch_size:
        out.append(f"batch {row.batch_size} published, {batch_size} here (per-image time and energy fall with batch size)")
    elif row.batch_size is None:
        out.append("batch size chosen by the harness (a throughput, not one image's latency)")
    if row.joules_per_image is not None and energy_scope is not None and energy_scope != row.energy_scope:
        out.append(f"energy scope differs: {SCOPE_WORDS[row.energy_scope]} published, {SCOPE_WORDS.get(energy_scope, energy_scope)} here")
    return out


def _precision(p: str) -> str:
    p = p.lower()
    for name, short in (("bfloat16", "bf16"), ("float16", "fp16"), ("half", "fp16"), ("float32", "fp32"), ("tf32", "fp32")):
        p = p.replace(name, short)
    return p.split()[0].strip(",") if p else p


def speed_at(row: CatalogueRow, arch: str | None, resolution_px: int | None, steps: int | None,
             cfg: bool | None = None) -> PublishedSpeed:
    """The row's seconds and joules per image at (arch, resolution, steps, cfg); the row's own where a
    setting is None. NotScalable when the settings differ and no FLOP count covers both."""
    if row.seconds_per_image is None:
        raise NotScalable(f"{row.id} publishes iterations per second only (the denoising loop, no step count): "
                          "no seconds per image")
    if arch is not None and row.flop_arch != arch and row.model != arch:
        raise NotScalable(f"{row.id} ran {row.model}, not {arch}")
    want_res = resolution_px or row.resolution_px
    want_steps = steps or row.steps
    row_cfg = row.cfg if row.cfg is not None else True
    want_cfg = row_cfg if cfg is None else cfg
    same = want_res == row.resolution_px and want_steps == row.steps and want_cfg == row_cfg
    notes = tuple(differences(row))
    if same:
        return PublishedSpeed(row, row.seconds_per_image, row.joules_per_image, None, None, notes)
    if row.flop_arch is None:
        raise NotScalable(f"{row.id} ({row.model}) is at {row.resolution_px}px, {row.steps} steps; there is no FLOP "
                          f"count for {row.model} to scale it to {want_res}px, {want_steps} steps")
    if row.resolution_px is None or row.steps is None:
        raise NotScalable(f"{row.id} does not state its resolution and steps; it cannot be scaled")
    ratio = flops(row.flop_arch, want_res, want_steps, want_cfg) / flops(row.flop_arch, row.resolution_px, row.steps, row_cfg)
    moved = []
    if want_res != row.resolution_px:
        moved.append(f"{row.resolution_px}->{want_res}px")
    if want_steps != row.steps:
        moved.append(f"{row.steps}->{want_steps} steps")
    if want_cfg != row_cfg:
        moved.append(f"CFG {'on' if row_cfg else 'off'}->{'on' if want_cfg else 'off'}")
    joules = None if row.joules_per_image is None else row.joules_per_image * ratio
    return PublishedSpeed(row, row.seconds_per_image * ratio, joules, ratio, ", ".join(moved), notes)


# --------------------------------------------------------------------------- a scenario's speed from a row


def _given(section: dict, key: str) -> bool:
    return isinstance(section, dict) and section.get(key) is not None


def fill_from_catalogue(data: Any) -> Any:
    """A raw scenario dict with `generation.from_catalogue: ID` resolved (a `Scenario` before-validator).

    Fills, where the scenario gives none itself (a figure in the file, a --set or a --from-bench wins):
    `generation.seconds_per_image`, the row's GPU-seconds per image at the scenario's settings, labelled
    "published, <source>" (scaled by counted FLOPs when the settings differ, and said so); `generation.device`
    and `batch_size`, the row's; for an owned GPU, `compute.owned.board_power_w`, the row's mean power
    (joules / GPU-seconds) when its energy is the GPU board's. ValueError (one line naming the field) for a
    row of another model, another GPU than the scenario's, or other settings without a FLOP count."""
    if not isinstance(data, dict):
        return data
    gen = data.get("generation")
    if not isinstance(gen, dict) or not isinstance(gen.get("from_catalogue"), str):
        return data
    ref = gen["from_catalogue"]
    table = catalogue()
    if ref not in table.by_id:
        raise ValueError(f"generation.from_catalogue {ref!r}: no such published run in {table.file}"
                         f"{did_you_mean(ref, table.by_id)} ({len(table)} rows)")
    row = table.by_id[ref]
    from artcost.model.measured import same_device

    def setting(key: str) -> Any:
        v = gen.get(key)
        return v if isinstance(v, (int, str)) and not isinstance(v, bool) else None

    arch, res, steps, device = setting("arch"), setting("resolution_px"), setting("steps"), setting("device")
    if arch is not None and row.model != arch:
        raise ValueError(f"generation.from_catalogue {ref}: the row ran {row.model}, the scenario {arch}; "
                         f"pick a row of {arch}")
    if same_device(row.device, device if isinstance(device, str) else None) is False:
        raise ValueError(f"generation.from_catalogue {ref}: the row was measured on {row.device}, but the scenario "
                         f"prices {device}: one GPU's speed is never priced with another's price and power")
    try:
        sp = speed_at(row, arch if isinstance(arch, str) else None, res if isinstance(res, int) else None,
                      steps if isinstance(steps, int) else None)
    except NotScalable as exc:
        raise ValueError(f"generation.from_catalogue {ref}: {exc}") from None
    out = dict(data)
    g = dict(gen)
    out["generation"] = g
    if not _given(g, "seconds_per_image"):
        # what a reader must weigh (precision, scope, batch, runtime) goes with the figure, in its source
        said = "".join(f"; {n}" for n in sp.notes)
        g["seconds_per_image"] = {"value": sp.gpu_seconds_per_image, "source": sp.label + said}
    if not _given(g, "device"):
        g["device"] = f"{row.device} (published)"
    if row.batch_size is not None and not _given(g, "batch_size"):
        g["batch_size"] = row.batch_size
    compute = data.get("compute")
    owned = compute.get("owned") if isinstance(compute, dict) else None
    if isinstance(owned, dict) and not _given(owned, "board_power_w") and sp.mean_power_w is not None \
            and row.energy_scope == "gpu_only":
        out["compute"] = dict(compute)
        out["compute"]["owned"] = {**owned, "board_power_w": {
            "value": sp.mean_power_w, "source": f"published mean power per GPU, J / GPU-s ({sp.energy_label})"}}
    return out


# --------------------------------------------------------------------------- picking rows for a job


def rows_of_model(model: str) -> list[CatalogueRow]:
    return [r for r in catalogue() if r.model == model]


def best_row(device_key: frozenset[str], arch: str, resolution_px: int | None, steps: int | None) -> tuple[CatalogueRow | None, list[str]]:
    """The row to price device `device_key` with for a job of `arch`: one GPU, seconds per image given and
    scalable to the job; preferring a published energy, a stock runtime, end-to-end seconds, batch 1 and
    the latest date. (row or None, why each other candidate was passed over)."""
    from artcost.model.measured import device_key as key_of

    usable: list[tuple[tuple, CatalogueRow]] = []
    passed: list[str] = []
    for r in catalogue():
        if r.model != arch or key_of(r.device) != device_key:
            continue
        if r.gpus != 1:
            passed.append(f"{r.id}: {r.gpus} GPUs for one image")
            continue
        try:
            speed_at(r, arch, resolution_px, steps)
        except NotScalable as exc:
            passed.append(str(exc))
            continue
        rank = (r.joules_per_image is not None, not r.optimised, not r.denoising_only, r.batch_size == 1, r.date)
        usable.append((rank, r))
    if not usable:
        return None, passed
    usable.sort(key=lambda x: x[0], reverse=True)
    return usable[0][1], passed
