"""FLOPs counted from the model itself, on the ``meta`` device (no memory, no arithmetic).

``torch.utils.flop_counter.FlopCounterMode`` counts 2 FLOPs per multiply-accumulate of matmuls,
convolutions and attention. Elementwise work (norms, activations, softmax) is not counted: it is a
few percent of the total and not what the device's matmul limit bounds.

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

from artcost.bench.archs import ArchSpec, get_arch

# Independent reference counts (batch 1) the issue asks us to agree with within 2%.
REFERENCES = {
    ("sd15", "unet", 64): 803e9,
    ("sd15", "unet", 32): 180e9,
    ("sd15", "vae_decode", 512): 2.51e12,
    ("sd15", "vae_decode", 256): 0.62e12,
}


@dataclass(frozen=True)
class FlopBreakdown:
    """FLOPs per batch row of one call: text encoders (by component name), UNet, VAE decode."""

    arch: str
    resolution: int
    text_per_row: dict
    unet_per_row: float
    vae_decode_per_row: float

    def per_image(self, text_rows: dict, unet_rows: int, vae_rows: int, images: int) -> float:
        """FLOPs per image for one run that processed these rows and produced ``images`` images."""
        text = sum(self.text_per_row.get(k, 0.0) * n for k, n in text_rows.items())
        return (text + self.unet_per_row * unet_rows + self.vae_decode_per_row * vae_rows) / images

    def nominal_per_image(self, steps: int, cfg: bool, extra_unet_calls: int = 0) -> float:
        """The issue's formula: text + UNet calls x UNet (x2 with CFG) + VAE decode (SD1.5 encodes the
        negative prompt too under CFG; SDXL uses zeros for an empty negative prompt).

        UNet calls = ``steps + extra_unet_calls``: a scheduler's extra calls do not grow with the step
        count (PNDM's PLMS warm-up makes exactly one more call than steps, at any step count).
        Pure arithmetic: no torch, so the cost model uses it through `apply` without the extra.
        """
        mult = 2 if cfg else 1
        text_passes = mult if self.arch != "sdxl" else 1
        text = sum(self.text_per_row.values()) * text_passes
        return text + (steps + extra_unet_calls) * mult * self.unet_per_row + self.vae_decode_per_row

    @classmethod
    def from_dict(cls, d: dict) -> "FlopBreakdown":
        return cls(d["arch"], int(d["resolution"]), dict(d["text_per_row"]), float(d["unet_per_row"]),
                   float(d["vae_decode_per_row"]))

    def as_dict(self) -> dict:
        return asdict(self)


def _count(fn) -> float:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return float(counter.get_total_flops())


@lru_cache(maxsize=64)
def count_flops(arch_name: str, resolution: int) -> FlopBreakdown:
    """Count every component of ``arch_name`` at ``resolution`` pixels (batch 1), on meta."""
    import torch

    from artcost.bench.synthetic import build_component

    arch: ArchSpec = get_arch(arch_name)
    side = arch.latent_side(resolution)
    text: dict[str, float] = {}
    hidden = []
    with torch.inference_mode():
        for name in arch.text_encoders:
            te = build_component(arch, name, torch.float32, meta_only=True)
            cfg = arch.component_config(name)
            ids = torch.zeros(1, cfg.get("max_position_embeddings", 77), dtype=torch.long, device="meta")
            text[name] = _count(lambda te=te, ids=ids: te(ids))
            hidden.append(cfg["hidden_size"])
        unet = build_component(arch, "unet", torch.float32, meta_only=True)
        ucfg = arch.component_config("unet")
        with torch.device("meta"):
            sample = torch.empty(1, ucfg.get("in_channels", 4), side, side)
            t = torch.tensor([500])
            ctx = torch.empty(1, 77, ucfg["cross_attention_dim"])
            added = None
            if ucfg.get("addition_embed_type") == "text_time":
                added = {"text_embeds": torch.empty(1, hidden[-1]), "time_ids": torch.empty(1, 6)}
        unet_f = _count(lambda: unet(sample, t, encoder_hidden_states=ctx, added_cond_kwargs=added))
        vae = build_component(arch, "vae", torch.float32, meta_only=True)
        with torch.device("meta"):
            z = torch.empty(1, arch.component_config("vae").get("latent_channels", 4), side, side)
        vae_f = _count(lambda: vae.decode(z))
    return FlopBreakdown(arch_name, resolution, text, unet_f, vae_f)


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
