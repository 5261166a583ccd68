"""FLUX.1 and SD3.5: the meta-device count (`flops.count_flops`) against the hand-written analytic count
(`flops_analytic`), within 2% per component at each architecture's default resolution (issue #16), and
the per-image rule (no CFG doubling for FLUX, SD3 without T5 keeps the transformer's work)."""

from __future__ import annotations

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
