"""Architectures the benchmark knows: where their shipped diffusers configs live and what they need.

The configs under ``bench/configs/<arch>/`` use the diffusers folder layout (``model_index.json`` plus
one sub-folder per component), so the same folder serves three purposes: building synthetic-weight
models, counting FLOPs on the ``meta`` device, and ``from_single_file(..., config=<folder>)``.
No torch import here: the cost model reads `ArchSpec` without the ``[bench]`` extra.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class ArchSpec:
    """One architecture.

    Attributes:
        name: ``sd15``, ``sdxl`` or ``tiny``.
        pipeline_class: the diffusers pipeline class name.
        default_resolution: image side in pixels a first-time user gets.
        text_encoders: component names of the text encoders, in pipeline order.
        description: one line for `artcost bench --help` and records.
    """

    name: str
    pipeline_class: str
    default_resolution: int
    text_encoders: tuple[str, ...]
    description: str

    @property
    def vae_scale(self) -> int:
        """Pixels per latent cell: the VAE halves the image side in each block but the last, so
        ``2 ** (len(block_out_channels) - 1)`` (8 for SD1.5/SDXL's four blocks, 2 for tiny's two)."""
        return 2 ** (len(self.component_config("vae")["block_out_channels"]) - 1)

    def config_dir(self) -> Path:
        """Folder with ``model_index.json`` and the component configs (diffusers layout)."""
        return Path(str(resources.files("artcost.bench.configs") / self.name))

    def component_config(self, component: str) -> dict:
        """The JSON config of one component (``unet``, ``vae``, ``text_encoder``, ``scheduler``...)."""
        folder = self.config_dir() / component
        name = "scheduler_config.json" if component == "scheduler" else "config.json"
        return json.loads((folder / name).read_text())

    def latent_side(self, resolution_px: int) -> int:
        return resolution_px // self.vae_scale


ARCHS: dict[str, ArchSpec] = {
    "sd15": ArchSpec(
        "sd15", "StableDiffusionPipeline", 512, ("text_encoder",),
        "Stable Diffusion 1.5 (runwayml/stable-diffusion-v1-5 configs)",
    ),
    "sdxl": ArchSpec(
        "sdxl", "StableDiffusionXLPipeline", 1024, ("text_encoder", "text_encoder_2"),
        "Stable Diffusion XL base 1.0 (stabilityai/stable-diffusion-xl-base-1.0 configs)",
    ),
    "tiny": ArchSpec(
        "tiny", "StableDiffusionPipeline", 64, ("text_encoder",),
        "tiny SD-shaped test architecture (same classes, small config; for tests)",
    ),
}


def get_arch(name: str) -> ArchSpec:
    """Look an architecture up by name; `KeyError` lists the known ones (callers turn it into UserError)."""
    try:
        return ARCHS[name]
    except KeyError:
        raise KeyError(f"unknown arch {name!r}; known: {', '.join(ARCHS)}") from None
