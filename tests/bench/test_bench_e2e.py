"""The tiny pipeline end to end through the CLI: timings, record round trip, list/show/export."""

from __future__ import annotations

import csv
import json

import pytest

pytest.importorskip("diffusers")

from typer.testing import CliRunner  # noqa: E402

from artcost.cli.bench import bench_app as app  # noqa: E402
from artcost.bench.store import ResultStore  # noqa: E402

runner = CliRunner()
TINY = ["--arch", "tiny", "--device", "cpu", "--steps", "2", "--min-runs", "2", "--min-seconds", "0",
        "--idle-seconds", "0", "--gemm-seconds", "0.2"]


@pytest.fixture(scope="module")
def tiny_record(tmp_path_factory):
    import os

    d = tmp_path_factory.mktemp("data")
    old = os.environ.get("ARTCOST_DATA")
    os.environ["ARTCOST_DATA"] = str(d)
    try:
        res = runner.invoke(app, TINY + ["--presets", "stock,channels_last,bf16"])
        assert res.exit_code == 0, res.output + repr(res.exception)
        rec = ResultStore().latest()
        yield d, rec, res.output
    finally:
        if old is None:
            os.environ.pop("ARTCOST_DATA", None)
        else:
            os.environ["ARTCOST_DATA"] = old


def test_timings_positive_and_consistent(tiny_record):
    _, rec, out = tiny_record
    assert rec.weights_label == "synthetic-weights"
    assert rec.tokenizer == "fixed-token-ids"
    stock = rec.preset("stock")
    assert stock.status == "ok" and len(stock.runs) >= 2
    for run in stock.runs:
        assert run["total_s"] > 0 and run["text_s"] > 0 and run["decode_s"] > 0
        assert all(s > 0 for s in run["step_s"])
        assert len(run["step_s"]) == run["unet_calls"]  # PNDM: steps + 1 iterations, one UNet call each
        phases = run["text_s"] + sum(run["step_s"]) + run["decode_s"]
        assert phases <= run["total_s"] + 1e-6
        assert run["overhead_s"] == pytest.approx(run["total_s"] - phases)
        assert run["unet_rows"] == 2 * run["unet_calls"]  # CFG doubles the UNet batch
    s = stock.summary
    assert s["seconds_per_image"] == pytest.approx(sum(r["total_s"] for r in stock.runs) / len(stock.runs))
    assert 0 <= s["harness_overhead_share"] < 0.5
    assert s["seconds_per_image_stats"]["p95"] >= s["seconds_per_image_stats"]["median"] > 0
    assert stock.ratio_to_stock["seconds_per_image"] == pytest.approx(1.0)
    assert rec.preset("channels_last").ratio_to_stock["seconds_per_image"] > 0
    assert stock.health["ok"] and stock.health["nonfinite_outputs"] == 0
    assert stock.flops["per_image"] > 0 and 0 < stock.utilisation["vs_probe"]
    assert stock.utilisation["vs_datasheet"] is None  # CPU: no datasheet peak
    assert rec.summary["joules_per_image_gross"] is None and rec.summary["energy_reason"]
    assert rec.environment["torch"] and rec.environment["python"]
    assert rec.timeline["startup_to_first_timed_step_s"] > 0
    assert "stock" in out and "channels_last" in out


def test_record_round_trip(tiny_record):
    d, rec, _ = tiny_record
    store = ResultStore(d / "results.sqlite")
    again = store.get(rec.id)
    assert again == rec
    assert store.resolve("latest").id == rec.id
    assert store.integrity_ok()


def test_list_show_export(tiny_record, monkeypatch, tmp_path):
    d, rec, _ = tiny_record
    monkeypatch.setenv("ARTCOST_DATA", str(d))
    res = runner.invoke(app, ["list"])
    assert res.exit_code == 0 and "tiny" in res.output
    res = runner.invoke(app, ["show", str(rec.id), "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["id"] == rec.id
    res = runner.invoke(app, ["show", "latest"])
    assert res.exit_code == 0 and "bench record" in res.output
    c, j = tmp_path / "x.csv", tmp_path / "x.json"
    res = runner.invoke(app, ["export", "--csv", str(c), "--json", str(j)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(c.open()))
    assert rows[-1]["id"] == str(rec.id) and float(rows[-1]["seconds_per_image"]) > 0
    assert json.loads(j.read_text())[-1]["presets"][0]["runs"]


def test_show_missing_record(data_dir):
    res = runner.invoke(app, ["show", "999"])
    assert res.exit_code != 0
    assert "no bench record with id 999" in str(res.exception)


def test_each_timed_run_is_said_as_it_ends(tiny_record):
    """make run's timed runs were silent for 90 s on a 2-core CPU (issue #28): a line after each."""
    _, rec, out = tiny_record
    flat = " ".join(out.split())
    assert "preset stock: timed run 1 of at least 2" in flat and "preset stock: timed run 2 of at least 2" in flat
