"""How money and durations are written, once, for the CLI, the dashboard and the report."""

from __future__ import annotations


def money(x: float, ccy: str) -> str:
    """Millions with an M, whole units from 100, cents from 1, three decimals below (so 0.056 CNY stays visible)."""
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f}M {ccy}".strip()
    if abs(x) >= 100:
        return f"{x:,.0f} {ccy}".strip()
    if abs(x) >= 1:
        return f"{x:,.2f} {ccy}".strip()
    return f"{x:.3f} {ccy}".strip()


def duration(hours: float) -> str:
    """Minutes under an hour, hours under two days, days beyond."""
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"
