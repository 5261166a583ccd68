"""A scenario's speed from a published run (`generation.from_catalogue`), and a benchmark record as a route of its
own ("this machine, measured"), priced only with the machine that measured it (issue #17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from artcost.bench.record import BenchRecord
from artcost.bench.store import ResultStore
from artcost.cli import main
from artcost.errors import UserError
from artcost.model.catalogue import catalogue, speed_at
from artcost.model.loader import load_scenario
from artcost.model.routes import routes_for

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
STUDIO = REPO / "scenarios" / "studio-cloud-h100.yaml"


def _studio_from(tmp_path: Path, row: str, **gen) -> Path:
    raw = yaml.safe_load(STUDIO.read_text())
    del raw["generation"]["seconds_per_image"]
    raw["generation"]["from_catalogue"] = row
    raw["generation"].update(gen)
    p = tmp_path / "studio-catalogue.yaml"
    p.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    return p


def test_speed_from_a_published_run_at_its_own_settings(tmp_path):
    # mlenergy-v2-h100-sdxl-25s-bs1: SDXL 1024 px, 25 steps, batch 1 on an H100: 2.258 s; the studio's job is the same
    loaded = load_scenario(_studio_from(tmp_path, "mlenergy-v2-h100-sdxl-25s-bs1"))
    g = loaded.scenario.generation
    assert g.seconds_per_image.central == 2.258 and g.batch_size == 1
    src = loaded.source_of("generation.seconds_per_image")
    assert "published, ML.ENERGY" in src and "row mlenergy-v2-h100-sdxl-25s-bs1" in src
    assert "scaled" not in src


def test_speed_from_a_run_at_other_steps_is_scaled_and_says_what_differs(tmp_path):
    # MLPerf's H100 SDXL row runs 20 steps (int8 UNet, TensorRT, harness batch): the studio's 25 steps are scaled
    row = catalogue().by_id["mlperf-v40-h100-sdxl-20s-1024-offline"]
    loaded = load_scenario(_studio_from(tmp_path, row.id))
    want = speed_at(row, "sdxl", 1024, 25)
    assert 1.2 < want.flop_ratio < 1.26  # 25/20 steps of the UNet, the text encoders and VAE once
    assert loaded.scenario.generation.seconds_per_image.central == pytest.approx(0.609 * want.flop_ratio)
    src = loaded.source_of("generation.seconds_per_image")
    assert "scaled by counted FLOPs" in src and "20->25 steps" in src
    assert "precision int8" in src and "optimised runtime" in src and "batch size chosen by the harness" in src


@pytest.mark.parametrize("row,words", [
    ("mlenergy-v1-a100-40gb-sdxl-50s-bs1", "the row was measured on NVIDIA A100 SXM4 40GB, but the scenario prices "
                                           "NVIDIA H100 SXM (rented)"),
    ("mlenergy-v2-h100-openjourney4-25s-bs1", "the row ran sd15, the scenario sdxl"),
    ("mlenergy-v2-h100-sdxl-25s-bs", "published_runs.yaml (did you mean "
                                     "'mlenergy-v2-h100-sdxl-25s-bs1'?)"),
])
def test_a_row_that_does_not_fit_is_one_line(tmp_path, row, words):
    with pytest.raises(UserError) as exc:
        load_scenario(_studio_from(tmp_path, row))
    (line,) = exc.value.problems
    assert "generation.from_catalogue" in line and words in line


def test_a_catalogue_speed_route_carries_the_published_energy(tmp_path):
    # the studio rents an H100 at ML.ENERGY's speed: its route's energy is ML.ENERGY's joules (GPU board), not an estimate
    res = routes_for(_studio_from(tmp_path, "mlenergy-v2-h100-sdxl-25s-bs1"))
    own = next(r for r in res.routes if r.kind == "scenario")
    assert own.carbon.basis.startswith("published")
    sc = own.loaded.scenario
    usable = own.point["usable_images"]
    assert own.carbon.energy_kwh == pytest.approx(969.4 * sc.generation.candidates_per_job.central / 3.6e6 / usable)


def _record(device: str, spi: float, mean_w: float | None = None) -> int:
    rec = BenchRecord(
        created_at="2026-12-01T06:00:00+00:00",
        config={"arch": "sd15", "resolution": 512, "steps": 20, "device": "cuda"},
        environment={"device_name": device},
        weights_label="synthetic-weights",
        energy_meter={"meter": "nvml-counter", "reason": None} if mean_w else {"meter": "none", "reason": "test"},
        summary={"seconds_per_image": spi, "cfg": True, "mean_w": mean_w, "batch_size": 1},
        presets=[{"name": "stock", "status": "ok", "summary": {"unet_calls_per_run": 21}}],
    )
    return ResultStore().save(rec)


def test_a_record_of_the_scenarios_own_gpu_joins_as_a_priced_route():
    _record("NVIDIA GeForce RTX 3060 Ti", spi=2.0, mean_w=180.0)
    res = routes_for(SEED, from_bench="latest")
    m = next(r for r in res.routes if r.kind == "measured")
    assert m.name.startswith("this machine, measured") and m.cost is not None and m.rank is not None
    # 2.0 s x 500 candidates = 1,000 GPU-s a job on the scenario's own card
    assert m.point["gpu_seconds"] == pytest.approx(1000.0)
    assert "bench record" in m.speed_source
    base = next(r for r in res.routes if r.kind == "scenario")
    assert m.point["per_usable_image"] < base.point["per_usable_image"]  # faster than the scenario's 2.75 s


def test_a_record_of_another_machine_is_not_priced_with_the_scenarios_gpu(capsys):
    _record("CPU: Intel Xeon (2 threads)", spi=40.0)
    res = routes_for(SEED, from_bench="latest")
    m = next(r for r in res.routes if r.kind == "measured")
    assert m.cost is None and m.rank is None and m.unpriced_because
    assert any("compute.owned.purchase_price" in n for n in m.notes)
    assert m.point["gpu_seconds"] == pytest.approx(40.0 * 500)
    assert main(["routes", str(SEED), "--from-bench", "latest", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    row = next(r for r in d["routes"] if r["kind"] == "measured")
    assert row["cost_per_usable_image"] is None and row["unpriced_because"]


def test_the_command_names_the_flags_to_price_another_machine(capsys):
    _record("CPU: Intel Xeon (2 threads)", spi=40.0)
    assert main(["routes", str(SEED), "--from-bench", "latest"]) == 0
    out = capsys.readouterr().out
    assert "this machine," in out and "not priced" in out
    assert "to price it: --set compute.owned.purchase_price=N" in out
