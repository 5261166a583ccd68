"""Third-party noise, silenced where it starts; real warnings still show (issue #16).

* transformers 5 says "`CLIPImageProcessor` requires torchvision (not installed); falling back to
  `CLIPImageProcessorPil`" (and the same for Siglip) whenever diffusers imports its pipelines on a machine
  without torchvision, which the benchmark never uses (it makes no image-processor call). One filter on
  the logger that says it drops exactly that message; every other record of that logger passes.
* diffusers says "Pipelines loaded with `dtype=torch.float16` cannot run with `cpu` device ... remove the
  `dtype=torch.float16` argument" on every move of an fp16 pipeline to a CPU. The fp16 preset runs on a CPU
  only where it has native fp16 arithmetic (`presets.preset_dtype` refuses it elsewhere, with the reason),
  and there it runs: the message is wrong for it and names an argument the user never typed.
* diffusers >= 0.36 deprecates ``from_pretrained(torch_dtype=)`` for ``dtype=`` and warns on every load;
  `dtype_kwargs` passes the name the installed diffusers wants (older ones only know ``torch_dtype``).
"""

from __future__ import annotations

import logging
import re

__all__ = ["TORCHVISION_FALLBACK", "dtype_kwargs", "quiet_known_noise"]

# transformers/utils/import_utils.py, _LazyModule.__getattr__ (transformers >= 5)
TORCHVISION_FALLBACK = re.compile(r"requires torchvision \(not installed\); falling back to `\w+Pil`")
# diffusers/pipelines/pipeline_utils.py, DiffusionPipeline.to
FP16_ON_CPU = re.compile(r"^Pipelines loaded with `dtype=torch.float16` cannot run with `cpu` device")
# the logger that says each message -> the message
_NOISE = {"transformers.utils.import_utils": TORCHVISION_FALLBACK, "diffusers.pipelines.pipeline_utils": FP16_ON_CPU}


class _DropMessage(logging.Filter):
    """Drops the one message ``pattern`` matches; every other record of the logger passes."""

    def __init__(self, pattern: re.Pattern):
        super().__init__()
        self.pattern = pattern

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.pattern.search(record.getMessage())


def quiet_known_noise() -> None:
    """Install the filters (once; idempotent). Cheap: no third-party import."""
    for name, pattern in _NOISE.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropMessage) for f in logger.filters):
            logger.addFilter(_DropMessage(pattern))


def dtype_kwargs(dtype) -> dict:
    """``{"dtype": dtype}`` where the installed diffusers takes it, else ``{"torch_dtype": dtype}``."""
    try:
        from diffusers.utils.deprecation_utils import _resolve_dtype  # noqa: F401  (diffusers >= 0.36)
    except ImportError:
        return {"torch_dtype": dtype}
    return {"dtype": dtype}
