"""What a preset does to a pipeline, and what it is compared with.

A preset is one way of running the same model: ``stock`` (float32), ``fp16``, ``bf16`` (the dtype is set
when the weights are loaded: `preset_dtype`), ``channels_last`` and ``compile`` (applied to the loaded
pipeline: `apply_preset`). `dtype_labels` says how a dtype is shown in the record and which datasheet
peak and GEMM probe it is compared with; `set_scheduler` swaps the scheduler a run asked for.
"""

from __future__ import annotations

from pathlib import Path

from artcost.bench.config import SCHEDULERS
from artcost.bench.device_info import fp32_mode
from artcost.bench.errors import PresetUnsupported, import_torch


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def preset_dtype(preset: str, device: str):
    """The dtype a preset runs in, or PresetUnsupported with the reason."""
    torch = import_torch()
    if preset in ("stock", "channels_last", "compile"):
        return torch.float32
    # Presets are validated by BenchConfig: only fp16 and bf16 are left here.
    if device.startswith("cuda"):
        if preset == "bf16":
            # Not torch.cuda.is_bf16_supported(): it counts emulation (True on T4/V100, where bf16 is far
            # slower than fp16) and looks at the current device, not ``device``.
            major, minor = torch.cuda.get_device_capability(device)
            if major < 8:
                raise PresetUnsupported(f"this GPU (compute capability {major}.{minor}) has no native bf16; "
                                        "it needs 8.0 (Ampere) or later, and emulation would not be a fair measure")
        return torch.float16 if preset == "fp16" else torch.bfloat16
    flags = cpu_flags()
    if preset == "bf16":
        if not flags & {"avx512_bf16", "amx_bf16"}:
            raise PresetUnsupported("this CPU has no native bf16 matmul (no avx512_bf16/amx_bf16 flag); it would be emulated")
        return torch.bfloat16
    if not flags & {"avx512_fp16", "amx_fp16"}:
        raise PresetUnsupported("this CPU has no native fp16 arithmetic (no avx512_fp16/amx_fp16 flag); it would be emulated")
    return torch.float16


def apply_preset(loaded, preset: str) -> None:
    """Change ``loaded`` (a `loading.LoadedPipeline`) in place for ``channels_last`` or ``compile``; the
    dtype is set when the weights are loaded (`preset_dtype`)."""
    torch = import_torch()
    pipe = loaded.pipe
    den = loaded.arch.denoiser
    if preset == "channels_last":
        if den == "unet":
            pipe.unet.to(memory_format=torch.channels_last)
            loaded.notes.append("unet and vae in channels_last memory format")
        else:
            # a transformer works on token sequences: no 4-D feature maps for the memory format to change
            loaded.notes.append("vae in channels_last memory format (the transformer has no 4-D feature maps)")
        pipe.vae.to(memory_format=torch.channels_last)
    elif preset == "compile":
        if loaded.device == "cpu":
            import shutil

            if not (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")):
                raise PresetUnsupported("torch.compile on CPU needs a C++ compiler (none on PATH)")
        setattr(pipe, den, torch.compile(getattr(pipe, den)))
        loaded.compiled = True
        loaded.notes.append(f"torch.compile({den}), default mode; first warm-up run includes compilation")


def set_scheduler(pipe, name: str | None, overrides: dict | None = None) -> str:
    """Swap the scheduler (keeping the model's config, with ``overrides`` set on it: a few-step variant's
    ``timestep_spacing: trailing``); returns the class name in use."""
    if name is None and not overrides:
        return type(pipe.scheduler).__name__
    import diffusers

    cls = getattr(diffusers, SCHEDULERS[name]) if name is not None else type(pipe.scheduler)
    pipe.scheduler = cls.from_config(pipe.scheduler.config, **(overrides or {}))
    return cls.__name__


def dtype_labels(device: str, dtype, torch) -> tuple[str, str, bool]:
    """(dtype label shown in the record, key of the datasheet peak, GEMM probe with TF32 matmuls).

    float32 on an Ampere+ GPU with cuDNN TF32 on is labelled ``float32 (TF32 convs)`` and compared with
    the TF32 peak and a TF32 probe (`device_info.fp32_mode`); every other dtype is itself.
    """
    name = str(dtype).replace("torch.", "")
    if name != "float32":
        return name, name, False
    mode = fp32_mode(device, torch)
    return mode["label"], mode["peak_dtype"], mode["probe_tf32"]
