"""`bench_overrides`: the cost model's bridge to stored records (works without torch)."""

from __future__ import annotations

import types

import pytest

from artcost.bench.apply import bench_overrides
from artcost.bench.record import BenchRecord
from artcost.bench.store import ResultStore
from artcost.errors import UserError


def _record(res=256, steps=5, mean_w=None):
    return BenchRecord(
        created_at="2026-11-25T06:00:00+00:00",
        config={"arch": "sd15", "resolution": res, "steps": steps, "device": "cpu"},
        environment={"device_name": "CPU: Intel(R) Xeon(R) Processor (2 threads)"},
        weights_label="synthetic-weights",
        energy_meter={"meter": "rapl" if mean_w else "none"},
        summary={"seconds_per_image": 12.0, "cfg": True, "mean_w": mean_w},
        presets=[{"name": "stock", "status": "ok", "summary": {"unet_calls_per_run": steps + 1}}],
    )


def _scenario(res=256, steps=5, arch="sd15"):
    return types.SimpleNamespace(generation=types.SimpleNamespace(resolution_px=res, steps=steps, arch=arch))


def test_matching_record(data_dir):
    rid = ResultStore().save(_record(mean_w=65.0))
    ov, prov = bench_overrides("latest", _scenario())
    assert ov == {"generation.seconds_per_image": 12.0, "compute.owned.board_power_w": 65.0,
                  "generation.device": f"CPU: Intel(R) Xeon(R) Processor (2 threads) (bench record {rid})"}
    assert prov.startswith(f"measured: bench record {rid} on CPU: Intel")
    assert "2026-11-25" in prov and "synthetic-weights" in prov
    ov, _ = bench_overrides(str(rid), _scenario(res=None, steps=None, arch=None))
    assert ov["generation.seconds_per_image"] == 12.0


def test_power_only_when_measured(data_dir):
    ResultStore().save(_record())
    ov, prov = bench_overrides("latest", _scenario())
    assert "compute.owned.board_power_w" not in ov and "power not measured" in prov


def test_mismatch_refused_then_scaled(data_dir):
    rid = ResultStore().save(_record())
    with pytest.raises(UserError, match="resolution 256px vs scenario 512px"):
        bench_overrides("latest", _scenario(res=512, steps=20))
    ov, prov = bench_overrides(str(rid), _scenario(res=512, steps=20), scale_by_flops=True)
    ratio = ov["generation.seconds_per_image"] / 12.0
    assert 10 < ratio < 25  # ~4.5x per UNet call at 512² and 4x the steps
    assert prov.startswith(f"scaled from bench record {rid}") and f"x{ratio:.2f}" in prov


def test_missing_and_wrong_arch(data_dir):
    with pytest.raises(UserError, match="no bench records yet"):
        bench_overrides("latest", _scenario())
    ResultStore().save(_record())
    with pytest.raises(UserError, match="no bench record with id 42"):
        bench_overrides("42", _scenario())
    with pytest.raises(UserError, match="expected 'latest' or a record id"):
        bench_overrides("newest", _scenario())
    with pytest.raises(UserError, match="measured sd15, the scenario uses sdxl"):
        bench_overrides("latest", _scenario(arch="sdxl"))


def test_no_torch_import_needed():
    import subprocess
    import sys

    code = ("import sys; sys.modules['torch'] = None; sys.modules['diffusers'] = None\n"
            "import artcost.bench.apply, artcost.bench.store, artcost.bench.record, artcost.bench.config\n"
            "import artcost.cli.bench, artcost.bench.runner, artcost.bench.energy\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_missing_extra_message():
    import subprocess
    import sys

    code = ("import sys; sys.modules['torch'] = None\n"
            "from artcost.bench.pipeline import import_torch\n"
            "from artcost.errors import MissingExtraError\n"
            "try:\n    import_torch()\nexcept MissingExtraError as e:\n    print(e.problems[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "artcost bench needs the optional 'bench' extra" in out.stdout, out.stderr


def test_power_not_forced_onto_a_rented_scenario(data_dir):
    ResultStore().save(_record(mean_w=65.0))
    scenario = _scenario()
    scenario.compute = types.SimpleNamespace(kind="cloud")
    ov, prov = bench_overrides("latest", scenario)
    assert "compute.owned.board_power_w" not in ov  # would add a second compute kind
    assert "measured but not used" in prov


def test_cost_command_uses_and_labels_a_record(data_dir, capsys):
    import json
    from pathlib import Path

    from artcost.cli import main

    seed = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
    # Measured on the scenario's own GPU: priced as the scenario, labelled with the record.  (Before issue #15 this
    # test used a CPU record and pinned a cost that joined the CPU's speed with the RTX 3060 Ti's price and power,
    # behind a warning: that combination is now never priced; tests/bench/test_measured_speed.py covers it.)
    rec = _record(res=512, steps=20)
    rec.environment["device_name"] = "NVIDIA GeForce RTX 3060 Ti"
    rid = ResultStore().save(rec)
    assert main(["cost", str(seed), "--from-bench", "latest", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["inputs"]["generation.seconds_per_image"]["value"] == 12.0
    assert r["generation"]["seconds_per_image_source"].startswith(f"measured: bench record {rid}")
    assert r["scenario"]["device"].startswith("NVIDIA GeForce RTX 3060 Ti")
    assert not any("mix two machines" in w for w in r["warnings"])  # one machine: its own price and power
    # an explicit --set still wins over the benchmark
    assert main(["cost", str(seed), "--from-bench", str(rid), "--set", "generation.seconds_per_image=3", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["inputs"]["generation.seconds_per_image"]["value"] == 3
    # a record at other settings is refused with the reason, exit 2
    ResultStore().save(_record(res=256, steps=5))
    assert main(["cost", str(seed), "--from-bench", "latest"]) == 2
    assert "--scale-by-flops" in capsys.readouterr().err


def test_scale_by_flops_counts_pndm_extra_call_once(data_dir):
    """Record: sd15 256 px, 5 steps, PNDM (6 UNet calls). Scenario: 512 px, 20 steps (21 calls)."""
    import json
    from pathlib import Path

    table = json.loads((Path(__file__).resolve().parents[2] / "bench" / "configs" / "flops_table.json").read_text())
    a, b = table["sd15"]["256"], table["sd15"]["512"]
    # CFG: 2 text passes, 2 UNet rows per call, 1 decode per image.
    rec_f = 2 * a["text_per_row"]["text_encoder"] + (5 + 1) * 2 * a["unet_per_row"] + a["vae_decode_per_row"]
    want_f = 2 * b["text_per_row"]["text_encoder"] + (20 + 1) * 2 * b["unet_per_row"] + b["vae_decode_per_row"]
    rid = ResultStore().save(_record())
    ov, _ = bench_overrides(str(rid), _scenario(res=512, steps=20), scale_by_flops=True)
    assert ov["generation.seconds_per_image"] / 12.0 == pytest.approx(want_f / rec_f, rel=1e-9)


def test_settings_mismatch_is_said_in_each_front_ends_words(data_dir, tmp_path, capsys):
    """Issue #14: the library names its arguments (`from_bench`, `scale_by_flops`); the CLI says the flags, a
    scenario's own generation.from_bench is named as the file's field, the dashboard names its checkbox."""
    from pathlib import Path

    from artcost.bench.apply import bench_overrides
    from artcost.cli import main
    from artcost.dashboard.bench_job import apply_record
    from artcost.errors import ArgumentError, UserError
    from artcost.model.loader import load_scenario

    seed = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
    rec = _record(res=256, steps=5)
    rec.environment["device_name"] = "NVIDIA GeForce RTX 3060 Ti"
    rid = ResultStore().save(rec)
    with pytest.raises(ArgumentError) as exc:
        bench_overrides(str(rid), load_scenario(seed).scenario, False)
    assert exc.value.argument == "from_bench" and "--" not in str(exc.value)
    assert main(["cost", str(seed), "--from-bench", str(rid)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: --from-bench {rid}: record {rid} was measured at") and "--scale-by-flops" in line
    own = tmp_path / "own.yaml"
    own.write_text(seed.read_text().replace("generation:\n", f"generation:\n  from_bench: '{rid}'\n", 1))
    assert main(["cost", str(own)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"own.yaml: generation.from_bench {rid}: record {rid}" in line and "--" not in line
    with pytest.raises(UserError) as exc:
        apply_record(ResultStore().resolve(str(rid)), load_scenario(seed).scenario, False)
    assert "tick 'Scale by counted FLOPs'" in str(exc.value) and "--" not in str(exc.value)
