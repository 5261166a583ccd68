"""What a benchmark run is asked to do: `BenchConfig`, validated; every mistake becomes a UserError line."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator

from artcost.bench.archs import ARCHS
from artcost.errors import ArgumentError, UserError

PRESETS = ("stock", "fp16", "bf16", "channels_last", "compile")
# --scheduler name -> diffusers class (pipeline.set_scheduler instantiates it from the model's config).
SCHEDULERS = {
    "pndm": "PNDMScheduler",
    "ddim": "DDIMScheduler",
    "euler": "EulerDiscreteScheduler",
    "euler_a": "EulerAncestralDiscreteScheduler",
    "dpmpp_2m": "DPMSolverMultistepScheduler",
    "lms": "LMSDiscreteScheduler",
    "unipc": "UniPCMultistepScheduler",
}

class BenchConfig(BaseModel):
    """One benchmark run's settings (a front end names each field its own way: `make_config(names=...)`)."""

    arch: str = "sd15"
    model: Path | None = None
    resolution: int | None = None  # None: the architecture's default (SD1.5 512, SDXL 1024)
    steps: int = 20
    scheduler: str | None = None  # None: the model's own scheduler config (what a first-time user gets)
    guidance_scale: float = 7.5
    batch_size: int = 1
    num_images: int = 1
    seed: int = 0
    device: str = "auto"
    presets: list[str] = Field(default_factory=lambda: ["stock"])
    primary_preset: str = "stock"
    warmup_runs: int = 1
    min_runs: int = 3
    min_seconds: float = 10.0
    max_runs: int = 100
    batch_sweep: bool = False
    max_batch: int = 64
    host_mem_ceiling_gb: float | None = None
    idle_seconds: float = 3.0
    gemm_seconds: float = 3.0
    store: bool = True

    @field_validator("arch")
    @classmethod
    def _arch(cls, v):
        if v not in ARCHS:
            raise ValueError(f"unknown architecture {v!r}; choose one of {', '.join(ARCHS)}")
        return v

    @field_validator("resolution")
    @classmethod
    def _res(cls, v):
        if v is not None and (v <= 0 or v % 8):
            raise ValueError(f"must be a positive multiple of 8 pixels (got {v})")
        return v

    @field_validator("steps", "batch_size", "num_images", "min_runs", "max_runs", "max_batch")
    @classmethod
    def _positive(cls, v):
        if v < 1:
            raise ValueError(f"must be at least 1 (got {v})")
        return v

    @field_validator("warmup_runs", "guidance_scale", "min_seconds", "idle_seconds", "gemm_seconds")
    @classmethod
    def _nonneg(cls, v):
        if v < 0:
            raise ValueError(f"must be 0 or more (got {v})")
        return v

    @field_validator("scheduler")
    @classmethod
    def _sched(cls, v):
        if v is not None and v not in SCHEDULERS:
            raise ValueError(f"unknown scheduler {v!r}; choose one of {', '.join(SCHEDULERS)}")
        return v

    @field_validator("presets")
    @classmethod
    def _presets(cls, v):
        bad = [p for p in v if p not in PRESETS]
        if bad:
            raise ValueError(f"unknown preset {', '.join(map(repr, bad))}; choose from {', '.join(PRESETS)}")
        if not v:
            raise ValueError("give at least one preset")
        # stock always runs first: every other preset is reported as a ratio to it.
        return ["stock"] + [p for p in dict.fromkeys(v) if p != "stock"]

    @field_validator("device")
    @classmethod
    def _device(cls, v):
        if v not in ("auto", "cpu") and not (v == "cuda" or (v.startswith("cuda:") and v[5:].isdigit())):
            raise ValueError(f"expected auto, cpu, cuda or cuda:N (got {v!r})")
        return v

    @field_validator("primary_preset")
    @classmethod
    def _primary(cls, v, info: ValidationInfo):
        presets = info.data.get("presets")  # absent when the presets themselves were refused
        if presets is not None and v not in presets:
            raise ValueError(f"{v!r} is not among the presets run ({','.join(presets)})")
        return v

    @field_validator("host_mem_ceiling_gb")
    @classmethod
    def _ceiling(cls, v):
        if v is not None and v <= 0:
            raise ValueError(f"must be positive (got {v:g})")
        return v

    @property
    def cfg_on(self) -> bool:
        """Classifier-free guidance runs (and doubles the UNet batch) when guidance_scale > 1."""
        return self.guidance_scale > 1.0

    def effective_resolution(self) -> int:
        return self.resolution or ARCHS[self.arch].default_resolution


def make_config(names: Mapping[str, str] | None = None, **kwargs) -> BenchConfig:
    """Validate settings; raise UserError with one line per problem, naming each field as `names` maps it
    (the CLI passes its flags: 'steps' -> '--steps'), else by the field's own name."""
    try:
        return BenchConfig(**kwargs)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = err["loc"][0] if err["loc"] else None
            flag = (names or {}).get(field, str(field)) if field else "benchmark settings"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{flag}: {msg}" if field else msg)
        raise UserError(lines) from None


def resolve_device(requested: str) -> str:
    """``auto`` becomes cuda when available, else cpu; ``cuda`` without CUDA is a UserError."""
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda"):
        if not torch.cuda.is_available():
            why = "this torch build has no CUDA" if torch.version.cuda is None else "no CUDA device is visible"
            raise ArgumentError("device", f"{why}; use cpu instead", requested)
        index = int(requested.split(":")[1]) if ":" in requested else 0
        if index >= torch.cuda.device_count():
            raise ArgumentError("device", f"only {torch.cuda.device_count()} CUDA device(s) visible", requested)
    return requested
