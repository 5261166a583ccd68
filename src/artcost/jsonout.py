"""One writer for every `--json` output: strict JSON (RFC 8259), never `NaN` or `Infinity`.

A figure that cannot be computed (a division by an expected count of zero, a chance that underflows)
is written as `null`, and a sibling key `<name>_note` says why, so a reader never meets a bare null
or a token their parser rejects.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

NOT_FINITE_NOTE = "cannot be computed: the model gives {value} for this figure (an input near a limit, e.g. a zero divisor)"


def plain(x: Any) -> Any:
    """`x` as JSON-ready Python values: numpy scalars and arrays unwrapped, non-finite floats to None
    with a `<key>_note` beside them in their mapping."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a core dependency
        np = None  # type: ignore[assignment]
    if np is not None:
        if isinstance(x, np.ndarray):
            return [plain(v) for v in x.tolist()]
        if isinstance(x, (np.floating, np.integer, np.bool_)):
            x = x.item()
    if isinstance(x, bool) or x is None or isinstance(x, (int, str)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        out: dict[str, Any] = {}
        for key, value in x.items():
            converted = plain(value)
            out[str(key)] = converted
            if converted is None and _non_finite(value):
                out.setdefault(f"{key}_note", NOT_FINITE_NOTE.format(value=_show(value)))
        return out
    if isinstance(x, (list, tuple, set)):
        return [plain(v) for v in x]
    if isinstance(x, (Path, dt.date, dt.datetime)):
        return str(x)
    if hasattr(x, "model_dump"):  # pydantic models
        return plain(x.model_dump(mode="json"))
    if hasattr(x, "strftime"):  # pandas Timestamp
        return x.strftime("%Y-%m")
    return str(x)


def _non_finite(value: Any) -> bool:
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _show(value: Any) -> str:
    v = float(value)
    return "NaN" if math.isnan(v) else ("+infinity" if v > 0 else "-infinity")


def dumps(data: Any, indent: int | None = 2) -> str:
    """Strict JSON text of `data` (see `plain`); raises ValueError rather than write NaN or Infinity."""
    return json.dumps(plain(data), indent=indent, allow_nan=False)
