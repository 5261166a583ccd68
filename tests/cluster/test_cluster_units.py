"""Cluster plumbing without Ray: share splitting, re-queue, scaling arithmetic, the job store, cost link."""

from __future__ import annotations

import sqlite3
import sys

import pytest

from artcost.bench.cluster import (Chunk, _Slot, build_job, calibration_runs, energy_sharing, plan_shares,
                                   redistribute, scaling_efficiency, split_even)
from artcost.bench.cluster_apply import cluster_overrides
from artcost.bench.cluster_store import ClusterStore
from artcost.bench.config import make_config
from artcost.errors import ArgumentError, MissingExtraError, UserError


def test_split_even_covers_total_and_differs_by_at_most_one():
    for total in range(0, 23):
        for parts in range(1, 6):
            s = split_even(total, parts)
            assert sum(s) == total and max(s) - min(s) <= 1 and len(s) == parts


def test_plan_shares_gives_contiguous_disjoint_calls():
    plan = plan_shares(2, 11, [0, 1, 2], chunk_runs=2)
    runs = sorted(r for cs in plan.values() for c in cs for r in range(c.first_run, c.first_run + c.runs))
    assert runs == list(range(2, 13))
    assert [sum(c.runs for c in plan[w]) for w in (0, 1, 2)] == [4, 4, 3]
    assert all(c.runs <= 2 for cs in plan.values() for c in cs)


def test_redistribute_balances_and_marks_requeued():
    load = {0: 5, 2: 0}
    moved = redistribute([Chunk(10, 1), Chunk(11, 1), Chunk(12, 1)], [0, 2], load)
    assert sum(c.runs for c in moved[2]) == 3 and 0 not in moved  # survivor 2 was idle
    assert all(c.requeued for c in moved[2]) and load == {0: 5, 2: 3}


def test_calibration_runs_leaves_two_calls_per_worker():
    assert calibration_runs(100, 1) == 0
    assert calibration_runs(100, 4) == 10
    assert calibration_runs(12, 2) == 2
    assert calibration_runs(5, 2) == 0  # 5 - 4 = 1 call left: no room for two calibration calls
    assert calibration_runs(12, 2, requested=9) == 0 and calibration_runs(12, 2, requested=3) == 3


def test_scaling_efficiency_formula():
    assert scaling_efficiency(400.0, 4, 100.0) == pytest.approx(1.0)
    assert scaling_efficiency(300.0, 4, 100.0) == pytest.approx(0.75)


def test_shared_rapl_meter_is_not_summed_but_separate_gpus_are():
    rapl = [{"node_id": "n1", "meter": "rapl", "hostname": "a"}, {"node_id": "n1", "meter": "rapl", "hostname": "a"}]
    assert "share one rapl meter" in energy_sharing(rapl)
    gpus = [{"node_id": "n1", "meter": "nvml-counter", "nvml_index": 0},
            {"node_id": "n1", "meter": "nvml-counter", "nvml_index": 1}]
    assert energy_sharing(gpus) is None
    assert "no energy meter" in energy_sharing([{"node_id": "n1", "meter": "none", "hostname": "a", "meter_reason": "x"}])


def _result(worker, phase, first_run, seconds, energy_j=None, requeued=False):
    return {"worker": worker, "phase": phase, "first_run": first_run, "images": 1, "wall_s": seconds,
            "runs": [{"total_s": seconds}], "energy": {"energy_j": energy_j, "seconds": seconds},
            "requeued": requeued}


def _fake_job(energy=True, died=False):
    cfg = make_config(arch="tiny", steps=2, num_images=6, device="cpu", store=False)
    from artcost.bench.cluster import ClusterSettings

    slots = []
    for i in range(2):
        s = _Slot(i, None, info={"hostname": "h", "node_id": "n", "meter": "nvml-counter", "nvml_index": i,
                                 "device_name": "GPU X", "idle": {"mean_w": 10.0}})
        slots.append(s)
    if died:
        slots[1].alive, slots[1].error = False, "ActorDiedError: boom"
    e = (lambda j: j) if energy else (lambda j: None)
    results = [_result(0, "calibration", 0, 1.0, e(100.0)), _result(0, "calibration", 1, 1.0, e(100.0)),
               _result(0, "scaled", 2, 1.0, e(100.0)), _result(0, "scaled", 3, 1.0, e(100.0)),
               _result(1, "scaled", 4, 2.0, e(200.0)), _result(1, "scaled", 5, 2.0, e(200.0))]
    calib = {"worker": 0, "runs": 2, "images": 2, "wall_s": 2.0, "images_per_minute": 60.0}
    failures = [{"worker": 1, "phase": "scaled", "error": "boom", "requeued_images": 1}] if died else []
    return build_job(cfg, ClusterSettings(workers=2), "local", "cuda", slots, results, failures, calib, 2,
                     4.0, 5.0, 12.0, 6, 0)


def test_build_job_aggregates_parts():
    job = _fake_job()
    s = job["summary"]
    assert s["images"] == 6 and job["status"] == "complete"
    assert s["generation_wall_s"] == pytest.approx(6.0)
    assert s["images_per_minute"] == pytest.approx(60.0)
    assert s["scaled_images_per_minute"] == pytest.approx(60.0)  # 4 images in 4 s
    assert s["scaling_efficiency"] == pytest.approx(0.5)  # (60/2)/60
    assert s["joules_per_image"] == pytest.approx(600.0 / 4)  # scaled-phase joules / scaled images
    p0, p1 = job["parts"]
    assert (p0["images"], p0["scaled_images"], p0["calibration_images"]) == (4, 2, 2)
    assert p0["images_per_minute"] == pytest.approx(60.0) and p1["images_per_minute"] == pytest.approx(30.0)
    assert p0["joules_per_image_net"] == pytest.approx((200.0 - 10.0 * 2.0) / 2)
    assert s["per_worker_images_per_minute"]["spread"] == pytest.approx(30.0 / 45.0)


def test_build_job_without_energy_gives_reason():
    job = _fake_job(energy=False)
    assert job["summary"]["joules_per_image"] is None and job["summary"]["energy_reason"]


def test_store_round_trip_and_list(tmp_path):
    st = ClusterStore(tmp_path / "r.sqlite")
    job = _fake_job(died=True)
    jid = st.save(job)
    back = st.get_job(jid)
    assert back["summary"] == job["summary"] and [p["worker"] for p in back["parts"]] == [0, 1]
    assert back["parts"][1]["status"] == "died" and back["failures"][0]["requeued_images"] == 1
    assert st.list_jobs()[0]["scaling_efficiency"] == pytest.approx(0.5)
    assert st.resolve("latest")["id"] == jid
    with pytest.raises(UserError, match="no cluster job with id 99"):
        st.get_job(99)
    with pytest.raises(UserError, match="expected 'latest' or a job id"):
        st.resolve("nope")


def test_store_writes_job_and_parts_in_one_transaction(tmp_path):
    st = ClusterStore(tmp_path / "r.sqlite")
    job = _fake_job()
    job["parts"][1]["worker"] = 0  # violates UNIQUE(job_id, worker) on the second part
    with pytest.raises(sqlite3.IntegrityError):
        st.save(job)
    assert st.counts() == (0, 0)


def test_store_shares_the_bench_database(tmp_path):
    from artcost.bench.store import ResultStore

    path = tmp_path / "r.sqlite"
    ResultStore(path).preflight()  # a store makes its tables when it first opens for writing (issue #24)
    ClusterStore(path).save(_fake_job())
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"bench_records", "cluster_jobs", "cluster_parts"} <= tables


def test_cluster_overrides_feed_the_cost_model(tmp_path):
    from pathlib import Path

    from artcost.model.costs import generation_seconds
    from artcost.model.loader import load_scenario

    job = _fake_job()
    job["id"] = 7
    job["scaling"]["efficiency"] = 0.8
    over, where = cluster_overrides("7", job=job)
    assert over == {"generation.gpus": 2, "generation.scaling_efficiency": pytest.approx(0.8)}
    assert "cluster job 7" in where and "0.800" in where
    seed = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
    base = load_scenario(seed).scenario.values()
    scaled = load_scenario(seed, over, override_label=where).scenario.values()
    w0, w1 = generation_seconds(base)["wall_seconds"], generation_seconds(scaled)["wall_seconds"]
    assert float(w1) == pytest.approx(float(w0) * base["generation.gpus"] * base["generation.scaling_efficiency"] / (2 * 0.8))


def test_cluster_overrides_refuse_incomplete_and_cap_above_one():
    job = _fake_job()
    job["id"] = 3
    job["scaling"]["efficiency"] = 1.04
    over, where = cluster_overrides("3", job=job)
    assert over["generation.scaling_efficiency"] == 1.0 and "capped at 1" in where
    job["status"] = "incomplete"
    with pytest.raises(UserError, match="status incomplete"):
        cluster_overrides("3", job=job)


def test_missing_ray_names_the_extra(monkeypatch):
    from artcost.bench import cluster

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingExtraError, match=r"artcost\[cluster\]"):
        cluster.import_ray()


def test_device_plan_refuses_more_workers_than_slots():
    from artcost.bench.cluster import _device_plan

    class FakeRay:
        def __init__(self, res):
            self.res = res

        def cluster_resources(self):
            return self.res

    cfg = make_config(arch="tiny", device="auto")
    assert _device_plan(FakeRay({"CPU": 2}), cfg, 2) == ("cpu", {"num_cpus": 1})
    assert _device_plan(FakeRay({"CPU": 16, "GPU": 4}), cfg, 4)[0] == "cuda"
    with pytest.raises(ArgumentError, match="^workers 3: the Ray cluster has 2 CPU slot"):
        _device_plan(FakeRay({"CPU": 2}), cfg, 3)
    with pytest.raises(UserError, match="has 1 GPU"):
        _device_plan(FakeRay({"CPU": 8, "GPU": 1}), make_config(arch="tiny", device="cuda"), 2)
    with pytest.raises(UserError, match="Ray assigns the GPUs"):
        _device_plan(FakeRay({"CPU": 8, "GPU": 1}), make_config(arch="tiny", device="cuda:1"), 1)


def test_unreachable_ray_address_is_one_line_error():
    import socket as so

    from artcost.bench.cluster import check_reachable

    s = so.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # a port nobody listens on
    with pytest.raises(ArgumentError, match=f"^ray_address 127.0.0.1:{port}: nothing answers there"):
        check_reachable(f"127.0.0.1:{port}")
    with pytest.raises(UserError, match="expected HOST:PORT"):
        check_reachable("head:abc")


def test_cost_command_takes_gpus_and_efficiency_from_a_stored_job(capsys):
    import json
    from pathlib import Path

    from artcost.cli import main

    job = _fake_job()
    job["scaling"]["efficiency"] = 0.8
    jid = ClusterStore().save(job)
    seed = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
    assert main(["cost", str(seed), "--json"]) == 0
    base = json.loads(capsys.readouterr().out)
    assert main(["cost", str(seed), "--from-cluster", "latest", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["inputs"]["generation.gpus"]["value"] == 2
    assert r["inputs"]["generation.scaling_efficiency"]["source"].startswith(f"cluster job {jid}")
    # 2 GPUs at 0.8 efficiency: wall time is 1/(2 x 0.8) of one GPU's, and so is supervision
    assert r["generation"]["wall_seconds"] == pytest.approx(base["generation"]["wall_seconds"] / 1.6)
    assert r["breakdown"]["supervision"] == pytest.approx(base["breakdown"]["supervision"] / 1.6)


def test_requested_calibration_too_large_says_why():
    from artcost.bench.cluster import ClusterSettings, calibration_plan, run_cluster_job

    n, why = calibration_plan(12, 2, requested=9)
    assert n == 0 and "9 calibration run(s) asked for" in why and "at most 8" in why and "--" not in why
    assert calibration_plan(5, 2) == (0, "too few pipeline calls (5) for a calibration phase of 2 and two calls "
                                         "per worker (2 workers need at least 6)")
    # Refused before any Ray or worker starts.
    with pytest.raises(ArgumentError, match="^calibration_runs 9: a job of 12 pipeline call"):
        run_cluster_job(make_config(arch="tiny", num_images=12, device="cpu"),
                        ClusterSettings(workers=2, calibration_runs=9))


def test_job_checks_the_model_path_before_starting_ray(tmp_path, monkeypatch):
    from artcost.bench import cluster_driver as cluster
    from artcost.bench.cluster import ClusterSettings, run_cluster_job

    class NoRay:
        def __init__(self, *_):
            raise AssertionError("Ray started before --model was checked")

    monkeypatch.setattr(cluster, "_Ray", NoRay)
    with pytest.raises(UserError, match="no such file or folder"):
        run_cluster_job(make_config(arch="sd15", model=tmp_path / "missing.safetensors", num_images=4, device="cpu"),
                        ClusterSettings(workers=2))


def test_worker_setup_uses_the_benchmarks_idle_and_warm_up(monkeypatch):
    """No second copy of the measurement logic: the actor calls runner.measure_idle and runner.warm_up."""
    pytest.importorskip("diffusers")
    from artcost.bench import pipeline as runner
    from artcost.bench.cluster import GenerationWorker

    calls = []
    real_idle, real_warm = runner.measure_idle, runner.warm_up
    monkeypatch.setattr(runner, "measure_idle", lambda *a, **k: calls.append("idle") or real_idle(*a, **k))
    monkeypatch.setattr(runner, "warm_up", lambda *a, **k: calls.append("warm") or real_warm(*a, **k))
    cfg = make_config(arch="tiny", steps=1, device="cpu", warmup_runs=1, idle_seconds=0, gemm_seconds=0)
    w = GenerationWorker(cfg.model_dump_json(), 0)
    try:
        info = w.setup()
        assert calls == ["idle", "warm"]
        assert len(info["warmup_s"]) == 1 and info["health"]["ok"]
        chunk = w.run_chunk(0, 1)
        assert chunk["runs"][0].keys() == runner.run_dict(_timing()).keys()
    finally:
        w.close()


def _timing():
    from artcost.bench.pipeline import RunTiming

    return RunTiming(1.0, 0.1, [0.4], 0.2, 1, 2, {"text_encoder": 2}, 1)


def test_net_energy_uses_the_shared_helper(monkeypatch):
    from artcost.bench import cluster_aggregate as cluster

    seen = []
    monkeypatch.setattr(cluster, "net_energy_j", lambda g, w, s: seen.append((g, w, s)) or 0.0)
    _fake_job()
    assert seen and seen[0] == (200.0, 10.0, 2.0)


@pytest.mark.parametrize("extra, said", [
    (["--workers", "2", "--calibration-runs", "9", "--num-images", "12"], "--calibration-runs 9: a job of 12 pipeline call"),
    (["--workers", "2", "--device", "cuda:1"], "--device cuda:1: on a cluster Ray assigns the GPUs"),
])
def test_the_cli_names_the_flags_of_a_cluster_error(extra, said, capsys):
    """The library says `calibration_runs`, `device` (issue #14); the command line says the flag the user typed."""
    from artcost.cli import main

    assert main(["bench", "--arch", "tiny", "--no-store", *extra]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert said in line, line



def test_flag_names_keeps_the_value_the_user_typed():
    """`check_reachable`'s 'ray_address 10.0.0.5:x: ...' reaches the user as '--ray-address 10.0.0.5:x: ...'."""
    from artcost.bench.cluster import check_reachable
    from artcost.cli.options import flag_names

    with pytest.raises(UserError) as exc, flag_names(ray_address="--ray-address"):
        check_reachable("head:abc")
    assert exc.value.problems == ["--ray-address head:abc: expected HOST:PORT, e.g. 10.0.0.5:6379"]
