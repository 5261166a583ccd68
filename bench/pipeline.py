"""Load or build the real diffusers pipeline, apply a preset, and run it once with phase marks.

Weights come from (a) a local diffusers folder, (b) a single ``.safetensors``/``.ckpt`` loaded with
``from_single_file(..., config=<shipped folder>, local_files_only=True)``, or (c) synthetic weights on
the real architecture (`synthetic.py`). Nothing is fetched from a hub.

The tokenizer vocabulary is not shipped (and cannot be fetched), so where a model folder lacks one
the pipeline gets `FixedTokenIds`: it returns fixed, valid token ids of the usual 77-token shape,
which then go through the real text encoder(s) inside the pipeline's own ``encode_prompt``. The text
encoders' cost therefore counts; only string-to-id lookup (microseconds) is skipped.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artcost.bench.archs import ArchSpec, get_arch
from artcost.bench.config import SCHEDULERS
from artcost.bench.synthetic import WEIGHTS_LABEL, build_component
from artcost.errors import MissingExtraError, UserError

PROMPT = "a watercolour illustration of a lighthouse on a cliff at dusk, soft light, detailed"


def import_torch():
    """torch and diffusers, or a MissingExtraError naming the ``[bench]`` extra."""
    try:
        import diffusers  # noqa: F401
        import torch
    except ImportError as exc:
        missing = "torch" if "torch" in str(exc) else "diffusers"
        raise MissingExtraError("bench", missing, "artcost bench") from exc
    return torch


class PresetUnsupported(Exception):
    """This device cannot run the preset; the message is the reason shown in the report."""


class DeviceOOM(Exception):
    """Out of device memory (CUDA OOM, or the host-memory ceiling on CPU)."""


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
        pipe: the diffusers pipeline (StableDiffusionPipeline or StableDiffusionXLPipeline).
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


# --- weights -----------------------------------------------------------------------------------

def detect_checkpoint_arch(path: Path) -> str | None:
    """Which architecture a single-file checkpoint holds, from its tensor names (header only).

    SDXL checkpoints carry the second text encoder under ``conditioner.embedders.1``; SD2.x carry an
    OpenCLIP one under ``cond_stage_model.model.`` (returned as ``sd2``, which is not supported); SD1.x
    carry ``cond_stage_model.transformer``. Returns None when no marker is present.
    """
    keys = _checkpoint_keys(path)
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


def _checkpoint_keys(path: Path) -> list[str]:
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        try:
            with safe_open(str(path), framework="pt") as f:
                return list(f.keys())
        except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
            raise UserError(f"--model {path}: not a readable .safetensors file ({exc})") from exc
    torch = import_torch()
    try:
        sd = torch.load(str(path), map_location="meta", weights_only=True)
    except Exception as exc:  # noqa: BLE001
        raise UserError(f"--model {path}: not a readable .ckpt file ({exc})") from exc
    sd = sd.get("state_dict", sd)
    return list(sd.keys())


def file_sha256(path: Path, chunk: int = 1 << 24) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def check_model_path(model: Path, arch: str) -> str:
    """Validate ``--model`` against ``--arch``; returns the arch to use. Raises UserError."""
    if not model.exists():
        raise UserError(f"--model {model}: no such file or folder")
    if model.is_dir():
        return _check_folder(model, arch)
    if model.suffix not in (".safetensors", ".ckpt"):
        raise UserError(f"--model {model}: expected a diffusers folder, .safetensors or .ckpt file")
    if arch not in ("sd15", "sdxl"):
        raise UserError(f"--model {model}: a single-file checkpoint needs --arch sd15 or --arch sdxl (got {arch})")
    found = detect_checkpoint_arch(model)
    if found is None:
        raise UserError(f"--model {model}: no Stable Diffusion tensors found (is it a diffusion checkpoint?)")
    if found == "sd2":
        raise UserError(f"--model {model}: this is a Stable Diffusion 2.x checkpoint (OpenCLIP text encoder), "
                        "not supported; supported: SD1.x (--arch sd15) and SDXL (--arch sdxl)")
    if found != arch:
        raise UserError(f"--model {model}: this is an {found} checkpoint but --arch {arch} was given; use --arch {found}")
    return arch


_FOLDER_ARCH = {"StableDiffusionPipeline": "sd15", "StableDiffusionXLPipeline": "sdxl"}


def _check_folder(model: Path, arch: str) -> str:
    """A diffusers folder: model_index.json readable and naming the pipeline class ``--arch`` runs."""
    import json

    index = model / "model_index.json"
    if not index.exists():
        raise UserError(f"--model {model}: a diffusers folder needs model_index.json (not found)")
    try:
        cls = json.loads(index.read_text()).get("_class_name")
    except (OSError, ValueError, AttributeError) as exc:
        raise UserError(f"--model {model}: model_index.json is not readable JSON ({exc})") from None
    want = get_arch(arch).pipeline_class
    if cls not in _FOLDER_ARCH:
        raise UserError(f"--model {model}: model_index.json names {cls!r}, not supported; "
                        "supported: StableDiffusionPipeline (--arch sd15) and StableDiffusionXLPipeline (--arch sdxl)")
    if cls != want:
        raise UserError(f"--model {model}: this is a {cls} folder ({_FOLDER_ARCH[cls]}) but --arch {arch} "
                        f"runs {want}; use --arch {_FOLDER_ARCH[cls]}")
    if cls == "StableDiffusionPipeline":
        try:
            xattn = json.loads((model / "unet" / "config.json").read_text()).get("cross_attention_dim")
        except (OSError, ValueError, AttributeError):
            xattn = None
        if xattn == 1024:
            raise UserError(f"--model {model}: this is a Stable Diffusion 2.x folder (UNet cross_attention_dim "
                            "1024), not supported; supported: SD1.x (--arch sd15) and SDXL (--arch sdxl)")
    return arch


def build_synthetic_pipeline(arch: ArchSpec, dtype, device: str):
    """The real pipeline class with synthetic weights on every module."""
    import diffusers

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
    """Turn diffusers' loading errors (missing component, shape mismatch, bad file) into one UserError
    line naming the path; out-of-memory stays DeviceOOM-recognisable."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - anything diffusers/transformers/safetensors raise
        if is_oom(exc) or isinstance(exc, UserError):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise UserError(f"--model {model}: diffusers could not load it ({type(exc).__name__}: {first[:300]})") from exc


def load_pipeline_from_path(model: Path, arch: ArchSpec, dtype):
    """A user's weights: diffusers folder or single file with the shipped config folder."""
    import diffusers

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
            pipe = cls.from_pretrained(str(model), torch_dtype=dtype, local_files_only=True, **extra)
        label = f"folder:{model.name}"
    else:
        extra["tokenizer"] = None
        if arch.name == "sdxl":
            extra["tokenizer_2"] = None
        with _loading(model):
            pipe = cls.from_single_file(
                str(model), config=str(arch.config_dir()), local_files_only=True, torch_dtype=dtype, **extra
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


# --- presets -------------------------------------------------------------------------------------

def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def preset_dtype(preset: str, device: str):
    """The dtype a preset runs in, or PresetUnsupported with the reason."""
    torch = import_torch()
    if preset in ("stock", "channels_last", "compile"):
        return torch.float32
    # Presets are validated by BenchConfig: only fp16 and bf16 are left here.
    if device.startswith("cuda"):
        if preset == "bf16":
            # Not torch.cuda.is_bf16_supported(): it counts emulation (True on T4/V100, where bf16 is far
            # slower than fp16) and looks at the current device, not ``device``.
            major, minor = torch.cuda.get_device_capability(device)
            if major < 8:
                raise PresetUnsupported(f"this GPU (compute capability {major}.{minor}) has no native bf16; "
                                        "it needs 8.0 (Ampere) or later, and emulation would not be a fair measure")
        return torch.float16 if preset == "fp16" else torch.bfloat16
    flags = cpu_flags()
    if preset == "bf16":
        if not flags & {"avx512_bf16", "amx_bf16"}:
            raise PresetUnsupported("this CPU has no native bf16 matmul (no avx512_bf16/amx_bf16 flag); it would be emulated")
        return torch.bfloat16
    if not flags & {"avx512_fp16", "amx_fp16"}:
        raise PresetUnsupported("this CPU has no native fp16 arithmetic (no avx512_fp16/amx_fp16 flag); it would be emulated")
    return torch.float16


def apply_preset(loaded: LoadedPipeline, preset: str) -> None:
    """Change the pipeline in place for ``channels_last`` or ``compile`` (dtype is set at load)."""
    torch = import_torch()
    pipe = loaded.pipe
    if preset == "channels_last":
        pipe.unet.to(memory_format=torch.channels_last)
        pipe.vae.to(memory_format=torch.channels_last)
        loaded.notes.append("unet and vae in channels_last memory format")
    elif preset == "compile":
        if loaded.device == "cpu":
            import shutil

            if not (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")):
                raise PresetUnsupported("torch.compile on CPU needs a C++ compiler (none on PATH)")
        pipe.unet = torch.compile(pipe.unet)
        loaded.compiled = True
        loaded.notes.append("torch.compile(unet), default mode; first warm-up run includes compilation")


def load(arch_name: str, model: Path | None, preset: str, device: str) -> LoadedPipeline:
    """Build or load the pipeline for one preset and move it to ``device``."""
    import time

    torch = import_torch()
    arch = get_arch(arch_name)
    dtype = preset_dtype(preset, device)
    t0 = time.perf_counter()
    if model is None:
        pipe = build_synthetic_pipeline(arch, dtype, "cpu")  # filled on the host, moved below
        label, tok = WEIGHTS_LABEL, "fixed-token-ids"
    else:
        pipe, label, tok = load_pipeline_from_path(model, arch, dtype)
    pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)
    loaded = LoadedPipeline(pipe, arch, label, tok, dtype, device, time.perf_counter() - t0)
    apply_preset(loaded, preset)
    return loaded


def set_scheduler(pipe, name: str | None) -> str:
    """Swap the scheduler (keeping the model's config); returns the class name in use."""
    if name is None:
        return type(pipe.scheduler).__name__
    import diffusers

    cls = getattr(diffusers, SCHEDULERS[name])
    pipe.scheduler = cls.from_config(pipe.scheduler.config)
    return cls.__name__


def free(loaded: LoadedPipeline | None) -> None:
    """Drop a pipeline and give memory back (between presets and after an OOM)."""
    torch = import_torch()
    if loaded is not None:
        loaded.pipe = None
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


# --- one run ---------------------------------------------------------------------------------------

@dataclass
class RunMarks:
    """Raw timer marks of one pipeline call and the work the hooks saw.

    ``text`` holds (start, end) per text-encoder call; ``unet_start`` the first UNet call;
    ``step_ends`` one mark per denoising iteration; ``decode`` (start, end) of ``vae.decode``;
    ``*_rows`` the batch rows each module processed (for FLOP accounting).
    """

    start: Any = None
    end: Any = None
    text: list = field(default_factory=list)
    unet_start: Any = None
    step_ends: list = field(default_factory=list)
    decode: list = field(default_factory=list)
    text_rows: dict = field(default_factory=dict)
    unet_rows: list = field(default_factory=list)
    vae_rows: list = field(default_factory=list)


@dataclass
class RunTiming:
    """Seconds for one pipeline call, split into phases; ``overhead_s`` is what no phase covers."""

    total_s: float
    text_s: float
    step_s: list[float]
    decode_s: float
    unet_calls: int
    unet_rows: int
    text_rows: dict
    vae_rows: int
    first_step_end_s: float | None = None  # from the call's start to the end of its first denoising step

    @property
    def denoise_s(self) -> float:
        return sum(self.step_s)

    @property
    def overhead_s(self) -> float:
        return self.total_s - self.text_s - self.denoise_s - self.decode_s


class PhaseRecorder:
    """Hooks that place timer marks at phase boundaries inside the real pipeline call.

    Text encoders: forward pre/post hooks. UNet: a pre-hook marks the start of denoising (the first
    call) and counts rows. Steps end in ``callback_on_step_end``. The VAE decode is wrapped as an
    instance attribute (``decode`` is not ``forward``, so module hooks do not see it).
    ``memory_guard`` (optional) is called before each UNet call and VAE decode; it raises DeviceOOM
    when the host-memory ceiling is crossed.
    """

    def __init__(self, pipe, timer, memory_guard=None):
        self.pipe = pipe
        self.timer = timer
        self.memory_guard = memory_guard
        self.marks = RunMarks()
        self._handles: list = []
        self._orig_decode = None

    def __enter__(self):
        pipe, timer = self.pipe, self.timer
        for name in ("text_encoder", "text_encoder_2"):
            te = getattr(pipe, name, None)
            if te is None:
                continue

            def pre(_m, args, kwargs, _name=name):
                ids = args[0] if args else kwargs.get("input_ids")
                self.marks.text_rows[_name] = self.marks.text_rows.get(_name, 0) + int(ids.shape[0])
                self.marks.text.append([timer.mark(), None])

            def post(_m, _args, _out):
                self.marks.text[-1][1] = timer.mark()

            self._handles.append(te.register_forward_pre_hook(pre, with_kwargs=True))
            self._handles.append(te.register_forward_hook(post))

        def unet_pre(_m, args, kwargs):
            if self.memory_guard is not None:
                self.memory_guard()
            sample = args[0] if args else kwargs["sample"]
            if self.marks.unet_start is None:
                self.marks.unet_start = timer.mark()
            self.marks.unet_rows.append(int(sample.shape[0]))

        if hasattr(pipe.unet, "_orig_mod"):
            # torch.compile'd UNet: hook the OptimizedModule wrapper, whose hooks run before dynamo's
            # frame (a hook on ``_orig_mod`` runs inside it), and keep dynamo out of the hook anyway: a
            # timer mark or a Python-side check in a traced frame means graph breaks and recompiles.
            import torch

            self._handles.append(pipe.unet.register_forward_pre_hook(torch.compiler.disable(unet_pre),
                                                                     with_kwargs=True))
        else:
            self._handles.append(pipe.unet.register_forward_pre_hook(unet_pre, with_kwargs=True))

        vae = pipe.vae
        self._orig_decode = vae.decode

        def decode(z, *a, **k):
            if self.memory_guard is not None:
                self.memory_guard()
            self.marks.vae_rows.append(int(z.shape[0]))
            start = timer.mark()
            out = self._orig_decode(z, *a, **k)
            self.marks.decode.append((start, timer.mark()))
            return out

        vae.decode = decode
        return self

    def step_callback(self, _pipe, _i, _t, callback_kwargs):
        self.marks.step_ends.append(self.timer.mark())
        return callback_kwargs

    def __exit__(self, *exc):
        for h in self._handles:
            h.remove()
        self._handles.clear()
        if self._orig_decode is not None:
            # Remove the instance attribute so the class method is visible again.
            del self.pipe.vae.decode
        return False


def is_oom(exc: BaseException) -> bool:
    """CUDA out-of-memory, host MemoryError, or our ceiling."""
    if isinstance(exc, (DeviceOOM, MemoryError)):
        return True
    name = type(exc).__name__
    return name == "OutOfMemoryError" or "out of memory" in str(exc).lower()


def run_once(loaded: LoadedPipeline, timer, *, resolution: int, steps: int, guidance_scale: float,
             batch_size: int, seed: int, memory_guard=None) -> RunTiming:
    """One pipeline call producing ``batch_size`` images (PIL, as a user gets them); phase-timed.

    Raises DeviceOOM when the device (or host ceiling) runs out of memory.
    """
    torch = import_torch()
    pipe = loaded.pipe
    generator = torch.Generator(loaded.device).manual_seed(seed)
    rec = PhaseRecorder(pipe, timer, memory_guard)
    try:
        with rec, torch.inference_mode():
            timer.sync()
            rec.marks.start = timer.mark()
            pipe(
                prompt=[PROMPT] * batch_size,
                height=resolution,
                width=resolution,
                num_inference_steps=steps,
                guidance_scale=guidance_scale,
                generator=generator,
                callback_on_step_end=rec.step_callback,
            )
            rec.marks.end = timer.mark()
            timer.sync()
    except Exception as exc:  # noqa: BLE001 - OOM is recognised by type/message, others re-raised
        if is_oom(exc):
            raise DeviceOOM(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
        raise
    return timing_from_marks(rec.marks, timer)


def timing_from_marks(m: RunMarks, timer) -> RunTiming:
    """Turn marks into durations (after the timer's sync)."""
    el = timer.elapsed
    text_s = sum(el(a, b) for a, b in m.text)
    steps: list[float] = []
    prev = m.unet_start
    for end in m.step_ends:
        steps.append(el(prev, end))
        prev = end
    decode_s = sum(el(a, b) for a, b in m.decode)
    return RunTiming(
        total_s=el(m.start, m.end),
        text_s=text_s,
        step_s=steps,
        decode_s=decode_s,
        unet_calls=len(m.unet_rows),
        unet_rows=sum(m.unet_rows),
        text_rows=dict(m.text_rows),
        vae_rows=sum(m.vae_rows),
        first_step_end_s=el(m.start, m.step_ends[0]) if m.step_ends else None,
    )
