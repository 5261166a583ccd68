"""What a benchmark run is asked to do: `BenchConfig`, validated; every mistake becomes a UserError line."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator, model_validator

from artcost.bench.archs import ARCHS, VARIANTS, arch_choices
from artcost.errors import ArgumentError, UserError

# The sizes a scenario's generation.resolution_px and generation.steps may have (model.schema): a run or a
# FLOP count beyond them is no setting anyone uses, and a 310-digit one overflowed a float.
MAX_RESOLUTION = 65536
MAX_STEPS = 10000


def _size(n: int) -> str:
    """A whole number as a refusal says it: with separators, or its length when it is too long to read."""
    return f"{n:,}" if abs(n) < 10**15 else f"a number of {len(str(abs(n))):,} digits"


PRESETS = ("stock", "fp16", "bf16", "channels_last", "compile", "alloc")
"""What a preset may change, each alone or joined with '+' (``bf16+compile+alloc``): ``stock`` changes nothing
(float32, as loaded); ``fp16``/``bf16`` the weights' dtype; ``channels_last`` the memory format; ``compile``
torch.compile with inductor freezing; ``alloc`` glibc malloc's thresholds (`presets.apply_preset`)."""
OPTIONS = PRESETS[1:]
DTYPE_OPTIONS = ("fp16", "bf16")
FASTEST = "fastest"
"""``primary_preset=fastest``: the record's figures are those of the fastest preset that ran (`runner.pick_fastest`)."""


def preset_parts(name: str) -> tuple[str, ...]:
    """The options a preset name joins, in `OPTIONS` order (``stock``: none); ValueError naming what is wrong."""
    if name == "stock":
        return ()
    parts = [p.strip() for p in name.split("+")]
    bad = [p for p in parts if p not in OPTIONS]
    if bad:
        raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}, or join options with '+' "
                         f"(bf16+compile+alloc)")
    if len(set(parts)) != len(parts):
        raise ValueError(f"preset {name!r} names an option twice")
    if len([p for p in parts if p in DTYPE_OPTIONS]) > 1:
        raise ValueError(f"preset {name!r} names two dtypes; a preset runs in one")
    return tuple(o for o in OPTIONS if o in parts)


def canonical_preset(name: str) -> str:
    """One spelling per preset: options in `OPTIONS` order (``alloc+bf16`` is ``bf16+alloc``)."""
    return "+".join(preset_parts(name)) or "stock"
# --scheduler name -> diffusers class (pipeline.set_scheduler instantiates it from the model's config).
SCHEDULERS = {
    "pndm": "PNDMScheduler",
    "ddim": "DDIMScheduler",
    "euler": "EulerDiscreteScheduler",
    "euler_a": "EulerAncestralDiscreteScheduler",
    "dpmpp_2m": "DPMSolverMultistepScheduler",
    "lms": "LMSDiscreteScheduler",
    "unipc": "UniPCMultistepScheduler",
    "lcm": "LCMScheduler",
    "flow_euler": "FlowMatchEulerDiscreteScheduler",
}

class BenchConfig(BaseModel):
    """One benchmark run's settings (a front end names each field its own way: `make_config(names=...)`).

    ``arch`` may name a few-step variant (``sdxl-turbo``): validation turns it into its architecture, keeps
    the variant's name in ``variant`` and fills the steps, guidance, resolution and scheduler it was not
    given from the variant's model card (`archs.VARIANTS`). Steps and guidance left out are the
    architecture's defaults (`archs.ArchSpec.default_steps` / ``default_guidance``).
    """

    arch: str = "sd15"
    variant: str | None = None
    model: Path | None = None
    resolution: int | None = None  # None: the architecture's default (SD1.5 512, SDXL 1024)
    steps: int | None = None  # None: the architecture's (or variant's) default
    scheduler: str | None = None  # None: the model's own scheduler config (what a first-time user gets)
    scheduler_overrides: dict = Field(default_factory=dict)  # config entries set on the scheduler (a variant's)
    guidance_scale: float | None = None  # None: the architecture's (or variant's) default
    without_t5: bool = False  # SD3: run without the T5 encoder (diffusers feeds zeros in its place)
    batch_size: int = 1
    num_images: int = 1
    seed: int = 0
    device: str = "auto"
    presets: list[str] = Field(default_factory=lambda: ["stock"])
    primary_preset: str = "stock"
    warmup_runs: int = 1
    # Denoising steps of each warm-up call. None: 1 (a compiled preset: all of `steps`). One step runs every
    # kernel the timed runs use (text encoders, denoiser, VAE decode) at their shapes, which is what a
    # warm-up is for; the rest of a full-length call only delayed the first timed step (issue #16).
    warmup_steps: int | None = None
    min_runs: int = 3
    min_seconds: float = 10.0
    max_runs: int = 100
    batch_sweep: bool = False
    max_batch: int = 64
    host_mem_ceiling_gb: float | None = None
    idle_seconds: float = 3.0
    gemm_seconds: float = 3.0
    store: bool = True

    def warmup_steps_for(self, compiled: bool) -> int:
        """Steps of each warm-up call: ``warmup_steps`` (default 1), never more than ``steps``; a compiled
        denoiser warms up at full length (its first call traces it, and later steps must not recompile
        inside a timed run)."""
        # never more than `steps`: a larger warmup_steps is refused by the model validator
        return self.steps if compiled else (self.warmup_steps or 1)

    @field_validator("arch")
    @classmethod
    def _arch(cls, v):
        if v not in ARCHS and v not in VARIANTS:
            raise ValueError(f"unknown architecture {v!r}; choose one of {', '.join(arch_choices())}")
        return v

    @model_validator(mode="after")
    def _defaults(self):
        """A variant becomes its architecture with its settings; unset steps/guidance get the defaults;
        a transformer's resolution must be a whole number of patches; T5 can only be left out where optional."""
        v = VARIANTS.get(self.arch)
        if v is not None:
            self.variant, self.arch = v.name, v.arch
            self.steps = v.steps if self.steps is None else self.steps
            self.guidance_scale = v.guidance if self.guidance_scale is None else self.guidance_scale
            self.resolution = v.resolution if self.resolution is None else self.resolution
            if self.scheduler is None:
                self.scheduler = v.scheduler
                self.scheduler_overrides = {**dict(v.scheduler_overrides), **self.scheduler_overrides}
        a = ARCHS[self.arch]
        self.steps = a.default_steps if self.steps is None else self.steps
        self.guidance_scale = a.default_guidance if self.guidance_scale is None else self.guidance_scale
        res = self.effective_resolution()
        if a.denoiser == "transformer" and res % a.pixel_multiple:
            raise ValueError(f"resolution: {a.label} needs a multiple of {a.pixel_multiple} pixels (got {res})")
        if self.without_t5 and "text_encoder_3" not in a.optional_text_encoders:
            raise ValueError(f"without_t5: {a.label} cannot run without its T5 encoder (only SD3.5 can)")
        if self.min_runs > self.max_runs:
            raise ValueError(f"min_runs: at least {self.min_runs} timed runs cannot be made with `max_runs` "
                             f"{self.max_runs}")
        if self.warmup_steps is not None and self.warmup_steps > self.steps:
            raise ValueError(f"warmup_steps: a warm-up call of {self.warmup_steps} steps is longer than the timed "
                             f"calls' {self.steps} (`steps`)")
        return self

    @property
    def without(self) -> tuple[str, ...]:
        """Optional text encoders left out (``("text_encoder_3",)`` for SD3 without T5)."""
        return ("text_encoder_3",) if self.without_t5 else ()

    @field_validator("resolution")
    @classmethod
    def _res(cls, v):
        if v is not None and v > MAX_RESOLUTION:  # as a scenario's generation.resolution_px
            raise ValueError(f"must be at most {MAX_RESOLUTION:,} pixels (got {_size(v)})")
        if v is not None and (v <= 0 or v % 8):
            raise ValueError(f"must be a positive multiple of 8 pixels (got {_size(v)})")
        return v

    @field_validator("steps", "warmup_steps")
    @classmethod
    def _steps_bounded(cls, v):
        # as a scenario's generation.steps: a 310-digit --steps overflowed a float in the FLOP count
        if v is not None and v > MAX_STEPS:
            raise ValueError(f"must be at most {MAX_STEPS:,} (got {_size(v)})")
        return v

    @field_validator("steps", "batch_size", "num_images", "min_runs", "max_runs", "max_batch", "warmup_steps")
    @classmethod
    def _positive(cls, v):
        if v is not None and v < 1:
            raise ValueError(f"must be at least 1 (got {v})")
        return v

    @field_validator("warmup_runs", "guidance_scale", "min_seconds", "idle_seconds", "gemm_seconds")
    @classmethod
    def _nonneg(cls, v):
        # NaN passed 'v < 0' (a NaN GEMM budget gave a 3 GFLOP/s probe; inf seconds ran until max_runs)
        if v is not None and not math.isfinite(v):
            raise ValueError(f"must be a finite number (got {v})")
        if v is not None and v < 0:
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
        if not v:
            raise ValueError("give at least one preset")
        names = [canonical_preset(p) for p in v]
        # stock always runs first: every other preset is reported as a ratio to it. ``alloc`` tunes this
        # process's malloc for the rest of the run (it cannot be undone), so presets with it run after
        # every preset without it, which are measured with the allocator as the process started.
        names = [p for p in dict.fromkeys(names) if p != "stock"]
        return ["stock"] + [p for p in names if "alloc" not in preset_parts(p)] + [
            p for p in names if "alloc" in preset_parts(p)]

    @field_validator("device")
    @classmethod
    def _device(cls, v):
        if v not in ("auto", "cpu") and not (v == "cuda" or (v.startswith("cuda:") and v[5:].isdigit())):
            raise ValueError(f"expected auto, cpu, cuda or cuda:N (got {v!r})")
        return v

    @field_validator("primary_preset")
    @classmethod
    def _primary(cls, v, info: ValidationInfo):
        if v == FASTEST:
            return v
        v = canonical_preset(v)
        presets = info.data.get("presets")  # absent when the presets themselves were refused
        if presets is not None and v not in presets:
            raise ValueError(f"{v!r} is not among the presets run ({','.join(presets)})")
        return v

    @field_validator("host_mem_ceiling_gb")
    @classmethod
    def _ceiling(cls, v):
        if v is not None and not math.isfinite(v):
            raise ValueError(f"must be a finite number of GB (got {v})")
        if v is not None and v <= 0:
            raise ValueError(f"must be positive (got {v:g})")
        return v

    @property
    def cfg_on(self) -> bool:
        """Classifier-free guidance runs (and doubles the denoiser's batch) when guidance_scale > 1, except
        for FLUX, whose guidance is an input of one pass (`archs.ArchSpec.cfg_on`)."""
        return ARCHS[self.arch].cfg_on(self.guidance_scale)

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
            if not field and ": " in msg:  # a check across fields names its field first ('resolution: ...')
                head, rest = msg.split(": ", 1)
                for name, said in (names or {}).items():  # and another it names in backticks (`max_runs`)
                    rest = rest.replace(f"`{name}`", said)
                msg = f"{(names or {}).get(head, head)}: {rest}"
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
