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


def figure(x: float) -> str:
    """A ratio or small number with at least two significant figures: whole numbers from 10
    ('104', '1,250'), two significant figures below ('1.5', '2.4', '0.056'), so 1.5 never prints as 2."""
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    r = float(f"{x:.2g}")  # round first: 9.96 becomes 10, not '10.0'
    if abs(r) >= 10:
        return f"{x:,.0f}"
    decimals = 1 - math.floor(math.log10(abs(r)))
    return f"{r:.{decimals}f}"


def money_approx(x: float, ccy: str) -> str:
    """Money to two significant figures, for a median or an interval end: '32 CNY', '2,600 CNY', '1.2M USD'.

    A Monte Carlo figure is not known to the cent; `money` writes exact (point) figures."""
    if not math.isfinite(x):
        return f"{x} {ccy}".strip()
    r = float(f"{x:.2g}")
    if abs(r) >= 1e6:
        return f"{figure(r / 1e6)}M {ccy}".strip()
    if abs(r) >= 10:
        return f"{r:,.0f} {ccy}".strip()
    return f"{figure(r)} {ccy}".strip()


def ratio_phrase(ratio: float) -> str:
    """Artist cost / AI cost as people say it, the one way every surface writes a ratio (the headline's
    'typically 80x cheaper with AI'): '104x cheaper with AI', '1.5x cheaper with AI'; 'AI costs 2.5x the
    artist' when the machine is dearer. ('1/82' beside '80x cheaper' read as two different answers.)"""
    if not math.isfinite(ratio) or ratio <= 0:
        return f"ratio {ratio}"
    if ratio >= 1:
        return f"{figure(ratio)}x cheaper with AI"
    return f"AI costs {figure(1 / ratio)}x the artist"


def signed_money_approx(x: float) -> str:
    """A difference of money rounded as the headline rounds it, with its sign: '+1,500', '−0.97' (not '+1.51e+03')."""
    return ("−" if x < 0 else "+") + money_approx(abs(x), "")


def duration(hours: float) -> str:
    """Minutes under an hour, hours under two days, days beyond."""
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def duration_range(low_hours: float, high_hours: float) -> str:
    """An interval of durations in one unit where both ends share it ('24.5–25.4 h', '9.9–25.8 days'),
    else each end with its own ('20 h–3.1 days')."""
    lo, hi = duration(low_hours), duration(high_hours)
    lo_n, _, lo_u = lo.partition(" ")
    hi_n, _, hi_u = hi.partition(" ")
    return f"{lo_n}–{hi}" if lo_u == hi_u else f"{lo}–{hi}"
