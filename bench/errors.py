"""What the benchmark raises and recognises: the ``[bench]`` extra missing, a preset this device cannot
run, and running out of device memory (no torch import here)."""

from __future__ import annotations

from artcost.errors import MissingExtraError


def import_torch(what: str = "artcost bench"):
    """torch and diffusers, or a MissingExtraError naming the ``[bench]`` extra and `what` needs it."""
    try:
        import torch
        import diffusers  # noqa: F401
    except ImportError as exc:
        missing = "torch" if "torch" in str(exc) else "diffusers"
        raise MissingExtraError("bench", missing, what) from exc
    return torch


class PresetUnsupported(Exception):
    """This device cannot run the preset; the message is the reason shown in the report."""


class DeviceOOM(Exception):
    """Out of device memory (CUDA OOM, or the host-memory ceiling on CPU)."""


def is_oom(exc: BaseException) -> bool:
    """CUDA out-of-memory, host MemoryError, or our ceiling."""
    if isinstance(exc, (DeviceOOM, MemoryError)):
        return True
    name = type(exc).__name__
    return name == "OutOfMemoryError" or "out of memory" in str(exc).lower()
