"""Benchmark: each preset's UNet call against stock's, as interleaved pairs in one run (issue #29).

Not collected by the normal test run (the file is bench_*.py). Run it with `make perf`, or
    .venv/bin/pytest tests/perf/bench_presets.py --benchmark-only -p no:cacheprovider -o python_files='bench_*.py' -s
or as a script for a table:  .venv/bin/python tests/perf/bench_presets.py 256 6 stock,bf16,alloc,bf16+alloc

Each preset runs in its own worker process, built by the harness's own code (`loading.load`: the preset's
dtype, `apply_preset`'s channels_last / compile with freezing / alloc), so ``alloc``'s process-wide malloc
setting touches only its own worker. The driver then asks each worker for one SD 1.5 UNet call per round
(batch 2: CFG's rows; synthetic weights), reversing the order every other round, and divides each preset's
time by stock's from the same round: on a shared machine the pair's ratio is what holds, not a time. The
first worker runs the fp32 GEMM probe between rounds, for the UNet's share of it. Minor page faults per call
(getrusage) show what ``alloc`` removes. Compile time is the first call minus a steady one.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

ARCH = "sd15"


def worker(res: int, preset: str) -> None:
    import resource

    from artcost.bench.flops import ModelConfigs, count_flops
    from artcost.bench.gemm_probe import gemm_probe
    from artcost.bench.loading import load

    import torch

    t0 = time.perf_counter()
    loaded = load(ARCH, None, preset, "cpu")
    unet, dtype = loaded.pipe.unet, loaded.dtype
    flops = count_flops(ModelConfigs.from_pipeline(loaded.pipe, ARCH), res).unet_per_row * 2
    loaded.pipe = None  # the text encoder and VAE: memory only, with several workers side by side
    lat = res // 8
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 4, lat, lat, generator=g).to(dtype)
    if "channels_last" in preset.split("+"):
        x = x.contiguous(memory_format=torch.channels_last)
    t = torch.tensor([500, 500])
    ctx = torch.randn(2, 77, 768, generator=g).to(dtype)
    build = time.perf_counter() - t0
    with torch.inference_mode():
        s = time.perf_counter()
        unet(x, t, encoder_hidden_states=ctx)
        first = time.perf_counter() - s
        s = time.perf_counter()
        unet(x, t, encoder_hidden_states=ctx)
        second = time.perf_counter() - s
    print(json.dumps({"ready": preset, "build_s": build, "first_call_s": first, "second_call_s": second,
                      "flops": flops, "dtype": str(dtype), "notes": loaded.notes}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "run":
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            with torch.inference_mode():
                s = time.perf_counter()
                unet(x, t, encoder_hidden_states=ctx)
                dt = time.perf_counter() - s
            print(json.dumps({"s": dt, "minflt": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0}), flush=True)
        elif cmd == "probe":
            print(json.dumps(gemm_probe("cpu", torch.float32, 2.0)), flush=True)
        else:
            return


def measure(res: int, rounds: int, presets: list[str], say=print) -> dict:
    """Interleaved pairs; returns per preset its times, paired ratios to stock, page faults and start-up."""
    assert presets[0] == "stock", "stock first: every ratio is to it"
    procs, ready = {}, {}
    try:
        for p in presets:  # started one at a time: a compilation is not slowed by another worker's
            proc = subprocess.Popen([sys.executable, __file__, "worker", str(res), p], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True, bufsize=1)
            procs[p] = proc
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"preset {p}: the worker ended before it was ready (exit {proc.wait()})")
            ready[p] = json.loads(line)
            r = ready[p]
            say(f"{p}: built in {r['build_s']:.1f} s; first call {r['first_call_s']:.1f} s, second "
                f"{r['second_call_s']:.1f} s ({r['dtype']})")
        times = {p: [] for p in presets}
        faults = {p: [] for p in presets}
        probes = []
        for i in range(rounds):
            for p in (presets if i % 2 == 0 else presets[::-1]):
                procs[p].stdin.write("run\n")
                out = json.loads(procs[p].stdout.readline())
                times[p].append(out["s"])
                faults[p].append(out["minflt"])
            procs["stock"].stdin.write("probe\n")
            probes.append(json.loads(procs["stock"].stdout.readline())["best_flops"])
            say(f"round {i + 1}: " + ", ".join(f"{p} {times[p][-1]:.2f} s ({times[p][-1] / times['stock'][-1]:.2f})"
                                              for p in presets) + f"; fp32 GEMM {probes[-1] / 1e9:.0f} GFLOP/s")
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.stdin.write("quit\n")
                proc.stdin.flush()
                proc.wait(timeout=120)
    probe = statistics.median(probes)
    out = {"resolution": res, "rounds": rounds, "gemm_fp32_flops": probe, "gemm_probes": probes, "presets": {}}
    for p in presets:
        ratios = [a / b for a, b in zip(times[p], times["stock"])]
        med = statistics.median(times[p])
        flops = ready[p]["flops"]
        out["presets"][p] = {
            "seconds": times[p], "median_s": med, "ratio_to_stock": ratios,
            "ratio_median": statistics.median(ratios), "minor_faults": statistics.median(faults[p]),
            "unet_vs_fp32_gemm": flops / med / probe,
            "compile_s": max(0.0, ready[p]["first_call_s"] - med) if "compile" in p.split("+") else None,
            "notes": ready[p]["notes"],
        }
    return out


def table(m: dict) -> str:
    lines = [f"SD 1.5 UNet, {m['resolution']} px, batch 2 (CFG), synthetic weights, {m['rounds']} interleaved rounds; "
             f"fp32 GEMM probe median {m['gemm_fp32_flops'] / 1e9:.0f} GFLOP/s "
             f"({', '.join(f'{x / 1e9:.0f}' for x in m['gemm_probes'])})",
             f"{'preset':22s} {'s/call':>8s} {'time/stock':>10s} {'[min-max]':>15s} {'speed-up':>8s} "
             f"{'vs fp32 GEMM':>12s} {'faults/call':>11s} {'compile s':>9s}"]
    for p, r in m["presets"].items():
        lo, hi = min(r["ratio_to_stock"]), max(r["ratio_to_stock"])
        comp = "" if r["compile_s"] is None else f"{r['compile_s']:.0f}"
        lines.append(f"{p:22s} {r['median_s']:8.3f} {r['ratio_median']:10.3f} {f'[{lo:.2f}-{hi:.2f}]':>15s} "
                     f"{1 / r['ratio_median']:7.2f}x {r['unet_vs_fp32_gemm']:12.0%} {r['minor_faults']:11,.0f} {comp:>9s}")
    return "\n".join(lines)


def test_presets_against_stock_in_one_run(benchmark):
    import pytest

    pytest.importorskip("diffusers")
    from artcost.bench.presets import PresetUnsupported, preset_dtype

    wanted = os.environ.get("ARTCOST_PERF_PRESETS", "stock,bf16,alloc,bf16+alloc").split(",")
    res = int(os.environ.get("ARTCOST_PERF_RES", "256"))
    runnable = []
    for p in wanted:
        try:
            preset_dtype(p, "cpu")
            runnable.append(p)
        except PresetUnsupported as exc:
            print(f"{p}: skipped ({exc})")
    got = {}

    def once():
        got.update(measure(res, 4, runnable))

    benchmark.pedantic(once, rounds=1, iterations=1)
    print("\n" + table(got))
    benchmark.extra_info.update({p: {"ratio_to_stock": [round(x, 3) for x in r["ratio_to_stock"]],
                                      "unet_vs_fp32_gemm": round(r["unet_vs_fp32_gemm"], 3)}
                                  for p, r in got["presets"].items()})
    # ratios, not timed assertions: each preset was measured in every round, and stock against itself is 1
    assert all(len(r["ratio_to_stock"]) == 4 for r in got["presets"].values())
    assert got["presets"]["stock"]["ratio_to_stock"] == [1.0] * 4


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        worker(int(sys.argv[2]), sys.argv[3])
    else:
        m = measure(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(","))
        print(table(m))
        if len(sys.argv) > 4:
            with open(sys.argv[4], "w") as f:
                json.dump(m, f, indent=1)
