"""FLUX.1 and SD3.5: the meta-device count (`flops.count_flops`) against the hand-written analytic count
(`flops_analytic`), within 2% per component at each architecture's default resolution (issue #16), and
the per-image rule (no CFG doubling for FLUX, SD3 without T5 keeps the transformer's work)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("diffusers")

from artcost.bench.archs import ARCHS, arch_choices, get_arch, get_variant  # noqa: E402

NEW = ("flux-schnell", "flux-dev", "sd35-medium", "sd35-large")


@pytest.mark.parametrize("name", NEW)
def test_meta_count_agrees_with_analytic_within_2_percent(name):
    from artcost.bench.flops import count_flops
    from artcost.bench.flops_analytic import analytic_per_row

    res = get_arch(name).default_resolution
    counted = count_flops(name, res)
    analytic = analytic_per_row(name, res)
    assert counted.unet_per_row == pytest.approx(analytic["denoiser"], rel=0.02)
    assert counted.vae_decode_per_row == pytest.approx(analytic["vae_decode"], rel=0.02)
    assert set(counted.text_per_row) == set(analytic["text"])
    for comp, f in counted.text_per_row.items():
        assert f == pytest.approx(analytic["text"][comp], rel=0.02), comp


def test_flux_transformer_size_is_the_published_one():
    """FLUX.1's transformer is ~12 B parameters (black-forest-labs model card) and at 1024 px one step is
    dominated by 2 x params x (4096 image + 256/512 text) tokens plus attention: 60-80 TFLOP per row."""
    from artcost.bench.flops import count_flops
    from artcost.bench.memory import parameter_count

    assert parameter_count("flux-dev", "transformer") == pytest.approx(11.9e9, rel=0.02)
    assert 60e12 < count_flops("flux-schnell", 1024).unet_per_row < 80e12
    # dev pads T5 to 512 tokens, schnell to 256: dev's step costs more
    assert count_flops("flux-dev", 1024).unet_per_row > count_flops("flux-schnell", 1024).unet_per_row


def test_per_image_rule():
    from artcost.bench.flops import count_flops
    from artcost.bench.flops_analytic import analytic_per_image

    dev = get_arch("flux-dev")
    assert not dev.cfg_on(dev.default_guidance)  # guidance-distilled: one pass per step
    b = count_flops("flux-dev", 1024)
    per = b.nominal_per_image(dev.default_steps, cfg=dev.cfg_on(dev.default_guidance))
    assert per == pytest.approx(sum(b.text_per_row.values()) + 50 * b.unet_per_row + b.vae_decode_per_row)
    assert per == pytest.approx(analytic_per_image("flux-dev", 1024, 50, 3.5), rel=0.02)
    sd3 = get_arch("sd35-large")
    assert sd3.cfg_on(sd3.default_guidance)
    no_t5 = count_flops(__import__("artcost.bench.flops", fromlist=["ModelConfigs"]).ModelConfigs.from_template(
        "sd35-large", without=("text_encoder_3",)), 1024)
    assert "text_encoder_3" not in no_t5.text_per_row
    assert no_t5.unet_per_row == pytest.approx(count_flops("sd35-large", 1024).unet_per_row)


def test_registry():
    assert {"flux-schnell", "flux-dev", "sd35-medium", "sd35-large"} <= set(arch_choices(include_tests=False))
    assert "tiny-flux" not in arch_choices(include_tests=False)
    assert get_arch("sdxl-turbo") is ARCHS["sdxl"] and get_variant("sdxl-turbo").steps == 1
    with pytest.raises(KeyError, match="sdxl-lightning"):
        get_arch("flux-pro")


DOCS = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "benchmark.md"


@pytest.mark.parametrize("name", NEW)
def test_docs_table_is_the_count_and_agrees_with_analytic(name):
    """docs/benchmark.md's per-image figure at the defaults is what `bench flops` counts, and the analytic
    count is within 2% of it."""
    import re

    from artcost.bench.config import make_config
    from artcost.bench.flops import count_flops
    from artcost.bench.flops_analytic import analytic_per_image

    row = next(ln for ln in DOCS.read_text().splitlines() if ln.startswith(f"| {name} |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    documented = float(re.sub(r"[^\d.]", "", cells[6])) * 1e12
    cfg = make_config(arch=name)
    per = count_flops(name, cfg.effective_resolution()).nominal_per_image(cfg.steps, cfg=cfg.cfg_on)
    assert documented == pytest.approx(per, abs=0.006e12)
    assert analytic_per_image(name, cfg.effective_resolution(), cfg.steps, cfg.guidance_scale) == pytest.approx(
        per, rel=0.02)


def test_bench_flops_command():
    from typer.testing import CliRunner

    from artcost.cli.bench import bench_app

    res = CliRunner().invoke(bench_app, ["flops", "--arch", "flux-schnell", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output[res.output.index("{"):])
    assert out["steps"] == 4 and out["cfg"] is False and out["resolution"] == 1024
    assert out["per_image"] == pytest.approx(290.75e12, rel=1e-4)
    res = CliRunner().invoke(bench_app, ["flops", "--arch", "sd35-medium", "--no-t5", "--steps", "2", "--json"])
    out = json.loads(res.output[res.output.index("{"):])
    assert "text_encoder_3" not in out["text_per_row"] and out["cfg"] is True


def test_shipped_parameter_counts_are_the_meta_counts_of_every_config():
    """`configs/parameter_counts.json` (read by the memory check so a run's start does not build every
    component on meta) is every shipped config's own count: edit a config without the table and this fails."""
    from artcost.bench.archs import ARCHS
    from artcost.bench.memory import count_parameters, shipped_parameter_counts

    table = shipped_parameter_counts()
    for name, arch in ARCHS.items():
        assert set(table[name]) == set(arch.components), name
        for component in arch.components:
            assert table[name][component] == count_parameters(name, component), (name, component)
