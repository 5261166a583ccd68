"""Architectures the benchmark knows: where their shipped diffusers configs live and what they need.

The configs under ``bench/configs/<folder>/`` use the diffusers folder layout (``model_index.json`` plus
one sub-folder per component), so the same folder serves three purposes: building synthetic-weight
models, counting FLOPs on the ``meta`` device, and ``from_single_file(..., config=<folder>)``.
Where every value of the shipped configs comes from: ``bench/configs/SOURCES.md``.

This module is the one registry of architecture choices: the CLI, the cluster run and the dashboard's
Benchmark page all list `arch_choices()`. Few-step SDXL models (SDXL-Turbo, SDXL-Lightning, LCM) are
not architectures but `Variant`s of SDXL: the same UNet with another scheduler, step count and guidance.
No torch import here: the cost model reads `ArchSpec` without the ``[bench]`` extra.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class ArchSpec:
    """One architecture.

    Attributes:
        name: what ``--arch`` takes (``sd15``, ``flux-dev``, ...).
        pipeline_class: the diffusers pipeline class name.
        default_resolution: image side in pixels a first-time user gets.
        text_encoders: component names of the text encoders, in pipeline order.
        description: one line for `artcost bench --help` and records.
        folder: the config folder under ``bench/configs`` (a Python package name: no hyphen).
        denoiser: the component called once per step (``unet`` or ``transformer``).
        default_steps / default_guidance: what the model's card uses (SD1.5/SDXL: this tool's long-standing
            20 steps at 7.5, kept so older records compare).
        cfg_doubles: a guidance scale above 1 runs classifier-free guidance, i.e. the denoiser on twice the
            rows. False for FLUX: dev's guidance is an *input* of one pass (guidance-distilled), schnell has
            none (FluxPipeline only doubles with ``true_cfg_scale`` and a negative prompt, which we never pass).
        negative_prompt_encoded: under CFG the empty negative prompt goes through the text encoders (SD1.5,
            SD3); SDXL uses zeros for it (``force_zeros_for_empty_prompt``).
        max_sequence_length: T5 tokens the pipeline pads to (FLUX-schnell 256, FLUX-dev 512, SD3 256); None
            without a T5 encoder. The denoiser's text context is built from it, so it changes its FLOPs.
        optional_text_encoders: encoders the pipeline can run without (SD3's T5: ``--no-t5``; diffusers then
            feeds zeros of the same shape, so the transformer's work is unchanged).
        family: ``sd`` | ``sdxl`` | ``flux`` | ``sd3``: which builder and hooks apply.
        for_tests: small configs with the real classes, for tests (not offered on the dashboard).
        display: the model's own name, for messages ("FLUX.1-dev").
    """

    name: str
    pipeline_class: str
    default_resolution: int
    text_encoders: tuple[str, ...]
    description: str
    folder: str = ""
    denoiser: str = "unet"
    default_steps: int = 20
    default_guidance: float = 7.5
    cfg_doubles: bool = True
    negative_prompt_encoded: bool = True
    max_sequence_length: int | None = None
    optional_text_encoders: tuple[str, ...] = ()
    family: str = "sd"
    for_tests: bool = False
    display: str = ""

    @property
    def vae_scale(self) -> int:
        """Pixels per latent cell: the VAE halves the image side in each block but the last, so
        ``2 ** (len(block_out_channels) - 1)`` (8 for SD1.5/SDXL/FLUX/SD3's four blocks, 2 for the tiny ones)."""
        return 2 ** (len(self.component_config("vae")["block_out_channels"]) - 1)

    @property
    def pixel_multiple(self) -> int:
        """Image sides must be a multiple of this: the VAE scale times the transformer's patch (FLUX packs
        latents into 2x2 patches, SD3 patchifies by ``patch_size``); the VAE scale times 8 for a UNet
        (its three down-samplings), where other sides are padded internally rather than refused."""
        if self.family == "flux":
            return self.vae_scale * 2
        if self.family == "sd3":
            return self.vae_scale * int(self.component_config("transformer").get("patch_size", 2))
        return self.vae_scale * 8

    @property
    def components(self) -> tuple[str, ...]:
        """The modules with weights: denoiser, VAE, text encoders."""
        return (self.denoiser, "vae", *self.text_encoders)

    @property
    def label(self) -> str:
        return self.display or self.name

    def config_dir(self) -> Path:
        """Folder with ``model_index.json`` and the component configs (diffusers layout)."""
        return Path(str(resources.files("artcost.bench.configs") / (self.folder or self.name)))

    def component_config(self, component: str) -> dict:
        """The JSON config of one component (``unet``, ``transformer``, ``vae``, ``text_encoder``, ``scheduler``...)."""
        folder = self.config_dir() / component
        name = "scheduler_config.json" if component == "scheduler" else "config.json"
        return json.loads((folder / name).read_text())

    def component_class(self, component: str) -> str:
        """The class ``model_index.json`` names for ``component``."""
        index = json.loads((self.config_dir() / "model_index.json").read_text())
        return index[component][1]

    def latent_side(self, resolution_px: int) -> int:
        return resolution_px // self.vae_scale

    def cfg_on(self, guidance_scale: float) -> bool:
        """Whether this guidance scale runs the denoiser on doubled rows (classifier-free guidance)."""
        return self.cfg_doubles and guidance_scale > 1.0


@dataclass(frozen=True)
class Variant:
    """A few-step model of an existing architecture: same weights' shapes, other sampling settings.

    ``--arch sdxl-turbo`` runs the ``sdxl`` architecture with these settings (each still overridable by its
    own flag); records keep ``arch: sdxl`` and name the variant, so FLOPs and memory are SDXL's.

    Attributes:
        scheduler: a ``--scheduler`` name (`config.SCHEDULERS`).
        scheduler_overrides: config entries set on top of the model's scheduler config
            (``timestep_spacing: trailing`` for Turbo and Lightning).
        source: the model card the settings come from.
    """

    name: str
    arch: str
    steps: int
    guidance: float
    resolution: int
    scheduler: str
    description: str
    source: str
    scheduler_overrides: tuple[tuple[str, object], ...] = field(default=())


_SD3_TE = ("text_encoder", "text_encoder_2", "text_encoder_3")
_FLUX_TE = ("text_encoder", "text_encoder_2")

ARCHS: dict[str, ArchSpec] = {
    "sd15": ArchSpec(
        "sd15", "StableDiffusionPipeline", 512, ("text_encoder",),
        "Stable Diffusion 1.5 (runwayml/stable-diffusion-v1-5 configs)", display="Stable Diffusion 1.5",
    ),
    "sdxl": ArchSpec(
        "sdxl", "StableDiffusionXLPipeline", 1024, ("text_encoder", "text_encoder_2"),
        "Stable Diffusion XL base 1.0 (stabilityai/stable-diffusion-xl-base-1.0 configs)",
        negative_prompt_encoded=False, family="sdxl", display="SDXL base 1.0",
    ),
    "flux-schnell": ArchSpec(
        "flux-schnell", "FluxPipeline", 1024, _FLUX_TE,
        "FLUX.1-schnell (black-forest-labs/FLUX.1-schnell configs): 4 steps, no guidance",
        folder="flux_schnell", denoiser="transformer", default_steps=4, default_guidance=0.0, cfg_doubles=False,
        negative_prompt_encoded=False, max_sequence_length=256, family="flux", display="FLUX.1-schnell",
    ),
    "flux-dev": ArchSpec(
        "flux-dev", "FluxPipeline", 1024, _FLUX_TE,
        "FLUX.1-dev (black-forest-labs/FLUX.1-dev configs): 50 steps, embedded guidance 3.5 (one pass per step)",
        folder="flux_dev", denoiser="transformer", default_steps=50, default_guidance=3.5, cfg_doubles=False,
        negative_prompt_encoded=False, max_sequence_length=512, family="flux", display="FLUX.1-dev",
    ),
    "sd35-medium": ArchSpec(
        "sd35-medium", "StableDiffusion3Pipeline", 1024, _SD3_TE,
        "Stable Diffusion 3.5 Medium (stabilityai/stable-diffusion-3.5-medium configs): 40 steps, CFG 4.5",
        folder="sd35_medium", denoiser="transformer", default_steps=40, default_guidance=4.5,
        max_sequence_length=256, optional_text_encoders=("text_encoder_3",), family="sd3",
        display="Stable Diffusion 3.5 Medium",
    ),
    "sd35-large": ArchSpec(
        "sd35-large", "StableDiffusion3Pipeline", 1024, _SD3_TE,
        "Stable Diffusion 3.5 Large (stabilityai/stable-diffusion-3.5-large configs): 28 steps, CFG 3.5",
        folder="sd35_large", denoiser="transformer", default_steps=28, default_guidance=3.5,
        max_sequence_length=256, optional_text_encoders=("text_encoder_3",), family="sd3",
        display="Stable Diffusion 3.5 Large",
    ),
    "tiny": ArchSpec(
        "tiny", "StableDiffusionPipeline", 64, ("text_encoder",),
        "tiny SD-shaped test architecture (same classes, small config; for tests)", for_tests=True,
    ),
    "tiny-flux": ArchSpec(
        "tiny-flux", "FluxPipeline", 64, _FLUX_TE,
        "tiny FLUX-shaped test architecture (FluxPipeline classes, small config; for tests)",
        folder="tiny_flux", denoiser="transformer", default_steps=4, default_guidance=0.0, cfg_doubles=False,
        negative_prompt_encoded=False, max_sequence_length=32, family="flux", for_tests=True,
    ),
    "tiny-sd3": ArchSpec(
        "tiny-sd3", "StableDiffusion3Pipeline", 64, _SD3_TE,
        "tiny SD3-shaped test architecture (StableDiffusion3Pipeline classes, small config; for tests)",
        folder="tiny_sd3", denoiser="transformer", default_steps=4, default_guidance=4.5,
        max_sequence_length=32, optional_text_encoders=("text_encoder_3",), family="sd3", for_tests=True,
    ),
}

VARIANTS: dict[str, Variant] = {
    "sdxl-turbo": Variant(
        "sdxl-turbo", "sdxl", steps=1, guidance=0.0, resolution=512, scheduler="euler_a",
        scheduler_overrides=(("timestep_spacing", "trailing"),),
        description="SDXL-Turbo (stabilityai/sdxl-turbo): 1 step at 512 px, no guidance",
        source="huggingface.co/stabilityai/sdxl-turbo model card: guidance_scale=0.0, num_inference_steps=1, "
               "512x512; its scheduler_config: EulerAncestralDiscreteScheduler, timestep_spacing trailing",
    ),
    "sdxl-lightning": Variant(
        "sdxl-lightning", "sdxl", steps=4, guidance=0.0, resolution=1024, scheduler="euler",
        scheduler_overrides=(("timestep_spacing", "trailing"),),
        description="SDXL-Lightning 4-step UNet (ByteDance/SDXL-Lightning): 4 steps, no guidance",
        source="huggingface.co/ByteDance/SDXL-Lightning model card: EulerDiscreteScheduler with "
               "timestep_spacing='trailing', num_inference_steps=4, guidance_scale=0",
    ),
    "sdxl-lcm": Variant(
        "sdxl-lcm", "sdxl", steps=4, guidance=1.0, resolution=1024, scheduler="lcm",
        description="LCM for SDXL (latent-consistency/lcm-sdxl, lcm-lora-sdxl): LCMScheduler, 4 steps, guidance off",
        source="huggingface.co/latent-consistency/lcm-sdxl model card: LCMScheduler, 2-8 steps, 'disable "
               "guidance_scale or use values between 1.0 and 2.0'; huggingface.co/blog/lcm_lora: 4 steps, guidance_scale=1",
    ),
}


def arch_choices(*, include_tests: bool = True, include_variants: bool = True) -> list[str]:
    """Every name ``--arch`` accepts, architectures first: the one list the CLI, the cluster run and the
    dashboard offer."""
    names = [n for n, a in ARCHS.items() if include_tests or not a.for_tests]
    return names + (list(VARIANTS) if include_variants else [])


def get_arch(name: str) -> ArchSpec:
    """Look an architecture up by name (a variant's name gives its architecture); `KeyError` lists the
    known ones (callers turn it into UserError)."""
    if name in VARIANTS:
        return ARCHS[VARIANTS[name].arch]
    try:
        return ARCHS[name]
    except KeyError:
        raise KeyError(f"unknown arch {name!r}; known: {', '.join(arch_choices())}") from None


def get_variant(name: str) -> Variant | None:
    return VARIANTS.get(name)
