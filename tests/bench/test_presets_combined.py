"""Presets join options with '+' (bf16+compile+alloc), each measured against stock in the same run; `alloc`
tunes glibc malloc; `--primary-preset fastest` reports the fastest preset that beat stock in every run
(issue #29)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from artcost.bench.config import canonical_preset, make_config, preset_parts
from artcost.bench.record import PresetResult
from artcost.errors import UserError


def test_options_join_in_one_spelling():
    assert preset_parts("stock") == ()
    assert preset_parts("alloc+compile+bf16") == ("bf16", "compile", "alloc")
    assert canonical_preset("alloc+bf16") == "bf16+alloc"
    for bad, said in (("bf16+fp16", "names two dtypes"), ("bf16+bf16", "names an option twice"),
                      ("turbo", "unknown preset 'turbo'"), ("stock+bf16", "unknown preset 'stock+bf16'")):
        with pytest.raises(ValueError, match=re.escape(said)):
            preset_parts(bad)


def test_stock_runs_first_and_alloc_after_every_preset_without_it():
    """alloc cannot be undone in a process: a preset without it measured after it would not be what it says."""
    c = make_config(arch="tiny", presets=["alloc", "bf16+alloc", "compile", "alloc+bf16", "bf16"])
    assert c.presets == ["stock", "compile", "bf16", "alloc", "bf16+alloc"]
    assert make_config(arch="tiny", presets=["bf16"], primary_preset="fastest").primary_preset == "fastest"
    assert make_config(arch="tiny", presets=["alloc+bf16"], primary_preset="alloc+bf16").primary_preset == "bf16+alloc"
    with pytest.raises(UserError, match="--presets: unknown preset 'bf17'"):
        make_config({"presets": "--presets"}, arch="tiny", presets=["bf17"])
    with pytest.raises(UserError, match="'compile' is not among the presets run"):
        make_config(arch="tiny", presets=["bf16"], primary_preset="compile")


def _preset(name, per_image, errors=(), health_ok=True):
    from artcost.bench.record import PresetSummary, summarise

    return PresetResult(name=name, status="ok", runs=[{"total_s": s} for s in per_image],
                        summary=PresetSummary(batch_size=1, seconds_per_image=sum(per_image) / len(per_image),
                                              seconds_per_image_stats=summarise(per_image)),
                        measurement_errors=list(errors), health={"ok": health_ok})


def test_fastest_must_beat_stock_in_every_run():
    from artcost.bench.runner import pick_fastest

    stock = _preset("stock", [10.0, 11.0, 12.0])
    overlap = _preset("channels_last", [6.0, 10.5])  # its slow run is slower than stock's fastest: a tie
    bf16 = _preset("bf16", [4.0, 5.0, 4.5])
    wrong = _preset("compile", [1.0, 1.0], errors=["UNet step faster than the same-run GEMM probe"])
    nan = _preset("fp16", [2.0, 2.0], health_ok=False)
    skipped = PresetResult(name="bf16+alloc", status="skipped", reason="no bf16")
    name, why = pick_fastest([stock, overlap, bf16, wrong, nan, skipped])
    assert name == "bf16"
    assert why.startswith("bf16: the fastest of 3 presets that ran, 2.44x stock's images per second")
    assert pick_fastest([stock, overlap])[0] == "stock"
    assert "no other preset beat it in every run (channels_last)" in pick_fastest([stock, overlap])[1]
    both = _preset("bf16+compile", [3.0, 3.5])
    assert pick_fastest([stock, bf16, both])[0] == "bf16+compile"


def test_alloc_tunes_glibc_in_its_own_process():
    """`allocator.tune` sets glibc's thresholds (mallopt returns 1 for each) once per process; run in a child,
    since it cannot be undone in this one."""
    from artcost.bench.allocator import glibc_version

    if glibc_version() is None:
        pytest.skip("not glibc")
    code = textwrap.dedent("""
        from artcost.bench import allocator
        assert allocator.applied() is None
        done = allocator.tune()
        assert allocator.tune() is done and allocator.applied() is done
        print(sorted(done["settings"].items()))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(sorted({"MALLOC_MMAP_THRESHOLD_": 32 * 2**20, "MALLOC_TRIM_THRESHOLD_": 2**30,
                                             "MALLOC_TOP_PAD_": 256 * 2**20}.items()))


FAULTS = textwrap.dedent("""
    import resource, sys
    if sys.argv[1] == "tune":
        from artcost.bench.allocator import tune
        tune()
    def churn():  # blocks around the default thresholds, freed each time, as a UNet call's activations are
        a = bytearray(8 * 2**20); b = bytearray(40 * 2**20)
        a[::4096] = b"x" * len(a[::4096]); b[::4096] = b"x" * len(b[::4096])
    for _ in range(3):
        churn()
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        churn()
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / 20)
""")


def test_alloc_keeps_freed_blocks_instead_of_faulting_them_in_again():
    from artcost.bench.allocator import glibc_version

    if glibc_version() is None:
        pytest.skip("not glibc")
    faults = {}
    for how in ("default", "tune"):
        out = subprocess.run([sys.executable, "-c", FAULTS, how], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        faults[how] = float(out.stdout)
    if faults["default"] < 100:
        pytest.skip(f"this system's malloc faults little on this pattern ({faults})")
    assert faults["tune"] < faults["default"] / 4, faults


def test_bf16_only_where_the_cpu_has_it_natively(monkeypatch):
    """Detected from /proc/cpuinfo's flags, never assumed: emulated bf16 would not be a fair measure."""
    torch = pytest.importorskip("torch")
    from artcost.bench import presets as P

    monkeypatch.setattr(P, "cpu_flags", lambda: {"avx2", "avx512f"})
    with pytest.raises(P.PresetUnsupported, match="no native bf16"):
        P.preset_dtype("bf16+compile", "cpu")
    assert P.preset_dtype("compile+alloc", "cpu") is torch.float32
    for flag in ("amx_bf16", "avx512_bf16"):
        monkeypatch.setattr(P, "cpu_flags", lambda flag=flag: {"avx512f", flag})
        assert P.preset_dtype("bf16+alloc", "cpu") is torch.bfloat16
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda d=None: (9, 0))
    with pytest.raises(P.PresetUnsupported, match="CUDA's caching allocator"):
        P.preset_dtype("bf16+alloc", "cuda:0")  # alloc tunes the host's malloc: nothing of a GPU run
