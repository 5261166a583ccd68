"""`artcost bench compare ID`: our record beside the published runs of its model, normalised by counted FLOPs,
with precision and energy-scope differences flagged (issue #17)."""

from __future__ import annotations

import json

import pytest

from artcost.bench.record import BenchRecord
from artcost.bench.store import ResultStore
from artcost.cli import main
from artcost.model.bench_compare import compare_record
from artcost.model.catalogue import flops


def _record(dtype: str = "float32") -> BenchRecord:
    rec = BenchRecord(
        created_at="2026-12-01T06:00:00+00:00",
        config={"arch": "sdxl", "resolution": 1024, "steps": 20, "device": "cuda", "dtype": dtype},
        environment={"device_name": "NVIDIA GeForce RTX 4090"}, weights_label="synthetic-weights",
        energy_meter={"meter": "nvml-counter", "reason": None},
        summary={"seconds_per_image": 3.0, "cfg": True, "mean_w": 400.0, "joules_per_image_gross": 1200.0,
                 "batch_size": 1},
        presets=[{"name": "stock", "status": "ok", "summary": {"unet_calls_per_run": 21}}],
    )
    rec.id = ResultStore().save(rec)
    return rec


def test_rows_are_brought_to_our_settings_by_counted_flops():
    d = compare_record(_record())
    rows = {r["id"]: r for r in d["rows"]}
    # ML.ENERGY H100 SDXL: 2.258 s at 25 steps; at our 20 steps x FLOPs(20)/FLOPs(25)
    ratio = flops("sdxl", 1024, 20, True) / flops("sdxl", 1024, 25, True)
    assert 0.79 < ratio < 0.82
    h100 = rows["mlenergy-v2-h100-sdxl-25s-bs1"]
    assert h100["flop_ratio"] == pytest.approx(ratio)
    assert h100["seconds_per_image_at_record_settings"] == pytest.approx(2.258 * ratio)
    assert h100["joules_per_image_at_record_settings"] == pytest.approx(969.4 * ratio)
    assert h100["record_over_row"] == pytest.approx(3.0 / (2.258 * ratio))
    # the same settings: no scaling
    same = rows["onediff-rtx4090-sdxl-20s-pytorch"]
    assert same["flop_ratio"] is None and same["record_over_row"] == pytest.approx(3.0 / 2.76)
    # eight GPUs on one image are compared per GPU: 0.1036 s x 8 GPU-seconds
    eight = rows["mlperf-v40-8xh100-maxq-sdxl-20s-1024-offline"]
    assert eight["record_over_row"] == pytest.approx(3.0 / (0.1036 * 8))
    # our achieved rate: counted FLOPs per image / seconds
    assert d["record"]["achieved_tflops"] == pytest.approx(flops("sdxl", 1024, 20, True) / 3.0 / 1e12)
    # only rows of the record's architecture; SDXL-Turbo's weights are SDXL's UNet, said so
    assert all(r["model"] in ("sdxl", "sdxl-turbo") for r in d["rows"])
    turbo = rows["mlenergy-v2-h100-sdxlturbo-25s-bs1"]
    assert turbo["flags"][0] == "sdxl-turbo weights (the sdxl architecture)"


def test_precision_and_energy_scope_differences_are_flagged():
    d = compare_record(_record(dtype="float32"))
    rows = {r["id"]: r for r in d["rows"]}
    assert d["record"]["energy_scope"] == "gpu_only"
    assert "precision differs: fp16 published, float32 here" in rows["mlenergy-v2-h100-sdxl-25s-bs1"]["flags"]
    wall = rows["mlperf-v40-8xh100-maxq-sdxl-20s-1024-offline"]["flags"]
    assert any(f.startswith("energy scope differs: at the wall") for f in wall)
    d16 = compare_record(_record(dtype="float16"))
    assert not any("precision differs" in f for f in {r["id"]: r for r in d16["rows"]}["mlenergy-v2-h100-sdxl-25s-bs1"]["flags"])
    assert {s["id"] for s in d["not_comparable"]} >= {"stablefast-h100-sdxl-bs1-torch21"}


def test_the_command_prints_the_table_and_strict_json(capsys):
    rec = _record()
    assert main(["bench", "compare", str(rec.id)]) == 0
    out = capsys.readouterr().out
    assert "Published runs of the same model, at our settings" in out and "What the FLOPs do not even out" in out

    def bad(x):
        raise AssertionError(x)

    assert main(["bench", "compare", "latest", "--json"]) == 0
    d = json.loads(capsys.readouterr().out, parse_constant=bad)
    assert d["kind"] == "bench_compare" and d["record"]["id"] == rec.id and d["rows"]


def test_an_unknown_record_is_one_line_and_exit_2(capsys):
    assert main(["bench", "compare", "999"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:")


def test_a_run_is_set_beside_ours_only_with_precision_flops_and_the_same_energy_scope():
    """Issue #26: Luccioni et al.'s whole-node fp32 rows and ML.ENERGY's GPU-only rows are not mixed with ours."""
    d = compare_record(_record(dtype="float16"))
    rows = {r["id"]: r for r in d["rows"]}
    # the same scope (GPU board, NVML): energy beside ours
    assert rows["mlenergy-v2-h100-sdxl-25s-bs1"]["energy_comparable"] is True
    # a whole node of 8 A100s (seven idle) and modelled CPU/RAM: its seconds beside ours, its joules not
    node = rows["luccioni-a100-80gb-sdxl-50s-fp32-node"]
    assert node["joules_per_image_at_record_settings"] is None and node["energy_comparable"] is False
    assert any(f.startswith("energy not set beside ours: whole server") for f in node["flags"])
    assert any("precision differs: fp32 published" in f for f in node["flags"])
    wall = rows["mlperf-v40-8xh100-maxq-sdxl-20s-1024-offline"]
    assert wall["joules_per_image_at_record_settings"] is None
    # a row that states no precision is listed as not comparable, with the reason
    why = {s["id"]: s["why"] for s in d["not_comparable"]}
    assert all(r["precision"] not in ("unknown",) for r in d["rows"])
    assert any(w == "the source states no precision" for w in why.values()) or not any(
        r.precision == "unknown" and r.flop_arch == "sdxl" for r in __import__("artcost.model.catalogue", fromlist=["x"]).catalogue())


def test_a_record_without_precision_is_beside_nothing():
    d = compare_record(_record(dtype=""))
    assert d["rows"] == [] and d["not_comparable"]
    assert all("our record states no precision" in s["why"] for s in d["not_comparable"])
