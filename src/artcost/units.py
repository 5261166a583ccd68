"""How money and durations are written, once, for the CLI, the dashboard and the report."""

from __future__ import annotations

import math


def money(x: float, ccy: str) -> str:
    """Millions with an M, whole units from 100, cents from 1, three decimals below (so 0.056 CNY stays visible)."""
    if not math.isfinite(x):
        return f"{x} {ccy}".strip()
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f}M {ccy}".strip()
    if abs(x) >= 100:
        return f"{x:,.0f} {ccy}".strip()
    if abs(x) >= 1:
        return f"{x:,.2f} {ccy}".strip()
    return f"{x:.3f} {ccy}".strip()


def ratio_phrase(ratio: float) -> str:
    """Artist cost / AI cost as people say it: '1/104' when AI is cheaper, 'AI costs 2.5x the artist' when not."""
    if not math.isfinite(ratio) or ratio <= 0:
        return f"ratio {ratio}"
    if ratio >= 1:
        return f"1/{ratio:,.0f}"
    return f"AI costs {1 / ratio:,.1f}x the artist"


def duration(hours: float) -> str:
    """Minutes under an hour, hours under two days, days beyond."""
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"
