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
    with pytest.raises(UserError) as exc:
        make_config(**kwargs)
    assert any(fragment in line for line in exc.value.problems), exc.value.problems


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
    assert "--device cpu" in str(exc.value)


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
    with pytest.raises(UserError, match="sdxl checkpoint but --arch sd15"):
        check_model_path(sdxl, "sd15")
    assert check_model_path(sdxl, "sdxl") == "sdxl"
    sd15 = tmp_path / "v15.safetensors"
    _fake_ckpt(sd15, ["cond_stage_model.transformer.text_model.final_layer_norm.weight"])
    with pytest.raises(UserError, match="sd15 checkpoint but --arch sdxl"):
        check_model_path(sd15, "sdxl")
    junk = tmp_path / "lora.safetensors"
    _fake_ckpt(junk, ["lora_unet_down.alpha"])
    with pytest.raises(UserError, match="no Stable Diffusion tensors"):
        check_model_path(junk, "sd15")
    with pytest.raises(UserError, match="needs --arch sd15 or --arch sdxl"):
        check_model_path(sd15, "tiny")
    bad = tmp_path / "broken.safetensors"
    bad.write_bytes(b"not a safetensors file")
    with pytest.raises(UserError, match="not a readable"):
        check_model_path(bad, "sd15")


def test_cli_reports_bad_preset(data_dir):
    pytest.importorskip("typer")
    from typer.testing import CliRunner

    from artcost.bench.cli import app

    res = CliRunner().invoke(app, ["--presets", "stock,warp"])
    assert isinstance(res.exception, UserError)
    assert "unknown preset 'warp'" in str(res.exception)
