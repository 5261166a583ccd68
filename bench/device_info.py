"""The environment a record was measured in, and datasheet peaks for known GPUs.

The peak table (`configs/peaks.yaml`) lists dense (no sparsity) tensor-core/FMA peaks per dtype
with the document each number comes from. An unknown device gets no datasheet peak: the field
stays empty rather than guessed.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path


def git_sha() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    sha = out.stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                           capture_output=True, text=True, timeout=5).stdout.strip()
    return sha + ("-dirty" if dirty else "")


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _version(mod: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(mod)
    except Exception:  # noqa: BLE001
        return None


def environment(device: str) -> dict:
    """Software and hardware of this run (no GPU handle needed; NVML info is added by the runner)."""
    env = {
        "artcost_git_sha": git_sha(),
        "python": sys.version.split()[0],
        "torch": _version("torch"),
        "diffusers": _version("diffusers"),
        "transformers": _version("transformers"),
        "os": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cuda": None,
        "device": device,
        "device_name": None,
    }
    try:
        import torch

        env["torch_threads"] = torch.get_num_threads()
        env["tf32"] = tf32_flags(torch)
        env["cuda"] = torch.version.cuda
        if device.startswith("cuda") and torch.cuda.is_available():
            env["device_name"] = torch.cuda.get_device_name(device)
            cap = torch.cuda.get_device_capability(device)
            env["compute_capability"] = f"{cap[0]}.{cap[1]}"
        else:
            env["device_name"] = f"CPU: {env['cpu_model']} ({env['torch_threads']} threads)"
    except ImportError:
        pass
    return env


@lru_cache(maxsize=1)
def peak_table() -> list[dict]:
    import yaml

    text = (resources.files("artcost.bench.configs") / "peaks.yaml").read_text()
    return yaml.safe_load(text)["devices"]


def tf32_flags(torch_module) -> dict:
    """PyTorch's two TF32 switches: cuDNN convolutions (on by default) and cuBLAS matmuls (off by default)."""
    return {"cudnn_allow_tf32": bool(torch_module.backends.cudnn.allow_tf32),
            "cuda_matmul_allow_tf32": bool(torch_module.backends.cuda.matmul.allow_tf32)}


def fp32_mode(device: str, torch_module) -> dict:
    """How a float32 preset really computes on ``device``, and what to compare it with.

    On Ampere and later (compute capability >= 8) cuDNN runs fp32 convolutions in TF32 by default
    (``torch.backends.cudnn.allow_tf32``), and convolutions are most of the work (55% of the SD UNet's
    FLOPs, 98% of the VAE decode's). Against a true-fp32 GEMM probe and the non-tensor fp32 datasheet
    peak such a run can exceed 100%. So there the probe runs with matmul TF32 on and the datasheet
    column is the dense TF32 tensor peak. Returns ``label`` (the dtype shown in the record),
    ``peak_dtype`` (key in configs/peaks.yaml), ``probe_tf32`` (run the GEMM probe with TF32 matmuls)
    and ``reason``.
    """
    flags = tf32_flags(torch_module)
    plain = {"label": "float32", "peak_dtype": "float32", "probe_tf32": False}
    if not device.startswith("cuda"):
        return {**plain, "reason": "no TF32 off CUDA"}
    major = torch_module.cuda.get_device_capability(device)[0]
    if major < 8:
        return {**plain, "reason": f"compute capability {major}.x has no TF32"}
    if flags["cuda_matmul_allow_tf32"]:
        return {"label": "float32 (TF32)", "peak_dtype": "tf32", "probe_tf32": True,
                "reason": "torch.backends.cuda.matmul.allow_tf32 is on: matmuls and convolutions use TF32"}
    if flags["cudnn_allow_tf32"]:
        return {"label": "float32 (TF32 convs)", "peak_dtype": "tf32", "probe_tf32": True,
                "reason": "torch.backends.cudnn.allow_tf32 is on (PyTorch's default): convolutions use TF32"}
    return {**plain, "reason": "TF32 switched off for convolutions and matmuls"}


def name_matches(pattern: str, device_name: str) -> bool:
    """``pattern`` occurs in ``device_name`` as whole words (so "L4" is not found in "L40S", nor "T4" in "T400")."""
    return re.search(rf"\b{re.escape(pattern.lower())}\b", device_name.lower()) is not None


def datasheet_peak(device_name: str | None, dtype: str) -> dict | None:
    """Dense peak FLOP/s for ``dtype`` (``float32``, ``tf32``, ``float16``, ``bfloat16``) and its source, or None.

    An entry matches when one of its ``match`` strings occurs as whole words in the device name and
    none of its ``exclude`` strings does; the first matching entry wins.
    """
    if not device_name:
        return None
    for entry in peak_table():
        if any(name_matches(m, device_name) for m in entry["match"]) and not any(
                name_matches(x, device_name) for x in entry.get("exclude", [])):
            tflops = entry["dense_tflops"].get(dtype)
            if tflops is None:
                return None
            return {"device": entry["name"], "flops": tflops * 1e12, "dtype": dtype, "source": entry["source"]}
    return None
