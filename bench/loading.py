"""Build or load the real diffusers pipeline for one preset and put it on the device; free it again.

Weights come from (a) a local diffusers folder, (b) a single ``.safetensors``/``.ckpt`` loaded with
``from_single_file(..., config=<shipped folder>, local_files_only=True)``, or (c) synthetic weights on
the real architecture (`synthetic.py`). Nothing is fetched from a hub. `weights.check_model_path` has
checked (a) and (b) before this module is reached.

The tokenizer vocabulary is not shipped (and cannot be fetched), so where a model folder lacks one
the pipeline gets `FixedTokenIds`: it returns fixed, valid token ids of the usual 77-token shape,
which then go through the real text encoder(s) inside the pipeline's own ``encode_prompt``. The text
encoders' cost therefore counts; only string-to-id lookup (microseconds) is skipped.
"""

from __future__ import annotations

import contextlib
import gc
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artcost.bench.archs import ArchSpec, get_arch
from artcost.bench.errors import import_torch, is_oom
from artcost.bench.presets import apply_preset, preset_dtype
from artcost.bench.synthetic import WEIGHTS_LABEL, build_component
from artcost.bench.synthetic_dit import build_dit_pipeline, pipeline_call_kwargs, tokenizer_for
from artcost.bench.thirdparty import dtype_kwargs
from artcost.bench.weights import file_sha256
from artcost.errors import ArgumentError, UserError


class FixedTokenIds:
    """Stand-in for ``CLIPTokenizer`` when no vocabulary is available offline.

    Each prompt maps to ``[bos, ids..., eos, eos...]`` of length ``model_max_length`` with ids derived
    from a CRC of each word, inside the encoder's vocabulary. The shape (batch, 77) is what the real
    tokenizer produces with ``padding="max_length"``, so the text encoder does identical work.
    """

    def __init__(self, vocab_size: int, model_max_length: int = 77):
        self.vocab_size = vocab_size
        self.model_max_length = model_max_length
        self.bos_token_id = vocab_size - 2
        self.eos_token_id = vocab_size - 1
        self.pad_token_id = self.eos_token_id
        self.added_tokens_encoder: dict[str, int] = {}

    def tokenize(self, text: str) -> list[str]:
        return text.lower().split()

    def _ids(self, text: str) -> list[int]:
        words = [zlib.crc32(w.encode()) % (self.vocab_size - 2) for w in self.tokenize(text)]
        ids = [self.bos_token_id] + words[: self.model_max_length - 2] + [self.eos_token_id]
        return ids + [self.pad_token_id] * (self.model_max_length - len(ids))

    def __call__(self, text, padding=None, max_length=None, truncation=None, return_tensors=None, **_):
        import torch

        texts = [text] if isinstance(text, str) else list(text)
        ids = torch.tensor([self._ids(t) for t in texts], dtype=torch.long)
        return _Encoding(ids)

    def batch_decode(self, ids, **_):
        return ["" for _ in ids]


@dataclass
class _Encoding:
    input_ids: Any

    @property
    def attention_mask(self):
        return self.input_ids.new_ones(self.input_ids.shape)


@dataclass
class LoadedPipeline:
    """A ready pipeline and how it came to be.

    Attributes:
        pipe: the diffusers pipeline (StableDiffusion[XL|3]Pipeline or FluxPipeline).
        arch: the architecture spec.
        weights_label: ``synthetic-weights`` or ``sha256:<hex>`` of the checkpoint / folder name.
        tokenizer_label: ``real`` or ``fixed-token-ids``.
        dtype: torch dtype the preset runs in.
        load_s: seconds to build or load and move to the device.
        notes: preset notes (e.g. what ``channels_last`` changed).
    """

    pipe: Any
    arch: ArchSpec
    weights_label: str
    tokenizer_label: str
    dtype: Any
    device: str
    load_s: float = 0.0
    compiled: bool = False
    notes: list[str] = field(default_factory=list)
    call_kwargs: dict = field(default_factory=dict)  # what else each pipeline call takes (T5's max_sequence_length)


def build_synthetic_pipeline(arch: ArchSpec, dtype, device: str, without: tuple[str, ...] = ()):
    """The real pipeline class with synthetic weights on every module (FLUX.1 and SD3.5:
    `synthetic_dit.build_dit_pipeline`; ``without`` leaves SD3's optional T5 encoder out)."""
    import diffusers

    if arch.denoiser == "transformer":
        return build_dit_pipeline(arch, dtype, device, without)

    comps = {name: build_component(arch, name, dtype, device) for name in ("unet", "vae", *arch.text_encoders)}
    comps["scheduler"] = build_component(arch, "scheduler", dtype)
    te = comps["text_encoder"]
    comps["tokenizer"] = FixedTokenIds(te.config.vocab_size, te.config.max_position_embeddings)
    if "text_encoder_2" in comps:
        te2 = comps["text_encoder_2"]
        comps["tokenizer_2"] = FixedTokenIds(te2.config.vocab_size, te2.config.max_position_embeddings)
    cls = getattr(diffusers, arch.pipeline_class)
    if arch.pipeline_class == "StableDiffusionPipeline":
        comps.update(safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    else:
        comps["add_watermarker"] = False
    return cls(**comps)


@contextlib.contextmanager
def _loading(model: Path):
    """Turn diffusers' loading errors (missing component, shape mismatch, bad file) into one error line
    about ``model`` naming the path; out-of-memory stays DeviceOOM-recognisable."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - anything diffusers/transformers/safetensors raise
        if is_oom(exc) or isinstance(exc, UserError):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ArgumentError("model", f"{model}: diffusers could not load it ({type(exc).__name__}: {first[:300]})"
                            ) from exc


def load_pipeline_from_path(model: Path, arch: ArchSpec, dtype, without: tuple[str, ...] = ()):
    """A user's weights: diffusers folder or single file with the shipped config folder.

    Returns (pipeline, weights label, tokenizer label)."""
    import diffusers

    if arch.denoiser == "transformer":
        return _load_dit_from_path(model, arch, dtype, without)
    cls = getattr(diffusers, arch.pipeline_class)
    extra: dict[str, Any] = {}
    if arch.pipeline_class == "StableDiffusionPipeline":
        extra.update(safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    if model.is_dir():
        needs_tok = not (model / "tokenizer").is_dir()
        if needs_tok:
            extra["tokenizer"] = None
            if arch.name == "sdxl":
                extra["tokenizer_2"] = None
        with _loading(model):
            pipe = cls.from_pretrained(str(model), local_files_only=True, **dtype_kwargs(dtype), **extra)
        label = f"folder:{model.name}"
    else:
        extra["tokenizer"] = None
        if arch.name == "sdxl":
            extra["tokenizer_2"] = None
        with _loading(model):
            pipe = cls.from_single_file(
                str(model), config=str(arch.config_dir()), local_files_only=True, **dtype_kwargs(dtype), **extra
            )
        needs_tok = True
        label = f"sha256:{file_sha256(model)}"
    if needs_tok:
        te = pipe.text_encoder
        pipe.tokenizer = FixedTokenIds(te.config.vocab_size, te.config.max_position_embeddings)
        if getattr(pipe, "text_encoder_2", None) is not None:
            te2 = pipe.text_encoder_2
            pipe.tokenizer_2 = FixedTokenIds(te2.config.vocab_size, te2.config.max_position_embeddings)
    return pipe, label, ("fixed-token-ids" if needs_tok else "real")


def _load_dit_from_path(model: Path, arch: ArchSpec, dtype, without: tuple[str, ...]):
    """FLUX.1 / SD3.5 weights: a diffusers folder (every component from it; stand-in tokenizers where it has
    none), or a single file holding the transformer (as Black Forest Labs and Stability publish them), loaded
    with the shipped config; the text encoders and VAE around it are then synthetic, and the label says so."""
    import diffusers

    cls = getattr(diffusers, arch.pipeline_class)
    extra: dict[str, Any] = {name: None for name in without}
    toks = ["tokenizer" if i == 0 else f"tokenizer_{i + 1}" for i in range(len(arch.text_encoders))]
    if model.is_dir():
        missing = [t for t in toks if not (model / t).is_dir()]
        extra.update({t: None for t in missing})
        extra.update({toks[arch.text_encoders.index(w)]: None for w in without})
        with _loading(model):
            pipe = cls.from_pretrained(str(model), local_files_only=True, **dtype_kwargs(dtype), **extra)
        label = f"folder:{model.name}"
    else:
        tcls = getattr(diffusers, arch.component_class("transformer"))
        with _loading(model):
            transformer = tcls.from_single_file(str(model), config=str(arch.config_dir()), subfolder="transformer",
                                                local_files_only=True, **dtype_kwargs(dtype))
        pipe = build_dit_pipeline(arch, dtype, "cpu", without)
        pipe.transformer = transformer
        missing = list(toks)
        label = f"sha256:{file_sha256(model)} (transformer; text encoders and VAE {WEIGHTS_LABEL})"
    for te_name, tok in zip(arch.text_encoders, toks):
        encoder = getattr(pipe, te_name, None)
        if tok in missing and encoder is not None:
            setattr(pipe, tok, tokenizer_for(encoder, arch))
    return pipe, label, ("fixed-token-ids" if missing else "real")


def load(arch_name: str, model: Path | None, preset: str, device: str,
         without: tuple[str, ...] = ()) -> LoadedPipeline:
    """Build or load the pipeline for one preset, move it to ``device`` and apply the preset.

    ``without``: optional text encoders left out (SD3 without T5). Raises PresetUnsupported when this
    device cannot run ``preset``; ``load_s`` covers building or loading and the move to the device
    (seconds), not the preset's own changes."""
    torch = import_torch()
    arch = get_arch(arch_name)
    dtype = preset_dtype(preset, device)
    t0 = time.perf_counter()
    if model is None:
        # UNets are filled on the host and moved below; a transformer (FLUX: 24 GB in bf16) is filled
        # where it runs, since a host may not hold it beside the GPU's copy.
        where = device if arch.denoiser == "transformer" else "cpu"
        pipe = build_synthetic_pipeline(arch, dtype, where, without)
        label, tok = WEIGHTS_LABEL, "fixed-token-ids"
    else:
        pipe, label, tok = load_pipeline_from_path(model, arch, dtype, without)
    pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)
    loaded = LoadedPipeline(pipe, arch, label, tok, dtype, device, time.perf_counter() - t0,
                            call_kwargs=pipeline_call_kwargs(arch))
    apply_preset(loaded, preset)
    return loaded


def free(loaded: LoadedPipeline | None) -> None:
    """Drop a pipeline and give memory back (between presets and after an OOM)."""
    torch = import_torch()
    if loaded is not None:
        loaded.pipe = None
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
