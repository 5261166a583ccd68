"""Console lines while an untimed phase runs (building a pipeline, a warm-up call), so a slow first call
on a loaded machine is never silent."""

from __future__ import annotations

import time

HEARTBEAT_S = 15.0
"""While the pipeline is built and while a warm-up call runs, a console line at least this often: on a
loaded machine the first call (kernel selection, memory allocation, compilation) can take minutes."""


def say(console, msg: str) -> None:
    """``console.print(msg)``, or nothing without a console."""
    if console is not None:
        console.print(msg)


class Heartbeat:
    """A console line when a phase starts and every ``every`` seconds while it lasts, with the elapsed
    seconds: ``preset stock: warm-up 1/1: UNet call 2 of ~4, 41 s``.  Silent without a console.

    ``watch(pipe)`` (optional, inside the ``with``) adds forward pre-hooks that name the phase of an
    untimed call (prompt encoding, each UNet call, the VAE decode); never used in timed runs.  A
    compiled UNet's hook is on its wrapper and kept out of dynamo (a hook in its traced frame would
    break the graph)."""

    def __init__(self, console, label: str, every: float = HEARTBEAT_S):
        self.console, self.label, self.every = console, label, every
        self.phase = "starting"
        self._t0 = time.perf_counter()
        self._stop = None
        self._thread = None
        self._handles: list = []

    def elapsed(self) -> float:
        return time.perf_counter() - self._t0

    def say(self, phase: str) -> None:
        self.phase = phase
        say(self.console, f"{self.label}: {phase} ({self.elapsed():.0f} s)")

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            say(self.console, f"{self.label}: still {self.phase}, {self.elapsed():.0f} s")

    def __enter__(self) -> "Heartbeat":
        if self.console is not None:
            import threading

            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._beat, name="artcost-heartbeat", daemon=True)
            self._thread.start()
        return self

    def watch(self, pipe, steps: int) -> None:
        if self.console is None:
            return
        calls = [0]

        def text(*_a, **_k):
            if not self.phase.startswith("encoding"):
                self.say("encoding the prompt")

        # PNDM (SD1.5's default) with skip_prk_steps makes one call more than the steps asked for
        if type(getattr(pipe, "scheduler", None)).__name__ == "PNDMScheduler":
            steps += 1
        # the denoiser: a UNet (SD1.5, SDXL) or a transformer (FLUX.1, SD3.5)
        # `is not None`, never truthiness: a torch.compile'd module's __len__ raises TypeError (torch 2.13),
        # which killed `--presets ...,compile` from the CLI before any record was made (issue #29)
        unet = getattr(pipe, "unet", None)
        den = unet if unet is not None else getattr(pipe, "transformer", None)
        what = "UNet" if unet is not None else "transformer"

        def unet(*_a, **_k):
            calls[0] += 1
            if calls[0] == 1:
                self.say(f"first {what} call of ~{steps} (the first is the slowest)")
            else:
                self.phase = f"{what} call {calls[0]} of ~{steps}"

        def decode(*_a, **_k):
            self.say("VAE decode")

        for name in ("text_encoder", "text_encoder_2", "text_encoder_3"):
            if getattr(pipe, name, None) is not None:
                self._handles.append(getattr(pipe, name).register_forward_pre_hook(text))
        if den is not None and hasattr(den, "_orig_mod"):
            # compiled: hook the OptimizedModule wrapper, outside dynamo's frame and kept out of it (as
            # `phases.PhaseRecorder` does); unhooked, a compile read 'still encoding the prompt' for minutes
            import torch

            self._handles.append(den.register_forward_pre_hook(torch.compiler.disable(unet)))
        elif den is not None:
            self._handles.append(den.register_forward_pre_hook(unet))
        decoder = getattr(getattr(pipe, "vae", None), "decoder", None)
        if decoder is not None:
            self._handles.append(decoder.register_forward_pre_hook(decode))

    def __exit__(self, *exc) -> bool:
        for h in self._handles:
            h.remove()
        self._handles.clear()
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=1)
        return False
