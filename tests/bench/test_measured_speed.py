"""A measured speed is priced only on the machine that measured it (issue #15).

A CPU record used with the seed scenario (an RTX 3060 Ti's price and power) must never give a cost
headline that joins the two machines: `artcost cost --from-bench` reports what was measured, at the
scenario's settings, how many times slower than the scenario's GPU, and which fields to give; with
the measured machine's own price and power it is priced on that machine alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artcost.bench.record import BenchRecord
from artcost.bench.store import ResultStore
from artcost.cli import main
from artcost.model.measured import MeasuredSpeed, device_key, load_measured, same_device

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SEED = SCENARIOS / "seed-2022-hobbyist-3060ti.yaml"
CPU = "CPU: AMD EPYC (2 threads)"


def _record(device=CPU, arch="sd15", res=256, steps=3, spi=32.4, mean_w=None) -> int:
    rec = BenchRecord(
        created_at="2026-12-01T06:00:00+00:00",
        config={"arch": arch, "resolution": res, "steps": steps, "device": "cpu"},
        environment={"device_name": device},
        weights_label="synthetic-weights",
        energy_meter={"meter": "rapl", "reason": None} if mean_w else {"meter": "none", "reason": "RAPL: no powercap interface"},
        summary={"seconds_per_image": spi, "cfg": True, "mean_w": mean_w, "batch_size": 1},
        presets=[{"name": "stock", "status": "ok", "summary": {"unet_calls_per_run": steps + 1}}],
    )
    return ResultStore().save(rec)


def _cost(capsys, *args) -> tuple[int, str, str]:
    rc = main(["cost", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_device_names_compare_by_chip():
    assert device_key("NVIDIA GeForce RTX 3060 Ti") == {"rtx", "3060", "ti"}
    assert same_device("NVIDIA H100 80GB HBM3", "NVIDIA H100 SXM (rented)")
    assert same_device("NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090")
    assert not same_device("NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3060 Ti")
    assert not same_device(CPU, "NVIDIA GeForce RTX 3060 Ti")
    assert same_device(CPU, None) is None  # a scenario that names no device cannot be told apart


def test_cpu_record_on_the_gpu_scenario_prints_no_combined_headline(data_dir, capsys):
    """`make run` step 2 on a CPU: what was measured and what it means, never 'One usable image: ... on CPU'."""
    rid = _record()
    rc, out, err = _cost(capsys, str(SEED), "--from-bench", "latest", "--scale-by-flops", "--brief")
    assert rc == 0, err
    assert "One usable image" not in out and "from the artist" not in out and "GPU-min" not in out
    # the text after the title line, its lines joined: a long checkout path (a clone under /tmp/.../artcost)
    # or a narrow terminal wraps the title, and line [1] was then the title's second half
    title_end = "as of 2022-10-15)"
    flat = " ".join(out.split())
    first = flat[flat.index(title_end) + len(title_end):].lstrip()
    assert first.startswith(f"Measured on {CPU}:") and "at the scenario's sd15 512px, 20 steps" in first[:300]
    assert "x slower than the scenario's NVIDIA GeForce RTX 3060 Ti (2.75 s per image)" in first[:400]
    assert f"32.4 s per image at sd15 256px, 3 steps (bench record {rid}" in out
    assert "scaled by counted FLOPs" in out
    assert "--set compute.owned.purchase_price=N" in out and "--set compute.owned.board_power_w=N" in out


def test_measured_only_json_is_the_same_as_data(data_dir, capsys):
    _record()
    rc, out, _ = _cost(capsys, str(SEED), "--from-bench", "latest", "--scale-by-flops", "--json")
    assert rc == 0
    d = json.loads(out)
    assert d["kind"] == "measured_speed" and d["priced"] is False and d["cost"] is None
    m = d["this_machine"]
    assert m["seconds_per_image"] == pytest.approx(32.4 * m["flop_scale"])
    assert m["times_scenario_seconds_per_image"] == pytest.approx(m["seconds_per_image"] / 2.75)
    assert m["job_seconds"] == pytest.approx(500 * m["seconds_per_image"])
    assert [x["field"] for x in d["missing"]] == ["compute.owned.purchase_price", "compute.owned.board_power_w"]
    assert d["lines"][0] == d["sentence"]


def test_measured_power_leaves_only_the_price_to_give(data_dir):
    _record(mean_w=65.0)
    ms = load_measured(SEED, None, "latest", True)
    assert isinstance(ms, MeasuredSpeed) and not ms.priced
    assert ms.missing == ["compute.owned.purchase_price"] and ms.power_w == 65.0
    assert any("65 W measured" in line for line in ms.lines())


def test_with_its_own_price_and_power_the_job_is_priced_on_the_measured_machine(data_dir, capsys):
    _record()
    rc, out, err = _cost(capsys, str(SEED), "--from-bench", "latest", "--scale-by-flops", "--json",
                         "--set", "compute.owned.purchase_price=700USD", "--set", "compute.owned.board_power_w=65")
    assert rc == 0, err
    d = json.loads(out)
    assert d["priced"] is True and d["kind"] == "measured_speed"
    r = d["cost"]
    inputs = r["inputs"]
    # this machine's figures only: its price (converted at 2022's rate), its power, no resale of the 3060 Ti
    assert inputs["compute.owned.purchase_price"]["value"] == pytest.approx(700 * 6.729)
    assert "700 USD" in inputs["compute.owned.purchase_price"]["source"]
    assert inputs["compute.owned.board_power_w"]["value"] == 65
    assert inputs["compute.owned.resale_value"]["value"] == 0 and "not given" in inputs["compute.owned.resale_value"]["source"]
    assert inputs["compute.owned.system_power_w"]["value"] == 0
    assert r["scenario"]["device"].startswith(CPU)
    assert not any("mix two machines" in w for w in r["warnings"])
    rc, text, _ = _cost(capsys, str(SEED), "--from-bench", "latest", "--scale-by-flops", "--brief",
                        "--set", "compute.owned.purchase_price=700USD", "--set", "compute.owned.board_power_w=65")
    assert text.index("Measured on") < text.index("One usable image")  # the report first, then the priced cost


def test_commands_that_need_a_priced_scenario_refuse_another_machines_record(data_dir, tmp_path, capsys):
    rid = _record(res=512, steps=20)
    f = tmp_path / "seed-from-bench.yaml"
    f.write_text(SEED.read_text().replace("generation:\n", f"generation:\n  from_bench: '{rid}'\n", 1))
    (tmp_path / "seed-2022-hobbyist-3060ti.yaml").write_text(SEED.read_text())
    assert main(["compare", str(f), str(SEED)]) == 2
    err = capsys.readouterr().err
    assert f"bench record {rid} was measured on {CPU}" in err and "--set compute.owned.purchase_price=N" in err


def test_cloud_scenario_needs_the_rental_price_of_the_measured_machine(data_dir):
    _record(arch="sdxl", res=1024, steps=25, spi=900.0)
    h100 = SCENARIOS / "studio-cloud-h100.yaml"
    ms = load_measured(h100, None, "latest")
    assert isinstance(ms, MeasuredSpeed) and not ms.priced
    assert ms.missing == ["compute.cloud.price_per_gpu_hour"]
    priced = load_measured(h100, {"compute.cloud.price_per_gpu_hour": 0.5}, "latest")
    assert priced.priced and priced.loaded.scenario.compute.cloud.price_per_gpu_hour.central == 0.5


def test_subscription_is_not_priced_by_a_local_speed(data_dir):
    _record(spi=20.0)
    ms = load_measured(SCENARIOS / "subscription-midjourney.yaml", None, "latest")
    assert isinstance(ms, MeasuredSpeed) and not ms.priced and not ms.missing
    assert "subscription" in ms.not_priced_because


def test_a_record_from_the_scenarios_own_gpu_is_priced_as_before(data_dir, capsys):
    _record(device="NVIDIA GeForce RTX 3060 Ti", res=512, steps=20, spi=3.1)
    rc, out, _ = _cost(capsys, str(SEED), "--from-bench", "latest", "--json")
    r = json.loads(out)
    assert rc == 0 and "breakdown" in r and "kind" not in r
    assert r["inputs"]["generation.seconds_per_image"]["value"] == 3.1


def test_the_dashboard_does_not_apply_another_machines_speed(data_dir):
    """The Benchmark page's 'use a result as the scenario's speed' refuses it too, saying what was measured."""
    from artcost.dashboard import bench_job
    from artcost.errors import UserError
    from artcost.model.loader import load_scenario

    rid = _record()
    rec = ResultStore().resolve(str(rid))
    with pytest.raises(UserError) as exc:
        bench_job.apply_record(rec, load_scenario(SEED).scenario, True)
    first, why = exc.value.problems
    assert first.startswith(f"Measured on {CPU}:") and "slower than the scenario's NVIDIA GeForce RTX 3060 Ti" in first
    assert why.startswith("Not applied:") and "--set compute.owned.purchase_price=N" in why


def test_the_model_names_fields_and_the_cli_names_flags(data_dir, capsys):
    """Issue #14: the library's refusal and report name the fields to give; only the CLI says `--set` and
    which `artcost` command shows the measurement."""
    from artcost.model.measured import UnpricedMeasurement, load_with_options

    rid = _record(res=512, steps=20)
    with pytest.raises(UnpricedMeasurement) as exc:
        load_with_options(SEED, None, str(rid))
    (line,) = exc.value.problems
    # the words the library itself says, without the scenario's path: a checkout in a folder named
    # 'artcost' (or 'a--b') put the word in every line and failed this test in any such clone
    said = line.replace(str(SEED), "SCENARIO")
    assert said.startswith("SCENARIO") and str(SEED) in line
    assert "compute.owned.purchase_price" in said and "--" not in said and "artcost" not in said
    ms = load_measured(SEED, None, str(rid))
    assert not any("--set" in x for x in ms.lines()) and any("compute.owned.board_power_w" in x for x in ms.lines())
    assert main(["cost", str(SEED), "--from-bench", str(rid), "--brief"]) == 0
    assert "--set compute.owned.purchase_price=N" in capsys.readouterr().out
