"""One device's worker of a cluster job (a Ray actor): the single-device benchmark's own
`pipeline.PipelineSession`, built and warmed up once, then asked for chunks of timed calls.

No measurement logic lives here: the idle window (`pipeline.measure_idle`), the warm-up with its
activation check and the timed loop are the benchmark's; this module only says where the worker runs
(`cluster_aggregate.WorkerInfo`) and counts its images.
"""

from __future__ import annotations

import os
import socket
import time

from artcost.bench.cluster_aggregate import ChunkResult, WorkerInfo
from artcost.bench.config import BenchConfig


class GenerationWorker:
    """One device's worker (a Ray actor): build once, then generate chunks on request.

    ``fault_after_images`` (tests only): exit the process from inside the pipeline (before a UNet call)
    once this many images are done, so Ray reports a real actor death mid-chunk.
    """

    def __init__(self, cfg_json: str, index: int, threads: int | None = None, fault_after_images: int | None = None):
        self.cfg = BenchConfig.model_validate_json(cfg_json)
        self.index = index
        self.threads = threads
        self.fault_after = fault_after_images
        self.images_done = 0
        self.loaded = None
        self.session = None
        self.monitor = None
        self.windows = 0

    def setup(self) -> WorkerInfo:
        """Idle window, then the session's load, prepare and warm-up (as `runner.run_benchmark` does for a
        preset); returns where and what this worker is."""
        from artcost.bench import pipeline as P
        from artcost.bench.config import resolve_device
        from artcost.bench.device_info import environment
        from artcost.bench.energy import make_monitor
        from artcost.bench.timing import make_timer

        torch = P.import_torch()
        if self.threads:
            torch.set_num_threads(self.threads)
        cfg = self.cfg
        device = resolve_device(cfg.device)
        self.device = device
        # Ray sets CUDA_VISIBLE_DEVICES, so torch's cuda:0 is rarely NVML's GPU 0: make_monitor finds the
        # NVML handle by the GPU's UUID (energy.nvml_handle_for), exactly as the single-device run does.
        self.monitor = make_monitor(device)
        gpu_dev = self.monitor.device
        self.monitor.start()
        idle = P.measure_idle(self.monitor, cfg.idle_seconds)
        self.session = P.PipelineSession(cfg, device, make_timer(device))
        self.loaded = self.session.load()
        scheduler = self.session.prepare()
        # The single-device benchmark's own warm-up (activation-health check on the first call included),
        # under the host-memory guard only: the test fault counts images, and warm-up makes none.
        warm = self.session.warm_up()
        env = environment(device)
        node_id, gpu_ids = _ray_placement()
        return WorkerInfo(
            worker=self.index, hostname=socket.gethostname(), pid=os.getpid(), node_id=node_id, gpu_ids=gpu_ids,
            nvml_index=gpu_dev.nvml_index if gpu_dev is not None else None,
            gpu_uuid=gpu_dev.uuid if gpu_dev is not None else None,
            device=device, device_name=env.get("device_name"), gpu=gpu_dev.info() if gpu_dev is not None else None,
            environment=env, torch_threads=torch.get_num_threads(),
            weights_label=self.loaded.weights_label, tokenizer=self.loaded.tokenizer_label, scheduler=scheduler,
            dtype=str(self.loaded.dtype).replace("torch.", ""), load_s=self.loaded.load_s,
            warmup_s=warm.warmup_s, health=warm.health, notes=self.loaded.notes + warm.notes, idle=idle,
            meter=self.monitor.meter, meter_reason=self.monitor.reason,
        )

    def _guard(self) -> None:
        """The session's host-memory guard, after the test fault (a real process death, as an OOM kill or
        a lost node looks to Ray)."""
        if self.fault_after is not None and self.images_done >= self.fault_after:
            os._exit(1)
        if self.session.guard is not None:
            self.session.guard()

    def run_chunk(self, first_run: int, runs: int) -> ChunkResult:
        """``runs`` timed pipeline calls (seeds ``cfg.seed + first_run ...``) in one energy window."""
        batch = self.cfg.batch_size
        self.windows += 1
        started = time.time()
        w = self.session.timed(self.monitor, f"chunk-{self.windows}", runs=runs, first_run=first_run,
                               guard=self._guard)
        self.images_done += runs * batch
        return ChunkResult(worker=self.index, first_run=first_run, runs=[t.as_dict() for t in w.timings],
                           images=len(w.timings) * batch, wall_s=w.wall_s, energy=w.energy.as_dict(),
                           started_at=started, ended_at=time.time())

    def close(self) -> None:
        if self.monitor is not None:
            self.monitor.stop()
        if self.session is not None:
            self.session.clean()
        self.loaded = None


def _ray_placement() -> tuple[str | None, list[str]]:
    """(Ray node id, GPU ids Ray gave this actor); (None, []) outside Ray (unit tests)."""
    try:
        import ray

        ctx = ray.get_runtime_context()
        return ctx.get_node_id(), [str(g) for g in ray.get_gpu_ids()]
    except Exception:  # noqa: BLE001 - used outside Ray
        return None, []
