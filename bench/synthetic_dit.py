"""Synthetic-weight pipelines for the transformer architectures (FLUX.1, Stable Diffusion 3.5).

Built exactly as SD1.5/SDXL are (`synthetic.py`): every module constructed from the shipped config with
its parameters on the ``meta`` device, then each parameter filled once from one shared random pool,
scaled by 1/sqrt(fan_in) (norm weights 1, biases 0), in the dtype the preset runs in, directly on the
device asked for (a GPU fills its own memory: a FLUX transformer is 24 GB in bf16, which a host may not
hold twice). Buffers stay real (rotary tables, SD3's positional embedding).

Tokenizers are not shipped and cannot be fetched: CLIP gets `FixedTokenIds`-style ids of its 77-token
shape, T5 `FixedT5TokenIds`, which pads to the ``max_length`` the pipeline asks for (FLUX-schnell 256,
FLUX-dev 512, SD3 256), so each text encoder runs on the sequence length it runs on in real use.

SD3 without T5 (``without=("text_encoder_3",)``): diffusers then feeds zeros of the same shape in its
place (``StableDiffusion3Pipeline._get_t5_prompt_embeds``), so the transformer does the same work and
only the T5 encode (and its 19 GB in fp32) is left out.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from artcost.bench.archs import ArchSpec
from artcost.bench.synthetic import materialize_

# T5's sentencepiece ids: 0 pad, 1 eos (``</s>``); word ids are drawn above them.
T5_PAD, T5_EOS = 0, 1


@dataclass
class _Ids:
    input_ids: Any

    @property
    def attention_mask(self):
        return self.input_ids.new_ones(self.input_ids.shape)


class FixedCLIPTokenIds:
    """CLIP tokenizer stand-in: ``[bos, words..., eos, pad...]`` of ``model_max_length`` (77) ids; words map
    to ids by CRC inside the vocabulary. ``padding="longest"`` (diffusers' truncation check) gives the
    unpadded ids, which are never longer than the padded ones, so nothing is reported as truncated."""

    def __init__(self, vocab_size: int, model_max_length: int = 77):
        self.vocab_size = vocab_size
        self.model_max_length = model_max_length
        self.bos_token_id = vocab_size - 2
        self.eos_token_id = vocab_size - 1
        self.pad_token_id = self.eos_token_id
        self.added_tokens_encoder: dict[str, int] = {}

    def tokenize(self, text: str) -> list[str]:
        return text.lower().split()

    def _words(self, text: str, room: int) -> list[int]:
        return [zlib.crc32(w.encode()) % (self.vocab_size - 2) for w in self.tokenize(text)][:room]

    def _row(self, text: str, length: int | None) -> list[int]:
        room = (length or self.model_max_length) - 2
        ids = [self.bos_token_id, *self._words(text, room), self.eos_token_id]
        return ids + [self.pad_token_id] * ((length or 0) - len(ids))

    def __call__(self, text, padding=None, max_length=None, truncation=None, return_tensors=None, **_):
        import torch

        texts = [text] if isinstance(text, str) else list(text)
        length = (max_length or self.model_max_length) if padding == "max_length" else None
        rows = [self._row(t, length) for t in texts]
        width = max(len(r) for r in rows)
        rows = [r + [self.pad_token_id] * (width - len(r)) for r in rows]
        return _Ids(torch.tensor(rows, dtype=torch.long))

    def batch_decode(self, ids, **_):
        return ["" for _ in ids]


class FixedT5TokenIds(FixedCLIPTokenIds):
    """T5 tokenizer stand-in: ``[words..., eos, pad...]`` padded to the ``max_length`` the pipeline passes
    (no bos in T5), ids above the two special ones."""

    def __init__(self, vocab_size: int, model_max_length: int = 512):
        super().__init__(vocab_size, model_max_length)
        self.pad_token_id, self.eos_token_id, self.bos_token_id = T5_PAD, T5_EOS, None

    def _words(self, text: str, room: int) -> list[int]:
        return [2 + zlib.crc32(w.encode()) % (self.vocab_size - 2) for w in self.tokenize(text)][:room]

    def _row(self, text: str, length: int | None) -> list[int]:
        room = (length or self.model_max_length) - 1
        ids = [*self._words(text, room), self.eos_token_id]
        return ids + [self.pad_token_id] * ((length or 0) - len(ids))


def instantiate(cls_name: str, cfg: dict, component: str):
    """A module of class ``cls_name`` (diffusers or transformers) from its config dict, no weights init
    beyond what the caller's device context gives (meta)."""
    import diffusers
    import transformers

    if component.startswith("text_encoder"):
        cls = getattr(transformers, cls_name)
        return cls(cls.config_class.from_dict({k: v for k, v in cfg.items() if not k.startswith("_")}))
    return getattr(diffusers, cls_name).from_config(cfg)


def build_module(arch: ArchSpec, component: str, dtype, device: str = "cpu", meta_only: bool = False):
    """One component of ``arch`` from its shipped config: on ``meta`` only (parameter counts, FLOPs), or
    materialised with synthetic weights in ``dtype`` on ``device``."""
    import torch

    cls_name = arch.component_class(component)
    cfg = arch.component_config(component)
    if meta_only:
        with torch.device("meta"):
            return instantiate(cls_name, cfg, component)
    from accelerate import init_empty_weights

    with init_empty_weights(include_buffers=False):
        module = instantiate(cls_name, cfg, component)
    materialize_(module, dtype, device)
    _buffers_to(module, dtype, device)
    module.eval()
    return module


def _buffers_to(module, dtype, device: str) -> None:
    """Buffers (SD3's positional embedding, CLIP's position ids) onto ``device``, floating ones in ``dtype``,
    as ``from_pretrained(torch_dtype=...)`` leaves them; done per buffer because ``ModelMixin.to(dtype)``
    warns about casting on every build."""
    for mod in module.modules():
        for name, buf in list(mod._buffers.items()):
            if buf is None:
                continue
            mod._buffers[name] = buf.to(device=device, dtype=dtype if buf.is_floating_point() else buf.dtype)


def tokenizer_for(encoder, arch: ArchSpec):
    """The stand-in tokenizer for one text encoder: T5 pads to the arch's sequence length, CLIP to 77."""
    cfg = encoder.config
    if getattr(cfg, "model_type", "") == "t5":
        return FixedT5TokenIds(cfg.vocab_size, arch.max_sequence_length or 512)
    return FixedCLIPTokenIds(cfg.vocab_size, cfg.max_position_embeddings)


def build_dit_pipeline(arch: ArchSpec, dtype, device: str = "cpu", without: tuple[str, ...] = ()):
    """The real ``FluxPipeline`` / ``StableDiffusion3Pipeline`` with synthetic weights on every module.

    ``without`` names optional text encoders to leave out (``("text_encoder_3",)``: SD3 without T5); a
    required one raises ValueError.
    """
    import diffusers

    if arch.family not in ("flux", "sd3"):
        raise ValueError(f"{arch.name}: not a transformer architecture (use synthetic.build_component)")
    bad = [c for c in without if c not in arch.optional_text_encoders]
    if bad:
        raise ValueError(f"{arch.name} cannot run without {', '.join(bad)}"
                         + (f"; it can leave out {', '.join(arch.optional_text_encoders)}"
                            if arch.optional_text_encoders else ""))
    comps: dict[str, Any] = {}
    for name in arch.components:
        comps[name] = None if name in without else build_module(arch, name, dtype, device)
    for i, name in enumerate(arch.text_encoders):
        tok = "tokenizer" if i == 0 else f"tokenizer_{i + 1}"
        comps[tok] = None if comps[name] is None else tokenizer_for(comps[name], arch)
    comps["scheduler"] = getattr(diffusers, arch.component_class("scheduler")).from_config(
        arch.component_config("scheduler"))
    return getattr(diffusers, arch.pipeline_class)(**comps)


def pipeline_call_kwargs(arch: ArchSpec) -> dict:
    """Extra keyword arguments the pipeline call needs for this architecture (T5 sequence length)."""
    return {"max_sequence_length": arch.max_sequence_length} if arch.max_sequence_length else {}
