"""The environment a record was measured in, and datasheet peaks for known GPUs.

The peak table (`configs/peaks.yaml`) lists dense (no sparsity) tensor-core/FMA peaks per dtype
with the document each number comes from. An unknown device gets no datasheet peak: the field
stays empty rather than guessed.
"""

from __future__ import annotations

import os
import platform
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


def datasheet_peak(device_name: str | None, dtype: str) -> dict | None:
    """Dense peak FLOP/s for ``dtype`` (``float32``, ``float16``, ``bfloat16``) and its source, or None."""
    if not device_name:
        return None
    name = device_name.lower()
    for entry in peak_table():
        if any(m.lower() in name for m in entry["match"]) and not any(x.lower() in name for x in entry.get("exclude", [])):
            tflops = entry["dense_tflops"].get(dtype)
            if tflops is None:
                return None
            return {"device": entry["name"], "flops": tflops * 1e12, "dtype": dtype, "source": entry["source"]}
    return None
