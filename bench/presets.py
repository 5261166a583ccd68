"""What a preset does to a pipeline, and what it is compared with.

A preset is one way of running the same model: ``stock`` (float32), ``fp16``, ``bf16`` (the dtype is set
when the weights are loaded: `preset_dtype`), ``channels_last``, ``compile`` and ``alloc`` (applied to the
loaded pipeline: `apply_preset`), alone or joined (``bf16+compile+alloc``: `config.preset_parts`). `dtype_labels` says how a dtype is shown in the record and which datasheet
peak and GEMM probe it is compared with; `set_scheduler` swaps the scheduler a run asked for.
"""

from __future__ import annotations

from pathlib import Path

from artcost.bench.config import SCHEDULERS, preset_parts
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
    parts = preset_parts(preset)
    if "alloc" in parts and not device.startswith("cuda"):
        # checked before building: a C library without mallopt cannot run it
        from artcost.bench.allocator import glibc_version

        if glibc_version() is None:
            raise PresetUnsupported("the alloc preset tunes glibc malloc; this system's C library is not glibc")
    if "alloc" in parts and device.startswith("cuda"):
        raise PresetUnsupported("alloc tunes the host's malloc; on a GPU the activations live in CUDA's caching "
                                "allocator, which it does not change")
    if "bf16" not in parts and "fp16" not in parts:
        return torch.float32
    if device.startswith("cuda"):
        if "bf16" in parts:
            # Not torch.cuda.is_bf16_supported(): it counts emulation (True on T4/V100, where bf16 is far
            # slower than fp16) and looks at the current device, not ``device``.
            major, minor = torch.cuda.get_device_capability(device)
            if major < 8:
                raise PresetUnsupported(f"this GPU (compute capability {major}.{minor}) has no native bf16; "
                                        "it needs 8.0 (Ampere) or later, and emulation would not be a fair measure")
        return torch.float16 if "fp16" in parts else torch.bfloat16
    flags = cpu_flags()
    if "bf16" in parts:
        if not flags & {"avx512_bf16", "amx_bf16"}:
            raise PresetUnsupported("this CPU has no native bf16 matmul (no avx512_bf16/amx_bf16 flag); it would be emulated")
        return torch.bfloat16
    if not flags & {"avx512_fp16", "amx_fp16"}:
        raise PresetUnsupported("this CPU has no native fp16 arithmetic (no avx512_fp16/amx_fp16 flag); it would be emulated")
    return torch.float16


COMPILE_OPTIONS = {"freezing": True}
"""Inductor's freezing: the weights become constants of the compiled graph, folded and prepacked into the
layout each kernel wants (oneDNN's blocked convolution weights on a CPU), once, instead of reordered on every
call. Default torch.compile was slower than stock on a CPU (1.40-1.77x the time), with freezing 1.25x faster
(issue #29). It needs the calls under no_grad/inference_mode, which `phases.run_once` uses."""


def apply_preset(loaded, preset: str) -> None:
    """Change ``loaded`` (a `loading.LoadedPipeline`) in place for the preset's ``channels_last``, ``compile``
    and ``alloc``; the dtype is set when the weights are loaded (`preset_dtype`). Each change is a note."""
    torch = import_torch()
    pipe = loaded.pipe
    den = loaded.arch.denoiser
    parts = preset_parts(preset)
    if "alloc" in parts:
        from artcost.bench.allocator import AllocatorUnsupported, tune

        try:
            done = tune()
        except AllocatorUnsupported as exc:
            raise PresetUnsupported(str(exc)) from None
        loaded.notes.append("glibc malloc tuned for the rest of this process (" + ", ".join(
            f"{k}={v // 2**20}M" for k, v in done["settings"].items()) + ", set by mallopt)")
    if "channels_last" in parts:
        if den == "unet":
            pipe.unet.to(memory_format=torch.channels_last)
            loaded.notes.append("unet and vae in channels_last memory format")
        else:
            # a transformer works on token sequences: no 4-D feature maps for the memory format to change
            loaded.notes.append("vae in channels_last memory format (the transformer has no 4-D feature maps)")
        pipe.vae.to(memory_format=torch.channels_last)
    if "compile" in parts:
        if loaded.device == "cpu":
            import shutil

            if not (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")):
                raise PresetUnsupported("torch.compile on CPU needs a C++ compiler (none on PATH)")
        setattr(pipe, den, torch.compile(getattr(pipe, den), options=dict(COMPILE_OPTIONS)))
        loaded.compiled = True
        loaded.notes.append(f"torch.compile({den}) with inductor freezing (weights folded and prepacked); "
                            "the first warm-up call includes compilation (compile_s)")


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
