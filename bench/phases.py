"""One pipeline call, timed phase by phase from inside the real diffusers call.

`run_once` makes one call of ``batch_size`` images under a `PhaseRecorder`, whose hooks place timer
marks at the phase boundaries (text encoding, each denoising step, VAE decode); `timing_from_marks`
turns the marks into a `RunTiming` (seconds). What no phase covers (latent preparation, scheduler
set-up, PIL post-processing, the hooks themselves) is the harness overhead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from artcost.bench.errors import DeviceOOM, import_torch, is_oom

PROMPT = "a watercolour illustration of a lighthouse on a cliff at dusk, soft light, detailed"
TEXT_ENCODERS = ("text_encoder", "text_encoder_2", "text_encoder_3")


def denoiser(pipe):
    """The module a pipeline calls once per step (twice the rows under CFG): its UNet (SD1.5, SDXL) or
    its transformer (FLUX.1, SD3.5). The record's ``unet_*`` fields count its calls either way."""
    unet = getattr(pipe, "unet", None)
    return unet if unet is not None else pipe.transformer


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
    """Seconds for one pipeline call, split into phases; ``overhead_s`` is what no phase covers.

    ``step_s`` has one entry per denoising iteration (PNDM makes ``steps + 1``); ``*_rows`` are batch
    rows (CFG doubles the UNet's), for FLOP accounting.
    """

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

    def as_dict(self) -> dict:
        """The plain dict a record stores per run (bench records and cluster parts alike)."""
        return {"total_s": self.total_s, "text_s": self.text_s, "step_s": self.step_s, "decode_s": self.decode_s,
                "overhead_s": self.overhead_s, "unet_calls": self.unet_calls, "unet_rows": self.unet_rows,
                "text_rows": self.text_rows, "vae_rows": self.vae_rows}


def run_dict(t: RunTiming) -> dict:
    """`RunTiming.as_dict` as a function (the name records and cluster parts were built with)."""
    return t.as_dict()


def host_memory_guard(ceiling_gb: float | None) -> Callable[[], None] | None:
    """A check called before each UNet call and VAE decode: DeviceOOM once RSS exceeds the ceiling."""
    if ceiling_gb is None:
        return None
    import psutil

    proc = psutil.Process()
    limit = ceiling_gb * 1024**3

    def guard() -> None:
        rss = proc.memory_info().rss
        if rss > limit:
            raise DeviceOOM(f"host memory {rss / 1024**3:.1f} GiB above the ceiling of {ceiling_gb:g} GiB set for this run")

    return guard


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
        for name in TEXT_ENCODERS:
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
            # UNet: ``sample``; FLUX/SD3 transformers: ``hidden_states`` (batch first either way)
            sample = args[0] if args else kwargs.get("sample", kwargs.get("hidden_states"))
            if self.marks.unet_start is None:
                self.marks.unet_start = timer.mark()
            self.marks.unet_rows.append(int(sample.shape[0]))

        den = denoiser(pipe)
        if hasattr(den, "_orig_mod"):
            # torch.compile'd UNet: hook the OptimizedModule wrapper, whose hooks run before dynamo's
            # frame (a hook on ``_orig_mod`` runs inside it), and keep dynamo out of the hook anyway: a
            # timer mark or a Python-side check in a traced frame means graph breaks and recompiles.
            import torch

            self._handles.append(den.register_forward_pre_hook(torch.compiler.disable(unet_pre), with_kwargs=True))
        else:
            self._handles.append(den.register_forward_pre_hook(unet_pre, with_kwargs=True))

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


def run_once(loaded, timer, *, resolution: int, steps: int, guidance_scale: float,
             batch_size: int, seed: int, memory_guard=None, call_kwargs: dict | None = None) -> RunTiming:
    """One pipeline call producing ``batch_size`` images (PIL, as a user gets them); phase-timed.

    ``loaded`` is a `loading.LoadedPipeline`; ``resolution`` the image side in pixels. Raises DeviceOOM
    when the device (or host ceiling) runs out of memory. ``call_kwargs``: what else the pipeline takes
    for this architecture (T5's ``max_sequence_length``); by default ``loaded.call_kwargs``.
    """
    torch = import_torch()
    pipe = loaded.pipe
    generator = torch.Generator(loaded.device).manual_seed(seed)
    extra = (getattr(loaded, "call_kwargs", None) or {}) if call_kwargs is None else call_kwargs
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
                **extra,
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
