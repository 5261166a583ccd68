"""Batch sweep: out-of-memory is caught, memory freed, the limit recorded; never a crash."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from artcost.bench import pipeline as P  # noqa: E402
from artcost.bench import runner as R  # noqa: E402
from artcost.bench.config import make_config  # noqa: E402
from artcost.bench.timing import CpuTimer  # noqa: E402


def test_injected_cuda_oom_sets_limit(monkeypatch):
    real_load = P.load

    def load(*a, **k):
        loaded = real_load(*a, **k)
        call = loaded.pipe.__class__.__call__

        class OOMPipe(loaded.pipe.__class__):
            def __call__(self, *args, **kwargs):
                if len(kwargs["prompt"]) >= 4:
                    raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
                return call(self, *args, **kwargs)

        loaded.pipe.__class__ = OOMPipe
        return loaded

    monkeypatch.setattr(P, "load", load)
    cfg = make_config(arch="tiny", device="cpu", steps=1, batch_sweep=True, max_batch=16)
    sweep = R.batch_sweep(cfg, "cpu", 64, CpuTimer())
    assert [p["batch_size"] for p in sweep["points"]] == [1, 2]
    assert sweep["limit"]["failed_batch"] == 4 and sweep["limit"]["max_ok_batch"] == 2
    assert "CUDA out of memory" in sweep["limit"]["reason"]


def test_host_memory_ceiling():
    cfg = make_config(arch="tiny", device="cpu", steps=1, batch_sweep=True, host_mem_ceiling_gb=0.01)
    sweep = R.batch_sweep(cfg, "cpu", 64, CpuTimer())
    assert sweep["points"] == []
    assert sweep["limit"]["failed_batch"] == 1 and "above the ceiling of" in sweep["limit"]["reason"] and "--" not in sweep["limit"]["reason"]


def test_is_oom_classification():
    assert P.is_oom(torch.OutOfMemoryError("x"))
    assert P.is_oom(RuntimeError("CUDA error: out of memory"))
    assert P.is_oom(MemoryError())
    assert not P.is_oom(ValueError("shapes"))
