"""FLOPs counted from the model itself, on the ``meta`` device (no memory, no arithmetic).

What is counted is described by `ModelConfigs`: the component configs (UNet, VAE, text encoders) of
the pipeline the benchmark really loaded (`ModelConfigs.from_pipeline`), so a user's diffusers folder
or checkpoint is counted as itself, not as the architecture's shipped template. The template
(`ModelConfigs.from_template`, or an arch name) is only the fallback where no model is loaded: the
reference checks and the shipped table below, which `--scale-by-flops` reads.

``torch.utils.flop_counter.FlopCounterMode`` counts 2 FLOPs per multiply-accumulate of matmuls,
convolutions and attention. Elementwise work (norms, activations, softmax) is not counted: it is a
few percent of the total and not what the device's matmul limit bounds.

The denoiser is a UNet (SD1.5, SDXL) or a transformer (FLUX.1, SD3.5): `FlopBreakdown.unet_per_row` holds
whichever it is (the field keeps its name so older records and the shipped table still read). A
transformer's work depends on its text context, so `ModelConfigs.text_lengths` carries each text encoder's
sequence length (CLIP 77, T5 the pipeline's ``max_sequence_length``) and the counts use the lengths the
pipeline really runs with.

Counts are per batch row for one call of each component, at a given latent size; the runner
multiplies by the rows each component really processed (hooks count them), so CFG doubling and
scheduler quirks (PNDM makes ``steps + 1`` UNet calls) are accounted exactly.

Run ``python -m artcost.bench.flops`` to print the reference checks and rewrite the shipped table
``configs/flops_table.json`` that lets the cost model scale figures by FLOPs without torch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache

from artcost.bench.archs import get_arch

# Independent reference counts (batch 1) the issue asks us to agree with within 2%.
REFERENCES = {
    ("sd15", "unet", 64): 803e9,
    ("sd15", "unet", 32): 180e9,
    ("sd15", "vae_decode", 512): 2.51e12,
    ("sd15", "vae_decode", 256): 0.62e12,
}


TEMPLATE_SOURCE = "counted from the shipped {arch} template configs (meta device)"
LOADED_SOURCE = "counted from the loaded model's configs (meta device)"


@dataclass(frozen=True)
class ModelConfigs:
    """The component configs FLOPs are counted from, hashable (so counts are cached per model).

    Attributes:
        arch: the architecture name (``sd15``, ``sdxl``, ``tiny``): which pipeline runs it and whether
            the negative prompt is encoded (`FlopBreakdown.nominal_per_image`).
        text_encoders: text-encoder component names, in pipeline order.
        components: ``(name, module class name, config as sorted JSON)`` for ``unet``, ``vae`` and each
            text encoder.
        source: where the configs came from, as the record states it (``flops_source``).
    """

    arch: str
    text_encoders: tuple[str, ...]
    components: tuple[tuple[str, str, str], ...]
    source: str
    denoiser: str = "unet"
    text_lengths: tuple[tuple[str, int], ...] = ()

    def text_length(self, component: str) -> int:
        """Tokens one row of ``component`` encodes: its entry in ``text_lengths``, else CLIP's
        ``max_position_embeddings`` (77)."""
        return dict(self.text_lengths).get(component) or self.config(component).get("max_position_embeddings", 77)

    def class_name(self, component: str) -> str:
        return next(c for n, c, _ in self.components if n == component)

    def config(self, component: str) -> dict:
        return json.loads(next(j for n, _, j in self.components if n == component))

    @property
    def vae_scale(self) -> int:
        """Pixels per latent cell of *this* VAE: ``2 ** (len(block_out_channels) - 1)``, as diffusers'
        ``pipe.vae_scale_factor``."""
        return 2 ** (len(self.config("vae")["block_out_channels"]) - 1)

    def latent_side(self, resolution_px: int) -> int:
        return resolution_px // self.vae_scale

    @classmethod
    def from_template(cls, arch_name: str, without: tuple[str, ...] = ()) -> "ModelConfigs":
        """The architecture's shipped configs (``bench/configs/<folder>``): for paths with no model loaded.
        ``without``: optional text encoders left out (SD3 without T5)."""
        arch = get_arch(arch_name)
        index = json.loads((arch.config_dir() / "model_index.json").read_text())
        names = tuple(n for n in arch.components if n not in without)
        comps = tuple((name, index[name][1], _dump(arch.component_config(name))) for name in names)
        tes = tuple(n for n in arch.text_encoders if n not in without)
        return cls(arch.name, tes, comps, TEMPLATE_SOURCE.format(arch=arch.name), arch.denoiser,
                   _text_lengths(arch, comps))

    @classmethod
    def from_pipeline(cls, pipe, arch_name: str) -> "ModelConfigs":
        """The configs of the modules a loaded diffusers pipeline really holds (a ``torch.compile``'d
        module is read through its ``_orig_mod``)."""
        arch = get_arch(arch_name)
        names = (arch.denoiser, "vae", *(n for n in arch.text_encoders if getattr(pipe, n, None) is not None))
        comps = []
        for name in names:
            module = getattr(pipe, name)
            module = getattr(module, "_orig_mod", module)
            config = module.config
            cfg = dict(config) if isinstance(config, dict) else config.to_dict()  # diffusers | transformers
            comps.append((name, type(module).__name__, _dump(cfg)))
        return cls(arch.name, tuple(n for n in names if n.startswith("text_encoder")), tuple(comps), LOADED_SOURCE,
                   arch.denoiser, _text_lengths(arch, tuple(comps)))


def _text_lengths(arch, comps) -> tuple[tuple[str, int], ...]:
    """T5 encoders encode the arch's ``max_sequence_length`` tokens (what the pipeline pads to); CLIP its own
    77 (left to `ModelConfigs.text_length`)."""
    out = []
    for name, _cls, cfg in comps:
        if name.startswith("text_encoder") and json.loads(cfg).get("model_type") == "t5":
            out.append((name, int(arch.max_sequence_length or 512)))
    return tuple(out)


def _dump(cfg: dict) -> str:
    # The module's dtype does not change its FLOPs; leaving it out keeps meta modules float32.
    return json.dumps({k: v for k, v in cfg.items() if k not in ("torch_dtype", "dtype")}, sort_keys=True, default=str)


@dataclass(frozen=True)
class FlopBreakdown:
    """FLOPs per batch row of one call: text encoders (by component name), denoiser (UNet or transformer,
    in ``unet_per_row``), VAE decode.

    ``source`` says which configs were counted (`ModelConfigs.source`); ``latent_side`` is the latent
    grid's side at ``resolution`` for the counted VAE (None in the shipped table's older entries)."""

    arch: str
    resolution: int
    text_per_row: dict
    unet_per_row: float
    vae_decode_per_row: float
    source: str = ""
    latent_side: int | None = None

    def per_image(self, text_rows: dict, unet_rows: int, vae_rows: int, images: int) -> float:
        """FLOPs per image for one run that processed these rows and produced ``images`` images."""
        text = sum(self.text_per_row.get(k, 0.0) * n for k, n in text_rows.items())
        return (text + self.unet_per_row * unet_rows + self.vae_decode_per_row * vae_rows) / images

    def nominal_per_image(self, steps: int, cfg: bool, extra_unet_calls: int = 0) -> float:
        """The issue's formula: text + UNet calls x UNet (x2 with CFG) + VAE decode (SD1.5 and SD3 encode
        the negative prompt too under CFG; SDXL uses zeros for an empty negative prompt; FLUX has no CFG pass,
        so callers give ``cfg=False`` for it: `archs.ArchSpec.cfg_on`).

        UNet calls = ``steps + extra_unet_calls``: a scheduler's extra calls do not grow with the step
        count (PNDM's PLMS warm-up makes exactly one more call than steps, at any step count).
        Pure arithmetic: no torch, so the cost model uses it through `apply` without the extra.
        """
        mult = 2 if cfg else 1
        text_passes = mult if _negative_prompt_encoded(self.arch) else 1
        text = sum(self.text_per_row.values()) * text_passes
        return text + (steps + extra_unet_calls) * mult * self.unet_per_row + self.vae_decode_per_row

    @classmethod
    def from_dict(cls, d: dict) -> "FlopBreakdown":
        return cls(d["arch"], int(d["resolution"]), dict(d["text_per_row"]), float(d["unet_per_row"]),
                   float(d["vae_decode_per_row"]), d.get("source", ""), d.get("latent_side"))

    def as_dict(self) -> dict:
        return asdict(self)


def _negative_prompt_encoded(arch_name: str) -> bool:
    try:
        return get_arch(arch_name).negative_prompt_encoded
    except KeyError:  # a record's arch this version does not know: SD1.5's behaviour, as before
        return arch_name != "sdxl"


def _count(fn) -> float:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return float(counter.get_total_flops())


def count_flops(model: "ModelConfigs | str", resolution: int) -> FlopBreakdown:
    """Count every component of ``model`` at ``resolution`` pixels (batch 1), on meta.

    ``model`` is the loaded pipeline's `ModelConfigs` (what the benchmark uses); an arch name means its
    shipped template (`ModelConfigs.from_template`), for paths where no model is loaded.
    """
    from artcost.bench.errors import import_torch

    import_torch("counting FLOPs (artcost bench flops)")  # the modules are built on meta with torch and diffusers
    if isinstance(model, str):
        model = ModelConfigs.from_template(model)
    return _count_model(model, int(resolution))


@lru_cache(maxsize=64)
def _count_model(model: ModelConfigs, resolution: int) -> FlopBreakdown:
    import torch

    side = model.latent_side(resolution)
    text: dict[str, float] = {}
    hidden = []
    with torch.inference_mode():
        for name in model.text_encoders:
            te = _build_meta(model, name)
            cfg = model.config(name)
            ids = torch.zeros(1, model.text_length(name), dtype=torch.long, device="meta")
            text[name] = _count(lambda te=te, ids=ids: te(ids))
            hidden.append((cfg.get("projection_dim") if name == "text_encoder_2" else None) or cfg.get("hidden_size"))
        if model.denoiser == "transformer":
            den_f = _count_transformer(model, side)
        else:
            den_f = _count_unet(model, side, hidden)
        vae = _build_meta(model, "vae")
        with torch.device("meta"):
            z = torch.empty(1, model.config("vae").get("latent_channels", 4), side, side)
        vae_f = _count(lambda: vae.decode(z))
    return FlopBreakdown(model.arch, resolution, text, den_f, vae_f, model.source, side)


def _count_unet(model: ModelConfigs, side: int, hidden: list) -> float:
    """One row through the UNet on meta: latent, 77-token context, SDXL's pooled embedding and time ids."""
    import torch

    unet = _build_meta(model, "unet")
    ucfg = model.config("unet")
    with torch.device("meta"):
        sample = torch.empty(1, ucfg.get("in_channels", 4), side, side)
        t = torch.tensor([500])
        ctx = torch.empty(1, 77, ucfg["cross_attention_dim"])
        added = None
        if ucfg.get("addition_embed_type") == "text_time":
            # pooled text embedding width: what the UNet's add-embedding expects beside 6 time ids
            width = ucfg.get("projection_class_embeddings_input_dim")
            step = ucfg.get("addition_time_embed_dim")
            pooled = width - 6 * step if width and step else hidden[-1]
            added = {"text_embeds": torch.empty(1, pooled), "time_ids": torch.empty(1, 6)}
    return _count(lambda: unet(sample, t, encoder_hidden_states=ctx, added_cond_kwargs=added))


def transformer_context_tokens(arch_name: str, t5_tokens: int) -> int:
    """Text tokens the transformer attends to per row: FLUX the T5 sequence; SD3 CLIP's 77 followed by the
    T5 sequence (zeros when T5 is left out: same length)."""
    return t5_tokens + (77 if get_arch(arch_name).family == "sd3" else 0)


def _count_transformer(model: ModelConfigs, side: int) -> float:
    """One row through the FLUX or SD3 transformer on meta, with the inputs the pipeline builds: FLUX packs
    the latent into 2x2 patches ((side/2)^2 tokens of 4x the channels) beside the T5 sequence; SD3 takes
    the latent as an image and patchifies it itself, beside CLIP (77) + T5 tokens."""
    import torch

    arch = get_arch(model.arch)
    tr = _build_meta(model, "transformer")
    cfg = model.config("transformer")
    t5 = int(arch.max_sequence_length or 256)
    ctx_len = transformer_context_tokens(model.arch, t5)
    with torch.device("meta"):
        ctx = torch.empty(1, ctx_len, cfg["joint_attention_dim"])
        pooled = torch.empty(1, cfg["pooled_projection_dim"])
        t = torch.tensor([0.5])
        if arch.family == "flux":
            tokens = (side // 2) ** 2
            x = torch.empty(1, tokens, cfg["in_channels"])
            img_ids, txt_ids = torch.zeros(tokens, 3), torch.zeros(ctx_len, 3)
            guidance = torch.tensor([3.5]) if cfg.get("guidance_embeds") else None
            return _count(lambda: tr(hidden_states=x, encoder_hidden_states=ctx, pooled_projections=pooled,
                                     timestep=t, img_ids=img_ids, txt_ids=txt_ids, guidance=guidance,
                                     return_dict=False))
        x = torch.empty(1, cfg["in_channels"], side, side)
        return _count(lambda: tr(hidden_states=x, encoder_hidden_states=ctx, pooled_projections=pooled,
                                 timestep=t, return_dict=False))


def _build_meta(model: ModelConfigs, component: str):
    """One component of ``model`` built from its config entirely on the meta device."""
    import diffusers
    import torch
    import transformers

    cls_name, cfg = model.class_name(component), model.config(component)
    with torch.device("meta"):
        if component.startswith("text_encoder"):
            cls = getattr(transformers, cls_name)
            return cls(cls.config_class.from_dict({k: v for k, v in cfg.items() if not k.startswith("_")}))
        return getattr(diffusers, cls_name).from_config(cfg)


def reference_check() -> list[dict]:
    """Our counts against the reference numbers, with the relative difference."""
    rows = []
    for (arch, comp, size), ref in REFERENCES.items():
        res = size * 8 if comp == "unet" else size
        b = count_flops(arch, res)
        ours = b.unet_per_row if comp == "unet" else b.vae_decode_per_row
        rows.append({"arch": arch, "component": comp, "size": size, "ours": ours, "reference": ref,
                     "rel_diff": ours / ref - 1})
    return rows


TABLE_RESOLUTIONS = {"sd15": [256, 384, 512, 640, 768, 1024], "sdxl": [512, 768, 1024, 1280]}


def write_table(path) -> dict:
    table = {arch: {str(r): count_flops(arch, r).as_dict() for r in res} for arch, res in TABLE_RESOLUTIONS.items()}
    with open(path, "w") as f:
        json.dump(table, f, indent=1)
        f.write("\n")
    return table


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    from importlib import resources

    for row in reference_check():
        print(f"{row['arch']} {row['component']} @{row['size']}: ours {row['ours']/1e9:.1f} GFLOP, "
              f"reference {row['reference']/1e9:.1f} GFLOP, diff {row['rel_diff']*100:+.2f}%")
    out = resources.files("artcost.bench.configs") / "flops_table.json"
    write_table(str(out))
    print("wrote", out)
