"""Synthetic weights: the real architecture built on the ``meta`` device, then one cheap fill per tensor.

Default ``nn.init`` of the SD1.5 UNet takes ~11 s on a 2-core CPU (per-tensor kaiming_uniform_ with RNG
work for 860 M values). Timing does not depend on the values, only on their being ordinary floats:
NaN/Inf or subnormal activations change CPU timings (subnormals take a microcode slow path on x86).
So each parameter is filled by copying slices of one shared random pool (memcpy speed), scaled by
1/sqrt(fan_in) for weight matrices and kernels so every layer keeps activations near unit variance;
norms get weight 1 and bias 0. `activation_health` checks the result during warm-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from artcost.errors import MissingExtraError

# A prime length so that successive rows of a matrix are shifted copies of the pool, not identical.
POOL_SIZE = 1_048_573
WEIGHTS_LABEL = "synthetic-weights"


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingExtraError("bench", "torch", "artcost bench") from exc
    return torch


def fan_in(shape: tuple[int, ...]) -> int:
    """Inputs feeding one output: ``in_features`` for a Linear/Embedding row, ``in/groups * kh * kw`` for a conv."""
    if len(shape) < 2:
        return 1
    return int(math.prod(shape[1:]))


def fill_scale(name: str, shape: tuple[int, ...]) -> tuple[str, float]:
    """How to fill one parameter: ``("pool", scale)``, ``("const", value)``.

    1-D tensors are norm weights (1) or biases (0); everything else draws from the pool with
    standard deviation 1/sqrt(fan_in) (variance-preserving, like Kaiming/LeCun init).
    """
    leaf = name.rsplit(".", 1)[-1]
    if len(shape) <= 1:
        if leaf == "weight" or leaf.endswith("scale") or leaf == "logit_scale":
            return ("const", 1.0)
        return ("const", 0.0)
    return ("pool", 1.0 / math.sqrt(fan_in(shape)))


def _pool(torch, dtype, device, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    # Uniform on [-sqrt(3), sqrt(3)] has unit variance and no tails: no huge outliers.
    pool = (torch.rand(POOL_SIZE, generator=gen, dtype=torch.float32) * 2 - 1) * math.sqrt(3.0)
    return pool.to(device=device, dtype=dtype)


def fill_tensor_(t, pool, mode: str, value: float) -> None:
    """Fill ``t`` in place: a constant, or the pool tiled over it then scaled by ``value``."""
    if mode == "const":
        t.fill_(value)
        return
    flat = t.view(-1)
    n = flat.numel()
    size = pool.numel()
    whole = n // size
    if whole:
        flat[: whole * size].view(whole, size).copy_(pool.expand(whole, size))
    rest = n - whole * size
    if rest:
        flat[whole * size :].copy_(pool[:rest])
    flat.mul_(value)


def materialize_(module, dtype, device: str = "cpu", seed: int = 0) -> int:
    """Replace every ``meta`` parameter of ``module`` by a filled real tensor; returns the number filled."""
    torch = _torch()
    pool = _pool(torch, dtype, device, seed)
    count = 0
    with torch.no_grad():
        for mod_name, mod in module.named_modules():
            for pname, param in list(mod._parameters.items()):
                if param is None or not param.is_meta:
                    continue
                full = f"{mod_name}.{pname}" if mod_name else pname
                real = torch.empty(param.shape, dtype=dtype, device=device)
                mode, value = fill_scale(full, tuple(param.shape))
                fill_tensor_(real, pool, mode, value)
                mod._parameters[pname] = torch.nn.Parameter(real, requires_grad=False)
                count += 1
            for bname, buf in list(mod._buffers.items()):
                if buf is not None and buf.is_meta:
                    raise RuntimeError(f"buffer {mod_name}.{bname} left on meta device")
    return count


def build_component(arch, component: str, dtype, device: str = "cpu", meta_only: bool = False):
    """Build one component of ``arch`` from its shipped config.

    Parameters live on ``meta`` during construction (no allocation, no init); buffers are real so
    e.g. CLIP's ``position_ids`` keep their values. With ``meta_only`` the module stays on meta
    entirely (for FLOP counting).
    """
    torch = _torch()
    import diffusers
    import transformers

    cls_name = _component_class(arch, component)
    if component == "scheduler":
        return getattr(diffusers, cls_name).from_config(arch.component_config("scheduler"))
    cfg = arch.component_config(component)
    if meta_only:
        with torch.device("meta"):
            return _instantiate(diffusers, transformers, cls_name, cfg)
    from accelerate import init_empty_weights

    with init_empty_weights(include_buffers=False):
        module = _instantiate(diffusers, transformers, cls_name, cfg)
    materialize_(module, dtype, device)
    module.eval()
    return module


def _component_class(arch, component: str) -> str:
    import json

    index = json.loads((arch.config_dir() / "model_index.json").read_text())
    return index[component][1]


def _instantiate(diffusers, transformers, cls_name: str, cfg: dict):
    if hasattr(diffusers, cls_name) and cls_name not in ("CLIPTextModel", "CLIPTextModelWithProjection"):
        return getattr(diffusers, cls_name).from_config(cfg)
    cls = getattr(transformers, cls_name)
    config = transformers.CLIPTextConfig(**{k: v for k, v in cfg.items() if not k.startswith("_")})
    return cls(config)


@dataclass
class HealthReport:
    """What the forward hooks saw during one warm-up run.

    ``nonfinite_outputs`` counts module outputs holding NaN/Inf; ``subnormal_fraction`` is the share of
    output values that are non-zero and below the dtype's smallest normal number.
    """

    modules_checked: int = 0
    nonfinite_outputs: int = 0
    values_checked: int = 0
    subnormal_values: int = 0
    worst: list[str] = field(default_factory=list)

    @property
    def subnormal_fraction(self) -> float:
        return self.subnormal_values / self.values_checked if self.values_checked else 0.0

    @property
    def ok(self) -> bool:
        # A few subnormals are harmless (ReLU-like tails make some in any real model); a sizable share
        # would put x86 fp32 arithmetic on its slow microcode path.
        return self.nonfinite_outputs == 0 and self.subnormal_fraction < 1e-3

    def as_dict(self) -> dict:
        return {
            "modules_checked": self.modules_checked,
            "nonfinite_outputs": self.nonfinite_outputs,
            "values_checked": self.values_checked,
            "subnormal_values": self.subnormal_values,
            "subnormal_fraction": self.subnormal_fraction,
            "ok": self.ok,
            "worst": self.worst[:5],
        }


class activation_health:
    """Context manager: forward hooks on every leaf module of ``modules`` that check outputs.

    Used only around a warm-up run (it costs a pass over each output), never a timed one.
    """

    def __init__(self, modules):
        self.modules = modules
        self.report = HealthReport()
        self._handles = []

    def _hook(self, name):
        torch = _torch()

        def hook(_mod, _inp, out):
            if not isinstance(out, torch.Tensor) or not out.is_floating_point() or out.numel() == 0:
                return
            self.report.modules_checked += 1
            x = out.detach()
            # Three passes over the output where there were seven: the largest magnitude is NaN or inf
            # exactly when some value is, and subnormals are counted only when the smallest magnitude is
            # below `tiny` (the VAE's 256-px activations made the old check cost ~5 s of the warm-up).
            a = x.abs()
            if not bool(torch.isfinite(a.amax())):
                self.report.nonfinite_outputs += 1
                self.report.worst.append(f"{name}: non-finite")
                return
            tiny = torch.finfo(x.dtype).tiny
            sub = int(((a < tiny) & (a > 0)).sum()) if float(a.amin()) < tiny else 0
            self.report.values_checked += x.numel()
            if sub:
                self.report.subnormal_values += sub
                self.report.worst.append(f"{name}: {sub} subnormal")

        return hook

    def __enter__(self):
        for prefix, module in self.modules.items():
            for name, mod in module.named_modules():
                if len(list(mod.children())) == 0:
                    self._handles.append(mod.register_forward_hook(self._hook(f"{prefix}.{name}")))
        return self.report

    def __exit__(self, *exc):
        for h in self._handles:
            h.remove()
        self._handles.clear()
        return False
