"""FLOPs are counted for the model that ran, and an impossible utilisation is an error (issue #16).

`artcost bench --model DIR --arch sd15` on a small SD 1.x-style folder artcost did not make used to
count the shipped SD 1.5 template's FLOPs (13.6 GFLOP per UNet row at 64 px) for a UNet that does a
twelfth of that, and reported the run at several hundred percent of its own GEMM probe.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artcost.bench.record import BenchRecord, PresetResult, flat_row, measurement_errors
from artcost.bench.store import ResultStore

SEED = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
GPU = "NVIDIA GeForce RTX 3060 Ti"


# --- the loaded model is what is counted -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sd1x_folder(tmp_path_factory) -> Path:
    """A diffusers SD 1.x-style folder built with diffusers/transformers classes and `save_pretrained`:
    32/64-channel UNet with one layer per block (neither the sd15 nor the tiny template), 2-block VAE."""
    pytest.importorskip("diffusers")
    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(block_out_channels=(32, 64), layers_per_block=1, sample_size=32, in_channels=4,
                                out_channels=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=32,
                                attention_head_dim=8)
    vae = AutoencoderKL(block_out_channels=[32, 64], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4)
    te = CLIPTextModel(CLIPTextConfig(bos_token_id=0, eos_token_id=2, hidden_size=32, intermediate_size=37,
                                      layer_norm_eps=1e-5, num_attention_heads=4, num_hidden_layers=3,
                                      pad_token_id=1, vocab_size=1000))
    sched = PNDMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", skip_prk_steps=True,
                          set_alpha_to_one=False, steps_offset=1)
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=te, tokenizer=None, unet=unet, scheduler=sched,
                                   safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    out = tmp_path_factory.mktemp("sd1x") / "model"
    pipe.save_pretrained(str(out))
    return out


def _real_flops(folder: Path, resolution: int, steps: int) -> tuple[float, dict]:
    """FLOPs of one real pipeline call of the folder's model (FlopCounterMode over real arithmetic,
    attention on the math backend, which the counter has formulas for), and the rows each module saw."""
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    from artcost.bench import pipeline as P
    from artcost.bench.timing import CpuTimer

    loaded = P.load("sd15", folder, "stock", "cpu")
    try:
        rec = P.PhaseRecorder(loaded.pipe, CpuTimer())
        with rec, torch.inference_mode(), sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
            loaded.pipe(prompt=[P.PROMPT], height=resolution, width=resolution, num_inference_steps=steps,
                        guidance_scale=7.5, generator=torch.Generator("cpu").manual_seed(0),
                        callback_on_step_end=rec.step_callback)
        m = rec.marks
        return float(counter.get_total_flops()), {"text": m.text_rows, "unet": sum(m.unet_rows), "vae": sum(m.vae_rows)}
    finally:
        P.free(loaded)


def test_bench_counts_the_loaded_folder_not_the_template(sd1x_folder, data_dir):
    from artcost.bench.config import make_config
    from artcost.bench.flops import count_flops
    from artcost.bench.runner import run_benchmark

    res, steps = 64, 2
    cfg = make_config(arch="sd15", model=sd1x_folder, resolution=res, steps=steps, device="cpu", presets=["stock"],
                      warmup_runs=1, min_runs=1, min_seconds=0, idle_seconds=0, gemm_seconds=0.2, store=True)
    rec = run_benchmark(cfg)
    stock = rec.preset("stock")
    real, rows = _real_flops(sd1x_folder, res, steps)

    # What is recorded is what the loaded model does in a real call ...
    assert stock.flops["per_image"] == pytest.approx(real, rel=0.02)
    assert stock.flops["latent_side"] == 32  # this VAE has 2 blocks: 2 px per latent cell, not sd15's 8
    # ... and not the template's: the sd15 UNet at 64 px is ~13.6 GFLOP per row, this one ~0.9.
    template = count_flops("sd15", res)
    assert stock.flops["unet_per_row"] < template.unet_per_row / 5
    assert stock.flops["per_image"] != pytest.approx(
        template.per_image(rows["text"], rows["unet"], rows["vae"], 1), rel=0.5)
    tiny = count_flops("tiny", res)  # same channels, two layers per block: not what the folder holds either
    assert stock.flops["unet_per_row"] != pytest.approx(tiny.unet_per_row, rel=0.05)

    source = "counted from the loaded model's configs (meta device)"
    assert stock.flops["source"] == source and rec.summary["flops_source"] == source
    assert ResultStore().latest().summary["flops_source"] == source
    # On a real count the run is a possible fraction of its own probe, so no error.
    assert 0 < stock.utilisation["vs_probe"] <= 1 and rec.measurement_errors == []


def test_template_is_still_what_an_arch_name_counts():
    """Where no model is loaded (reference checks, the shipped table for --scale-by-flops) the arch name
    means its template, labelled as such."""
    pytest.importorskip("diffusers")
    from artcost.bench.apply import flops_table
    from artcost.bench.flops import count_flops

    b = count_flops("sd15", 256)
    assert b.source == "counted from the shipped sd15 template configs (meta device)"
    assert b.unet_per_row == pytest.approx(flops_table()["sd15"]["256"]["unet_per_row"])


# --- above 100% of the probe is an error, not a figure -----------------------------------------------------

def _summarised(probe_flops: float) -> PresetResult:
    from artcost.bench.energy import Measurement
    from artcost.bench.flops import FlopBreakdown
    from artcost.bench.pipeline import RunTiming
    from artcost.bench.runner import summarise_preset

    # 2 runs of 4 s: 2 UNet calls of 2 rows (CFG) at 1.5 s each; 100 GFLOP per UNet row counted.
    timings = [RunTiming(total_s=4.0, text_s=0.25, step_s=[1.5, 1.5], decode_s=0.5, unet_calls=2, unet_rows=4,
                         text_rows={"text_encoder": 2}, vae_rows=1) for _ in range(2)]
    flops = FlopBreakdown("sd15", 64, {"text_encoder": 1e9}, 100e9, 20e9, "test", 8)
    res = PresetResult(name="stock", status="ok")
    summarise_preset(res, timings, Measurement("stock", 8.0, None, None, None, "none"), 8.0, 1, flops,
                     {"best_flops": probe_flops}, None, idle_w=None)
    return res


def test_a_probe_slower_than_the_counted_work_is_an_error():
    # Counted: (2 x 1 + 4 x 100 + 20) GFLOP per 4 s image = 105.5 GFLOP/s; UNet step 200 GFLOP / 1.5 s.
    res = _summarised(probe_flops=40e9)
    u = res.utilisation
    assert u["vs_probe"] is None and u["unet_step_vs_probe"] is None  # never a figure
    assert u["over_100"]["vs_probe"] == pytest.approx(105.5 / 40)
    assert u["over_100"]["unet_step_vs_probe"] == pytest.approx(200 / 1.5 / 40)
    assert len(res.measurement_errors) == 2
    assert res.measurement_errors[0].startswith("whole run faster than the same-run GEMM probe")
    assert res.measurement_errors[1].startswith("UNet step faster than the same-run GEMM probe")
    assert all("impossible" in e for e in res.measurement_errors)

    ok = _summarised(probe_flops=400e9)  # a probe faster than the counted work: a figure, no error
    assert ok.utilisation["vs_probe"] == pytest.approx(105.5 / 400) and ok.measurement_errors == []
    assert "over_100" not in ok.utilisation


def _record(preset: PresetResult, device: str = "CPU: AMD EPYC (2 threads)", errors: bool = True) -> BenchRecord:
    u = preset.utilisation
    return BenchRecord(
        created_at="2026-12-01T06:00:00+00:00",
        config={"arch": "sd15", "resolution": 512, "steps": 20, "device": "cpu"},
        environment={"device_name": device}, weights_label="folder:model",
        energy_meter={"meter": "none", "reason": "no meter"},
        gemm_probe={"best_flops": u["probe_flops"], "dtype": "float32", "n": 2048},
        presets=[preset],
        summary={"seconds_per_image": 4.0, "cfg": True, "batch_size": 1, "utilisation_vs_probe": u["vs_probe"],
                 "unet_step_vs_probe": u["unet_step_vs_probe"]},
        measurement_errors=[f"preset stock: {e}" for e in preset.measurement_errors] if errors else [],
    )


def _old_style(preset: PresetResult) -> PresetResult:
    """The same measurement as a record from before the fix stored it: the ratio as a figure, no errors."""
    old = preset.model_copy(deep=True)
    for key, v in old.utilisation.pop("over_100").items():
        old.utilisation[key] = v
    old.measurement_errors = []
    return old


@pytest.mark.parametrize("old", [False, True], ids=["new record", "record stored before the fix"])
def test_printed_table_flags_the_error_never_the_figure(old):
    from rich.console import Console

    from artcost.cli.bench import print_record

    res = _summarised(probe_flops=40e9)
    rec = _record(_old_style(res) if old else res, errors=not old)
    con = Console(width=250, record=True)
    print_record(rec, con)
    out = con.export_text()
    assert "error: >100% of probe" in out
    assert "264%" not in out.split("measurement error")[0]  # the table and header: no figure
    assert "whole run: error, above 100% of it" in out and "UNet steps alone: error, above 100% of it" in out
    assert "measurement error: preset stock: whole run faster than the same-run GEMM probe" in out and "264%" not in out
    assert measurement_errors(rec)[0].startswith("preset stock: whole run faster than the same-run GEMM probe")
    row = flat_row(rec)
    assert row["utilisation_vs_probe"] is None and "faster than" in row["measurement_errors"]
    assert "264%" not in row["measurement_errors"]  # the ratio is kept in the record's JSON only (over_100)


@pytest.mark.parametrize("old", [False, True], ids=["new record", "record stored before the fix"])
def test_cost_from_bench_warns_on_a_record_with_a_measurement_error(old, data_dir, capsys):
    from artcost.cli import main

    res = _summarised(probe_flops=40e9)
    rid = ResultStore().save(_record(_old_style(res) if old else res, device=GPU, errors=not old))
    rc = main(["cost", str(SEED), "--from-bench", str(rid), "--brief"])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"bench record {rid} carries a measurement error" in " ".join(out.split())
    assert "faster than the same-run GEMM probe" in " ".join(out.split()) and "264%" not in out


def test_cost_from_bench_warns_for_a_record_from_another_machine(data_dir):
    """A record from another machine is reported as a measured speed; its notes carry the warning."""
    from artcost.model.measured import MeasuredSpeed, load_measured

    ResultStore().save(_record(_summarised(probe_flops=40e9)))
    out = load_measured(SEED, None, "latest", False)
    assert isinstance(out, MeasuredSpeed)
    assert any("carries a measurement error" in n for n in out.notes)
    assert json.dumps(out.to_dict()).count("carries a measurement error") >= 1


def test_clean_record_gives_no_warning(data_dir):
    from artcost.model.measured import load_measured

    rec = _record(_summarised(probe_flops=400e9), device=GPU)
    ResultStore().save(rec)
    loaded = load_measured(SEED, None, "latest", False)
    assert not any("measurement error" in n for n in loaded.notes)


@pytest.mark.parametrize("arch", ["tiny", "sd15", "sdxl"])
def test_a_pipeline_built_from_the_template_counts_as_the_template(arch):
    """For every arch, reading configs back from built modules (diffusers FrozenDicts, transformers
    configs, SDXL's second text encoder) loses nothing: the count equals the template's."""
    pytest.importorskip("diffusers")
    import types

    import torch

    from artcost.bench.archs import get_arch
    from artcost.bench.flops import ModelConfigs, count_flops
    from artcost.bench.synthetic import build_component

    spec = get_arch(arch)
    pipe = types.SimpleNamespace(**{n: build_component(spec, n, torch.float32, meta_only=True)
                                    for n in ("unet", "vae", *spec.text_encoders)})
    model = ModelConfigs.from_pipeline(pipe, arch)
    assert model.text_encoders == spec.text_encoders
    res = spec.default_resolution // 2
    got, want = count_flops(model, res), count_flops(arch, res)
    assert (got.unet_per_row, got.vae_decode_per_row, got.text_per_row) == (
        want.unet_per_row, want.vae_decode_per_row, want.text_per_row)
    assert got.source == "counted from the loaded model's configs (meta device)" != want.source


@pytest.mark.parametrize("width", [60, 100, 250])
def test_printed_record_is_whole_at_any_width(width):
    """At 60 columns every cell of the record's table was cut ('st…', '14…'), its figures included: below the
    table's own width each preset is a wrapped paragraph instead."""
    from rich.console import Console

    from artcost.cli.bench import print_record

    rec = _record(_summarised(probe_flops=400e9), errors=False)
    con = Console(width=width, record=True)
    print_record(rec, con)
    out = con.export_text()
    assert "…" not in out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= width
    flat = " ".join(out.split())
    s_per_image = f"{rec.presets[0].summary['seconds_per_image']:.3g}"
    assert s_per_image in flat and ("s/image" in flat)
