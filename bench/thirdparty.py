"""Third-party noise, silenced where it starts; real warnings still show (issue #16).

* transformers 5 says "`CLIPImageProcessor` requires torchvision (not installed); falling back to
  `CLIPImageProcessorPil`" (and the same for Siglip) whenever diffusers imports its pipelines on a machine
  without torchvision, which the benchmark never uses (it makes no image-processor call). One filter on
  the logger that says it drops exactly that message; every other record of that logger passes.
* diffusers >= 0.36 deprecates ``from_pretrained(torch_dtype=)`` for ``dtype=`` and warns on every load;
  `dtype_kwargs` passes the name the installed diffusers wants (older ones only know ``torch_dtype``).
"""

from __future__ import annotations

import logging
import re

__all__ = ["TORCHVISION_FALLBACK", "dtype_kwargs", "quiet_known_noise"]

# transformers/utils/import_utils.py, _LazyModule.__getattr__ (transformers >= 5)
TORCHVISION_FALLBACK = re.compile(r"requires torchvision \(not installed\); falling back to `\w+Pil`")
_LOGGER = "transformers.utils.import_utils"


class _DropTorchvisionFallback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not TORCHVISION_FALLBACK.search(record.getMessage())


def quiet_known_noise() -> None:
    """Install the filter (once; idempotent). Cheap: no third-party import."""
    logger = logging.getLogger(_LOGGER)
    if not any(isinstance(f, _DropTorchvisionFallback) for f in logger.filters):
        logger.addFilter(_DropTorchvisionFallback())


def dtype_kwargs(dtype) -> dict:
    """``{"dtype": dtype}`` where the installed diffusers takes it, else ``{"torch_dtype": dtype}``."""
    try:
        from diffusers.utils.deprecation_utils import _resolve_dtype  # noqa: F401  (diffusers >= 0.36)
    except ImportError:
        return {"torch_dtype": dtype}
    return {"dtype": dtype}
