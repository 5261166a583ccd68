"""Nothing stands between the command's start and the first timed step that need not (issue #16): the
warm-up call makes one denoising step (every kernel of a timed call at its shapes), and the GEMM probe runs
after the timed window. `tests/perf/bench_bench_startup.py` measures what that buys."""

from __future__ import annotations

import pytest

pytest.importorskip("diffusers")


def test_warm_up_is_one_step_and_the_probe_comes_after_the_timed_runs(tmp_path, monkeypatch):
    from artcost.bench import pipeline as P
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark

    monkeypatch.setenv("ARTCOST_DATA", str(tmp_path))
    steps_called = []
    real = P.run_once

    def spy(loaded, timer, **kw):
        steps_called.append(kw["steps"])
        return real(loaded, timer, **kw)

    monkeypatch.setattr(P, "run_once", spy)
    events = []
    c = make_config(arch="tiny", steps=4, device="cpu", presets=["stock"], min_runs=2, min_seconds=0,
                    idle_seconds=0, gemm_seconds=0.2, warmup_runs=1, store=False)
    rec = run_benchmark(c, progress=events.append)
    assert [e["phase"] for e in events] == ["build", "warmup", "timed", "timed", "gemm"]
    assert steps_called[0] == 1, "the warm-up call makes one step"
    assert all(s == 4 for s in steps_called[1:]) and len(steps_called) >= 3  # timed calls at full length
    assert rec.presets[0].health and rec.presets[0].health["modules_checked"] > 0  # still checked on the warm-up
    assert rec.timeline["gemm_probes"]["float32"]["best_flops"] > 0  # the probe still priced the run
    assert rec.summary.utilisation_vs_probe is None or 0 < rec.summary.utilisation_vs_probe


def test_warmup_steps_setting():
    from artcost.bench.config import make_config
    from artcost.errors import UserError

    c = make_config(arch="tiny", steps=6, device="cpu")
    assert c.warmup_steps_for(compiled=False) == 1
    assert c.warmup_steps_for(compiled=True) == 6  # a compiled denoiser warms up at full length
    assert make_config(arch="tiny", steps=6, warmup_steps=3).warmup_steps_for(False) == 3
    with pytest.raises(UserError, match="warmup_steps: a warm-up call of 9 steps is longer than the timed calls' 2"):
        make_config(arch="tiny", steps=2, warmup_steps=9)  # said, not cut down silently


@pytest.mark.parametrize("flag, value, said", [
    ("--guidance-scale", "nan", "--guidance-scale: must be a finite number (got nan)"),
    ("--gemm-seconds", "nan", "--gemm-seconds: must be a finite number (got nan)"),
    ("--min-seconds", "inf", "--min-seconds: must be a finite number (got inf)"),
    ("--idle-seconds", "nan", "--idle-seconds: must be a finite number (got nan)"),
    ("--host-mem-ceiling-gb", "nan", "--host-mem-ceiling-gb: must be a finite number of GB (got nan)"),
])
def test_non_finite_settings_are_refused(flag, value, said, data_dir):
    """NaN passed every '>= 0' check: a NaN GEMM budget gave a 3 GFLOP/s probe, inf seconds ran until max_runs."""
    from typer.testing import CliRunner

    from artcost.cli.bench import bench_app
    from artcost.errors import UserError

    res = CliRunner().invoke(bench_app, ["--arch", "tiny", "--device", "cpu", "--no-store", flag, value])
    assert isinstance(res.exception, UserError) and res.exception.problems == [said]


def test_contradictory_run_counts_are_refused(data_dir):
    from typer.testing import CliRunner

    from artcost.cli.bench import bench_app
    from artcost.errors import UserError

    res = CliRunner().invoke(bench_app, ["--arch", "tiny", "--device", "cpu", "--min-runs", "5", "--max-runs", "2"])
    assert isinstance(res.exception, UserError)
    assert res.exception.problems == ["--min-runs: at least 5 timed runs cannot be made with --max-runs 2"]


def test_bad_json_out_is_refused_before_measuring(tmp_path, monkeypatch):
    """A bad --json-out was found after the measurement, with the record already stored, and exit 2."""
    from typer.testing import CliRunner

    from artcost.cli.bench import bench_app
    from artcost.errors import UserError

    monkeypatch.setenv("ARTCOST_DATA", str(tmp_path / "data"))
    built = []
    monkeypatch.setattr("artcost.bench.loading.build_synthetic_pipeline", lambda *a, **k: built.append(a))
    res = CliRunner().invoke(bench_app, ["--arch", "tiny", "--device", "cpu", "--json-out", str(tmp_path / "no" / "x.json")])
    assert isinstance(res.exception, UserError)
    assert res.exception.problems == [f"--json-out {tmp_path / 'no' / 'x.json'}: cannot write it: no folder "
                                      f"{tmp_path / 'no'}; nothing was measured"]  # the output guard's words
    assert not built and not (tmp_path / "data").exists()


def test_a_failed_activation_check_is_a_measurement_error(tmp_path, monkeypatch):
    """Non-finite activations were a note the console never printed: a NaN run read as a valid record."""
    from artcost.bench.config import make_config
    from artcost.bench.record import measurement_errors
    from artcost.bench.runner import run_benchmark

    monkeypatch.setenv("ARTCOST_DATA", str(tmp_path))
    c = make_config(arch="tiny", steps=1, guidance_scale=1e30, device="cpu", min_runs=1, min_seconds=0,
                    idle_seconds=0, gemm_seconds=0, store=False)
    rec = run_benchmark(c)
    errors = measurement_errors(rec)
    assert any("activation check failed on the warm-up call" in e and "non-finite" in e for e in errors), errors


def test_no_result_for_the_primary_preset_names_no_argument(tmp_path, monkeypatch):
    """'primary_preset: no result for preset stock (out of memory ...)' read as a mistyped flag."""
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark
    from artcost.errors import ArgumentError, UserError

    monkeypatch.setenv("ARTCOST_DATA", str(tmp_path))
    c = make_config(arch="tiny", steps=1, device="cpu", min_runs=1, min_seconds=0, idle_seconds=0, gemm_seconds=0,
                    host_mem_ceiling_gb=0.001, store=False)
    with pytest.raises(UserError) as exc:
        run_benchmark(c)
    assert not isinstance(exc.value, ArgumentError)
    assert exc.value.problems[0].startswith("the primary preset (stock) has no result: out of memory")
