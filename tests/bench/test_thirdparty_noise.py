"""Third-party noise is silenced at its source and real warnings still show (issue #16)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_torchvision_fallback_is_silenced_and_a_real_warning_is_not():
    pytest.importorskip("transformers")
    code = ("import artcost.bench, logging\n"
            "from transformers import CLIPImageProcessor, SiglipImageProcessor\n"
            "import diffusers\n"
            "logging.getLogger('transformers.utils.import_utils').warning('a real warning: keep me')\n")
    out = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "requires torchvision" not in out.stderr, out.stderr
    assert "a real warning: keep me" in out.stderr


def test_the_filter_drops_exactly_the_fallback_message():
    import logging

    from artcost.bench.thirdparty import TORCHVISION_FALLBACK, _DropMessage, quiet_known_noise

    quiet_known_noise()
    quiet_known_noise()  # idempotent
    logger = logging.getLogger("transformers.utils.import_utils")
    assert sum(isinstance(f, _DropMessage) for f in logger.filters) == 1
    drop = _DropMessage(TORCHVISION_FALLBACK)

    def rec(msg):
        return logging.LogRecord("transformers.utils.import_utils", logging.WARNING, __file__, 1, msg, None, None)

    assert not drop.filter(rec("`CLIPImageProcessor` requires torchvision (not installed); falling back to "
                               "`CLIPImageProcessorPil` for backward compatibility."))
    assert drop.filter(rec("LANCZOS resample requires torchvision >= 0.27"))
    assert drop.filter(rec("Could not load PIL fallback"))


def test_loading_passes_the_dtype_name_the_installed_diffusers_wants(tmp_path):
    """No `torch_dtype is deprecated` FutureWarning on a load with diffusers >= 0.36."""
    pytest.importorskip("diffusers")
    import warnings

    import torch

    from artcost.bench.thirdparty import dtype_kwargs

    kw = dtype_kwargs(torch.float32)
    from diffusers import AutoencoderKL

    vae = AutoencoderKL(block_out_channels=(8,), down_block_types=("DownEncoderBlock2D",),
                        up_block_types=("UpDecoderBlock2D",), latent_channels=4, norm_num_groups=8, layers_per_block=1)
    vae.save_pretrained(tmp_path / "vae")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        AutoencoderKL.from_pretrained(tmp_path / "vae", **kw)


def test_the_fp16_on_cpu_message_is_dropped_and_others_of_its_logger_kept():
    import logging

    from artcost.bench.thirdparty import quiet_known_noise

    quiet_known_noise()
    logger = logging.getLogger("diffusers.pipelines.pipeline_utils")

    def passes(msg):
        rec = logging.LogRecord(logger.name, logging.WARNING, __file__, 1, msg, None, None)
        return logger.filter(rec)

    assert not passes("Pipelines loaded with `dtype=torch.float16` cannot run with `cpu` device. It is not recommended")
    assert passes("Expected types for unet: ... got ...")
