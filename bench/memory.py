"""Will it fit? Memory a pipeline needs, against what the device has free, checked before anything is built.

Weights: every parameter of the components that are built (counted on the ``meta`` device from the shipped
configs, so nothing is allocated) times the bytes of the preset's dtype. Activations: a deliberately rough
upper estimate of the largest live tensors in one call at the chosen resolution and batch (below), so a
run that would die minutes into building a 24 GB transformer is refused in a second, with the numbers.

Activation estimate (bytes, per call): the denoiser's widest step - for a transformer, every token of the
rows it runs (x2 under CFG) times its width times ``TRANSFORMER_ACT_WIDTHS`` live copies (residual, q/k/v,
attention output and the 4x MLP hidden); for a UNet, its first block's feature map times
``UNET_ACT_COPIES`` - and the VAE decoder's full-resolution feature maps (its last block's channels at the
image side, ``VAE_ACT_COPIES`` live at once) for the batch. Attention runs through
``scaled_dot_product_attention`` (flash / memory-efficient kernels), so no tokens x tokens matrix is held.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from artcost.bench.archs import get_arch
from artcost.errors import UserError

BYTES_PER_DTYPE = {"float32": 4, "float16": 2, "bfloat16": 2}
TRANSFORMER_ACT_WIDTHS = 10  # residual + q, k, v + attention out + 4x MLP hidden (+1 slack)
UNET_ACT_COPIES = 12
VAE_ACT_COPIES = 4
GB = 1e9


class DoesNotFit(UserError):
    """The pipeline needs more memory than the device has free; the one line says both. ``arch``: the
    architecture refused, for a front end to offer its FLOP count instead."""

    def __init__(self, message: str, arch: str | None = None):
        super().__init__(message)
        self.arch = arch


@lru_cache(maxsize=None)
def parameter_count(arch_name: str, component: str) -> int:
    """Parameters of one component of ``arch_name``'s shipped template: from the shipped table
    (`configs/parameter_counts.json`), else counted on ``meta`` (`count_parameters`).

    The table is there because counting on meta took 2.5 s of a CPU run's start (SD1.5; 7.6 s for every
    arch), on the way to the first timed step; a test holds it equal to the meta count of every config."""
    table = shipped_parameter_counts()
    if component in table.get(arch_name, {}):
        return table[arch_name][component]
    return count_parameters(arch_name, component)


@lru_cache(maxsize=1)
def shipped_parameter_counts() -> dict[str, dict[str, int]]:
    import json
    from importlib import resources

    return json.loads((resources.files("artcost.bench.configs") / "parameter_counts.json").read_text())


def count_parameters(arch_name: str, component: str) -> int:
    """Parameters of one component of ``arch_name``'s shipped config, counted on ``meta`` (no memory)."""
    from artcost.bench.synthetic_dit import build_module

    module = build_module(get_arch(arch_name), component, None, meta_only=True)
    return sum(p.numel() for p in module.parameters())


def dtype_bytes(dtype) -> int:
    """Bytes per value of ``dtype`` (a torch dtype or its name)."""
    name = str(dtype).replace("torch.", "")
    try:
        return BYTES_PER_DTYPE[name]
    except KeyError:
        raise ValueError(f"dtype {name!r}: no byte size known; known: {', '.join(BYTES_PER_DTYPE)}") from None


@dataclass(frozen=True)
class MemoryNeed:
    """What one pipeline needs (bytes): weights per component, the activation estimate, and the total."""

    arch: str
    dtype: str
    resolution: int
    batch_size: int
    weights: tuple[tuple[str, int], ...]
    activations: int

    @property
    def weights_total(self) -> int:
        return sum(b for _, b in self.weights)

    @property
    def total(self) -> int:
        return self.weights_total + self.activations

    def describe(self) -> str:
        """"FLUX.1-dev needs ~47.6 GB in float32 (transformer 47.6 GB, ...) + ~1.2 GB activations at 1024 px, batch 1"."""
        label = get_arch(self.arch).label
        parts = ", ".join(f"{n} {b / GB:.1f} GB" for n, b in sorted(self.weights, key=lambda x: -x[1]))
        return (f"{label} needs ~{self.total / GB:.1f} GB in {self.dtype} (weights {self.weights_total / GB:.1f} GB: "
                f"{parts}; activations ~{self.activations / GB:.1f} GB at {self.resolution} px, batch {self.batch_size})")


def activation_bytes(arch_name: str, resolution: int, batch_size: int, nbytes: int, cfg: bool) -> int:
    """The module docstring's activation estimate, in bytes."""
    arch = get_arch(arch_name)
    rows = batch_size * (2 if cfg else 1)
    side = arch.latent_side(resolution)
    if arch.denoiser == "transformer":
        t = arch.component_config("transformer")
        width = t["num_attention_heads"] * t["attention_head_dim"]
        patch = 2 if arch.family == "flux" else int(t.get("patch_size", 2))
        ctx = (arch.max_sequence_length or 0) + (77 if arch.family == "sd3" else 0)
        tokens = (side // patch) ** 2 + ctx
        den = rows * tokens * width * TRANSFORMER_ACT_WIDTHS * nbytes
    else:
        u = arch.component_config("unet")
        den = rows * side * side * u["block_out_channels"][0] * UNET_ACT_COPIES * nbytes
    vae_ch = arch.component_config("vae")["block_out_channels"][0]
    vae = batch_size * resolution * resolution * vae_ch * VAE_ACT_COPIES * nbytes
    return int(max(den, vae))


def memory_need(arch_name: str, dtype, resolution: int, batch_size: int = 1, cfg: bool = False,
                without: tuple[str, ...] = ()) -> MemoryNeed:
    """Weights and activations of ``arch_name`` in ``dtype`` at ``resolution`` px and ``batch_size``;
    ``without``: optional text encoders left out (SD3 without T5); ``cfg``: classifier-free guidance on."""
    arch = get_arch(arch_name)
    nbytes = dtype_bytes(dtype)
    weights = tuple((c, parameter_count(arch.name, c) * nbytes) for c in arch.components if c not in without)
    return MemoryNeed(arch.name, str(dtype).replace("torch.", ""), resolution, batch_size, weights,
                      activation_bytes(arch.name, resolution, batch_size, nbytes, cfg))


def free_bytes(device: str) -> tuple[int, str]:
    """Memory free now on ``device`` and what it is called: host RAM available (psutil) for ``cpu``,
    ``torch.cuda.mem_get_info`` for a CUDA device."""
    if device.startswith("cuda"):
        import torch

        free, _total = torch.cuda.mem_get_info(device)
        return int(free), f"{torch.cuda.get_device_name(device)} has"
    import psutil

    return int(psutil.virtual_memory().available), "this host has"


def check_fits(need: MemoryNeed, free: int, where: str = "this host has") -> None:
    """DoesNotFit (one line, both figures) when ``need.total`` exceeds ``free`` bytes."""
    if need.total > free:
        # The way on (counting its FLOPs without weights) is a command: the CLI adds it.
        raise DoesNotFit(f"{need.describe()}; {where} {free / GB:.1f} GB free", need.arch)
