"""Which weights a benchmark runs, checked before anything is built: the architecture a single-file
checkpoint holds (from its tensor names, header only), whether a diffusers folder is the pipeline class
the architecture runs, and the label a record carries (``sha256:<hex>`` of a file).

Nothing here builds a model; torch is only imported to read the keys of a ``.ckpt`` file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from artcost.bench.archs import get_arch
from artcost.bench.errors import import_torch

from artcost.errors import ArgumentError


def detect_checkpoint_arch(path: Path) -> str | None:
    """Which architecture a single-file checkpoint holds, from its tensor names (header only).

    SDXL checkpoints carry the second text encoder under ``conditioner.embedders.1``; SD2.x carry an
    OpenCLIP one under ``cond_stage_model.model.`` (returned as ``sd2``, which is not supported); SD1.x
    carry ``cond_stage_model.transformer``. Returns None when no marker is present.
    """
    keys = _checkpoint_keys(path)
    dit = _dit_arch(keys)
    if dit is not None:
        return dit
    if any(k.startswith("conditioner.embedders.1") for k in keys):
        return "sdxl"
    if any(k.startswith("cond_stage_model.model.") for k in keys):
        # SD 2.x: OpenCLIP ViT-H text encoder (``FrozenOpenCLIPEmbedder``), 1024-wide cross-attention.
        return "sd2"
    if any(k.startswith("cond_stage_model.transformer") for k in keys) or any(
        k.startswith("model.diffusion_model.") for k in keys
    ):
        return "sd15"
    return None


def _dit_arch(keys: list[str]) -> str | None:
    """FLUX.1 / SD3.5 transformer files, in their publishers' layout or diffusers': FLUX has double- and
    single-stream blocks (``double_blocks.`` / ``single_transformer_blocks.``), dev a guidance embedder
    (``guidance_in.`` / ``guidance_embedder``); SD3 has ``joint_blocks.`` (diffusers: ``transformer_blocks``
    beside ``context_embedder``), Medium's MMDiT-X blocks a second attention (``attn2``), and Large 38
    blocks where Medium has 24."""
    if any("double_blocks." in k or k.startswith("single_transformer_blocks.") for k in keys):
        return "flux-dev" if any("guidance_in." in k or "guidance_embedder" in k for k in keys) else "flux-schnell"
    joint = [k for k in keys if "joint_blocks." in k]
    if not joint and any(k.startswith("context_embedder.") for k in keys):
        joint = [k for k in keys if k.startswith("transformer_blocks.")]
    if not joint:
        return None
    if any("attn2" in k for k in joint):
        return "sd35-medium"
    blocks = {int(k.split("blocks.", 1)[1].split(".", 1)[0]) for k in joint}
    return "sd35-large" if len(blocks) >= 38 else "sd35-medium"


def _checkpoint_keys(path: Path) -> list[str]:
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        try:
            with safe_open(str(path), framework="pt") as f:
                return list(f.keys())
        except Exception as exc:
            raise ArgumentError("model", f"not a readable .safetensors file ({exc})", path) from exc
    torch = import_torch()
    try:
        sd = torch.load(str(path), map_location="meta", weights_only=True)
    except Exception as exc:
        # torch's own text runs to many lines and advises loading with weights_only=False (running the
        # file's code): say what failed, never that
        raise ArgumentError("model", f"not a readable .ckpt file (torch could not read it as plain weights: "
                            f"{type(exc).__name__})", path) from None
    if not isinstance(sd, dict):
        raise ArgumentError("model", "not a checkpoint of weights (the .ckpt holds no table of tensors)", path)
    sd = sd.get("state_dict", sd)
    return list(sd.keys())


def file_sha256(path: Path, chunk: int = 1 << 24) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def check_model_path(model: Path, arch: str) -> str:
    """Validate ``model`` against ``arch``; returns the arch to use. Raises ArgumentError("model", ...)."""
    if not model.exists():
        raise ArgumentError("model", "no such file or folder", model)
    if model.is_dir():
        return _check_folder(model, arch)
    if model.suffix not in (".safetensors", ".ckpt"):
        raise ArgumentError("model", "expected a diffusers folder, .safetensors or .ckpt file", model)
    if arch not in _SINGLE_FILE_ARCHS:
        raise ArgumentError("model", f"a single-file checkpoint needs `arch` {' | '.join(_SINGLE_FILE_ARCHS)} "
                            f"(got {arch})", model)
    found = detect_checkpoint_arch(model)
    if found is None:
        raise ArgumentError("model", "no tensors of a supported model found (SD1.x, SDXL, FLUX.1, SD 3.5): is it a "
                            "diffusion checkpoint?", model)
    if found == "sd2":
        raise ArgumentError("model", "this is a Stable Diffusion 2.x checkpoint (OpenCLIP text encoder), "
                            "not supported; supported: SD1.x (`arch` sd15) and SDXL (`arch` sdxl)", model)
    if found != arch:
        # `arch` may be the default nobody typed: say what it is, not that it "was given"
        raise ArgumentError("model", f"this checkpoint is {found}, but `arch` is {arch}; use `arch` {found}", model)
    return arch


_SINGLE_FILE_ARCHS = ("sd15", "sdxl", "flux-schnell", "flux-dev", "sd35-medium", "sd35-large")
_FOLDER_ARCH = {"StableDiffusionPipeline": "sd15", "StableDiffusionXLPipeline": "sdxl",
                "FluxPipeline": "flux-schnell", "StableDiffusion3Pipeline": "sd35-medium"}


def _check_folder(model: Path, arch: str) -> str:
    """A diffusers folder: model_index.json readable and naming the pipeline class ``arch`` runs."""
    index = model / "model_index.json"
    if not index.exists():
        raise ArgumentError("model", "a diffusers folder needs model_index.json (not found)", model)
    try:
        data = json.loads(index.read_text())
    except (OSError, ValueError) as exc:
        raise ArgumentError("model", f"model_index.json is not readable JSON ({exc})", model) from None
    if not isinstance(data, dict) or not data.get("_class_name"):
        raise ArgumentError("model", "model_index.json names no pipeline class (no \"_class_name\" in a JSON object)",
                            model)
    cls = data["_class_name"]
    want = get_arch(arch).pipeline_class
    if cls not in _FOLDER_ARCH:
        raise ArgumentError("model", f"model_index.json names {cls!r}, not supported; supported: "
                            "StableDiffusionPipeline (`arch` sd15), StableDiffusionXLPipeline (`arch` sdxl), "
                            "FluxPipeline (`arch` flux-schnell | flux-dev), StableDiffusion3Pipeline "
                            "(`arch` sd35-medium | sd35-large)", model)
    if cls != want:
        raise ArgumentError("model", f"this is a {cls} folder ({_FOLDER_ARCH[cls]}) but `arch` {arch} "
                            f"runs {want}; use `arch` {_FOLDER_ARCH[cls]}", model)
    if cls == "StableDiffusionPipeline":
        try:
            xattn = json.loads((model / "unet" / "config.json").read_text()).get("cross_attention_dim")
        except (OSError, ValueError, AttributeError):
            xattn = None
        if xattn == 1024:
            raise ArgumentError("model", "this is a Stable Diffusion 2.x folder (UNet cross_attention_dim "
                                "1024), not supported; supported: SD1.x (`arch` sd15) and SDXL (`arch` sdxl)", model)
    spec = get_arch(arch)
    needed = [c for c in spec.components if c not in spec.optional_text_encoders]
    missing = [c for c in needed if not (model / c).is_dir()]
    if missing:
        # before building anything: diffusers found out after seconds, in a message cut at 300 characters
        raise ArgumentError("model", f"the folder has no {', '.join(missing)} folder{'s' if len(missing) > 1 else ''} "
                            f"({cls} needs {', '.join(needed)}): a download not finished?", model)
    return arch
