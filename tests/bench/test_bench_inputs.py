"""Bad inputs give clear UserErrors naming the flag."""

from __future__ import annotations

import pytest

from artcost.bench.config import make_config
from artcost.errors import UserError


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"steps": -3}, "--steps: must be at least 1 (got -3)"),
        ({"batch_size": 0}, "--batch-size: must be at least 1 (got 0)"),
        ({"presets": ["stock", "turbo"]}, "--presets: unknown preset 'turbo'"),
        ({"arch": "sd3"}, "--arch: unknown architecture 'sd3'"),
        ({"resolution": 500}, "--resolution: must be a positive multiple of 8"),
        ({"device": "tpu"}, "--device: expected auto, cpu, cuda or cuda:N"),
        ({"scheduler": "magic"}, "--scheduler: unknown scheduler 'magic'"),
    ],
)
def test_bad_config(kwargs, fragment):
    from artcost.cli.bench import BENCH_FLAGS

    with pytest.raises(UserError) as exc:
        make_config(BENCH_FLAGS, **kwargs)  # as the CLI calls it: each field named by its flag
    assert any(fragment in line for line in exc.value.problems), exc.value.problems
    with pytest.raises(UserError) as exc:
        make_config(**kwargs)  # a library caller: the field's own name, no flag (issue #14)
    assert any(fragment.removeprefix("--").replace("-", "_", 1).split(":")[0] + ":" in line
               for line in exc.value.problems), exc.value.problems
    assert not any("--" in line for line in exc.value.problems)


def test_several_problems_reported_together():
    with pytest.raises(UserError) as exc:
        make_config(steps=0, batch_size=0)
    assert len(exc.value.problems) == 2


def test_stock_always_first():
    assert make_config(presets=["bf16", "stock"]).presets == ["stock", "bf16"]
    assert make_config(presets=["bf16"]).presets == ["stock", "bf16"]


def test_cuda_without_cuda():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    from artcost.bench.config import resolve_device

    with pytest.raises(UserError) as exc:
        resolve_device("cuda")
    assert str(exc.value).startswith("device cuda: ") and "use cpu instead" in str(exc.value)
    assert "--" not in str(exc.value)  # the library names the argument; the CLI names the flag (issue #14)


def test_cuda_without_cuda_on_the_command_line(capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    from artcost.cli import main

    assert main(["bench", "--arch", "tiny", "--device", "cuda", "--no-store"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: --device cuda: ") and "use cpu instead" in line


def test_missing_checkpoint(tmp_path):
    from artcost.bench.pipeline import check_model_path

    with pytest.raises(UserError, match="no such file"):
        check_model_path(tmp_path / "nope.safetensors", "sd15")
    (tmp_path / "folder").mkdir()
    with pytest.raises(UserError, match="model_index.json"):
        check_model_path(tmp_path / "folder", "sd15")
    (tmp_path / "w.bin").write_bytes(b"x")
    with pytest.raises(UserError, match="expected a diffusers folder"):
        check_model_path(tmp_path / "w.bin", "sd15")


def _fake_ckpt(path, keys):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    save_file({k: torch.zeros(1) for k in keys}, str(path))


def test_wrong_arch_for_checkpoint(tmp_path):
    from artcost.bench.pipeline import check_model_path

    sdxl = tmp_path / "xl.safetensors"
    _fake_ckpt(sdxl, ["conditioner.embedders.1.model.ln_final.weight", "model.diffusion_model.out.2.bias"])
    with pytest.raises(UserError, match="this checkpoint is sdxl, but `arch` is sd15"):
        check_model_path(sdxl, "sd15")
    assert check_model_path(sdxl, "sdxl") == "sdxl"
    sd15 = tmp_path / "v15.safetensors"
    _fake_ckpt(sd15, ["cond_stage_model.transformer.text_model.final_layer_norm.weight"])
    with pytest.raises(UserError, match="this checkpoint is sd15, but `arch` is sdxl"):
        check_model_path(sd15, "sdxl")
    junk = tmp_path / "lora.safetensors"
    _fake_ckpt(junk, ["lora_unet_down.alpha"])
    with pytest.raises(UserError, match="no tensors of a supported model found"):
        check_model_path(junk, "sd15")
    with pytest.raises(UserError, match="needs `arch` sd15 \\| sdxl \\| flux-schnell"):
        check_model_path(sd15, "tiny")
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"not a safetensors file")
    with pytest.raises(UserError, match="not a readable"):
        check_model_path(bad, "sd15")


def test_cli_reports_bad_preset(data_dir):
    pytest.importorskip("typer")
    from typer.testing import CliRunner

    from artcost.cli.bench import bench_app as app

    res = CliRunner().invoke(app, ["--presets", "stock,warp"])
    assert isinstance(res.exception, UserError)
    assert "unknown preset 'warp'" in str(res.exception)


def test_sd2_checkpoint_is_refused_not_taken_for_sd15(tmp_path):
    from artcost.bench.pipeline import check_model_path, detect_checkpoint_arch

    sd2 = tmp_path / "v2-1_768-ema-pruned.safetensors"
    _fake_ckpt(sd2, ["cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight",
                     "cond_stage_model.model.ln_final.weight", "model.diffusion_model.out.2.bias"])
    assert detect_checkpoint_arch(sd2) == "sd2"
    with pytest.raises(UserError, match="Stable Diffusion 2.x checkpoint .*not supported"):
        check_model_path(sd2, "sd15")


def _folder(path, cls, cross_attention_dim=None, components=()):
    import json

    path.mkdir()
    (path / "model_index.json").write_text(json.dumps({"_class_name": cls, "_diffusers_version": "0.42.0"}))
    for c in components:
        (path / c).mkdir(exist_ok=True)
    if cross_attention_dim:
        (path / "unet").mkdir(exist_ok=True)
        (path / "unet" / "config.json").write_text(json.dumps({"cross_attention_dim": cross_attention_dim}))
    return path


SD15_PARTS = ("unet", "vae", "text_encoder")
SDXL_PARTS = ("unet", "vae", "text_encoder", "text_encoder_2")


def test_folder_pipeline_class_must_match_arch(tmp_path):
    from artcost.bench.pipeline import check_model_path

    xl = _folder(tmp_path / "sdxl-base", "StableDiffusionXLPipeline", components=SDXL_PARTS)
    with pytest.raises(UserError) as exc:
        check_model_path(xl, "sd15")
    assert "StableDiffusionXLPipeline folder (sdxl) but `arch` sd15" in str(exc.value)
    assert len(exc.value.problems) == 1
    assert check_model_path(xl, "sdxl") == "sdxl"
    with pytest.raises(UserError, match="names 'KandinskyPipeline', not supported"):
        check_model_path(_folder(tmp_path / "kandinsky", "KandinskyPipeline"), "sd15")
    with pytest.raises(UserError, match="StableDiffusion3Pipeline folder .* use `arch` sd35-medium"):
        check_model_path(_folder(tmp_path / "sd3", "StableDiffusion3Pipeline"), "sd15")
    with pytest.raises(UserError, match="Stable Diffusion 2.x folder"):
        check_model_path(_folder(tmp_path / "sd21", "StableDiffusionPipeline", 1024), "sd15")
    assert check_model_path(_folder(tmp_path / "sd15", "StableDiffusionPipeline", 768, SD15_PARTS), "sd15") == "sd15"


def test_cli_names_the_flags_of_a_wrong_model(tmp_path, data_dir):
    """The library names its arguments (`model`, `arch`); the CLI says them as the flags the user typed."""
    pytest.importorskip("typer")
    from typer.testing import CliRunner

    from artcost.cli.bench import bench_app as app

    xl = _folder(tmp_path / "sdxl-base", "StableDiffusionXLPipeline")
    res = CliRunner().invoke(app, ["--model", str(xl), "--arch", "sd15", "--device", "cpu", "--no-store"])
    assert isinstance(res.exception, UserError), res.output
    assert res.exception.problems == [f"--model {xl}: this is a StableDiffusionXLPipeline folder (sdxl) but --arch sd15 "
                                      "runs StableDiffusionPipeline; use --arch sdxl"]


def test_diffusers_load_errors_become_one_line(tmp_path):
    pytest.importorskip("diffusers")
    torch = pytest.importorskip("torch")
    from artcost.bench.archs import get_arch
    from artcost.bench.pipeline import load_pipeline_from_path

    empty = _folder(tmp_path / "half-downloaded", "StableDiffusionPipeline", 768)  # no component folders
    with pytest.raises(UserError) as exc:
        load_pipeline_from_path(empty, get_arch("sd15"), torch.float32)
    assert str(empty) in exc.value.problems[0] and "diffusers could not load it" in exc.value.problems[0]
    bad = tmp_path / "truncated.safetensors"
    _fake_ckpt(bad, ["model.diffusion_model.out.2.bias", "cond_stage_model.transformer.text_model.final_layer_norm.weight"])
    with pytest.raises(UserError) as exc:
        load_pipeline_from_path(bad, get_arch("sd15"), torch.float32)
    assert str(bad) in exc.value.problems[0] and "diffusers could not load it" in exc.value.problems[0]


def test_export_to_missing_folder_is_a_user_error(data_dir):
    from typer.testing import CliRunner

    from artcost.cli.bench import bench_app as app

    res = CliRunner().invoke(app, ["export", "--csv", "/nonexistent/dir/x.csv"])
    assert isinstance(res.exception, UserError)
    assert "--csv /nonexistent/dir/x.csv: cannot write it" in str(res.exception)


def test_workers_zero_is_refused_not_turned_into_one(data_dir, monkeypatch):
    from typer.testing import CliRunner

    from artcost.cli import bench as cluster_cli
    from artcost.cli.bench import bench_app as app

    called = []
    monkeypatch.setattr(cluster_cli, "run_cluster_command", lambda *a, **k: called.append(a) or {"status": "complete"})
    res = CliRunner().invoke(app, ["--arch", "tiny", "--workers", "0"])
    assert isinstance(res.exception, UserError) and "--workers: must be at least 1 (got 0)" in str(res.exception)
    assert called == []
    res = CliRunner().invoke(app, ["--arch", "tiny", "--workers", "2", "--presets", "stock,channels_last"])
    assert res.exit_code == 0, res.output
    assert called[-1][1] == 2
    assert "only the primary preset (stock) is run; not run: channels_last" in " ".join(res.output.split())


def test_result_store_closes_its_setup_connection(tmp_path, monkeypatch):
    import sqlite3

    from artcost.bench.store import ResultStore

    made = []
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    ResultStore(tmp_path / "r.sqlite").preflight()  # opened for writing (a store opens only when it first writes)
    ResultStore(tmp_path / "r.sqlite").count()  # checked and read read-only
    assert len(made) >= 3
    for conn in made:
        with pytest.raises(sqlite3.ProgrammingError):  # closed
            conn.execute("SELECT 1")


def test_model_folder_and_file_problems_are_said_before_building(tmp_path):
    """Review: a folder of model_index.json alone built for ~10 s then printed diffusers' message cut at 300
    characters; '[1,2]' in model_index.json gave a Python internal; a garbage .ckpt quoted torch's advice to
    load with weights_only=False."""
    from artcost.bench.pipeline import check_model_path

    bare = _folder(tmp_path / "sdxl", "StableDiffusionXLPipeline")
    with pytest.raises(UserError) as exc:
        check_model_path(bare, "sdxl")
    assert "has no unet, vae, text_encoder, text_encoder_2 folders" in exc.value.problems[0]
    part = _folder(tmp_path / "sd15", "StableDiffusionPipeline", components=("unet", "vae"))
    with pytest.raises(UserError, match="has no text_encoder folder "):
        check_model_path(part, "sd15")
    for content in ("[1, 2]", "{}"):
        f = tmp_path / f"idx{len(content)}"
        f.mkdir()
        (f / "model_index.json").write_text(content)
        with pytest.raises(UserError) as exc:
            check_model_path(f, "sd15")
        assert "names no pipeline class" in exc.value.problems[0] and "attribute" not in exc.value.problems[0]
    garbage = tmp_path / "junk.ckpt"
    garbage.write_bytes(b"\x80\x02garbage" * 50)
    with pytest.raises(UserError) as exc:
        check_model_path(garbage, "sd15")
    line = exc.value.problems[0]
    assert "not a readable .ckpt file" in line and "weights_only" not in line and "\\n" not in line
