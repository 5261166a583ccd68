"""Timers: one interface, two clocks.

A timed region is bracketed by `mark()` calls; durations are read with `elapsed(a, b)` only after
`sync()`. On CPU a mark is ``time.perf_counter()``. On CUDA a mark is a recorded
``torch.cuda.Event(enable_timing=True)``: recording does not block the host, so marks placed from
hooks inside the pipeline do not perturb what they measure; `sync()` waits for the device once, at
the end of the run, as optimum-benchmark's ``CUDAEvent`` latency tracker does.
"""

from __future__ import annotations

import time
from typing import Any, Protocol


class Timer(Protocol):
    kind: str

    def mark(self) -> Any: ...

    def sync(self) -> None: ...

    def elapsed(self, start: Any, end: Any) -> float: ...


class CpuTimer:
    """Wall clock on the host; the work is synchronous so no device sync is needed."""

    kind = "perf_counter"

    def mark(self) -> float:
        return time.perf_counter()

    def sync(self) -> None:
        return None

    def elapsed(self, start: float, end: float) -> float:
        return end - start


class CudaEventTimer:
    """CUDA events on ``device``'s current stream; `elapsed` is exact device time between two marks.

    ``Event.record()`` without a stream records on the current stream of the *current* device, which is
    cuda:0 unless someone called ``torch.cuda.set_device``; with ``--device cuda:1`` such events would
    time an idle stream. So every mark names the stream of this timer's device.
    """

    kind = "cuda_event"

    def __init__(self, torch_module=None, device=None):
        if torch_module is None:
            import torch as torch_module
        self._torch = torch_module
        self._device = device

    def mark(self):
        ev = self._torch.cuda.Event(enable_timing=True)
        ev.record(self._torch.cuda.current_stream(self._device))
        return ev

    def sync(self) -> None:
        self._torch.cuda.synchronize(self._device)

    def elapsed(self, start, end) -> float:
        # Event.elapsed_time is in milliseconds.
        return start.elapsed_time(end) / 1000.0


def make_timer(device: str) -> Timer:
    """The timer for a torch device string (``cpu``, ``cuda``, ``cuda:1``)."""
    if device.startswith("cuda"):
        return CudaEventTimer(device=device)
    return CpuTimer()
