"""The Bass diffusion model: closed form, a numerical simulation of its ODE, and a fit to data.

    dF/dt = (p + q F / m) (m - F),   F(0) = 0
    F(t)  = m (1 - e^{-(p+q) t}) / (1 + (q/p) e^{-(p+q) t})

F is the adopted share of the population (0..m); p (innovation) and q (imitation) are rates
per unit of t.  Published coefficients are usually per YEAR; for months divide both by 12
(`per_month`), which is exact for this continuous model because every rate scales with the
time unit.  Pure numpy/scipy; the CSV reader at the end is the only I/O.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artcost.errors import ArgumentError, UserError

MONTHS_PER_YEAR = 12.0


def per_month(rate_per_year):
    """A Bass coefficient per year -> per month (exact for the continuous model: t scales linearly)."""
    return np.asarray(rate_per_year, dtype=float) / MONTHS_PER_YEAR


def cumulative(t, p, q, m=1.0):
    """Closed-form adopted share F(t) (0 for t <= 0); t, p, q in the same time unit; broadcasts.

    Shapes: any broadcastable arrays; returns their broadcast shape.
    """
    t = np.asarray(t, dtype=float)
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    tt = np.maximum(t, 0.0)
    e = np.exp(-(p + q) * tt)
    return np.asarray(m, dtype=float) * (1.0 - e) / (1.0 + (q / p) * e)


def adoption_rate(t, p, q, m=1.0):
    """dF/dt of the closed form: new adopters (share of population) per unit of t."""
    f = cumulative(t, p, q, m)
    m = np.asarray(m, dtype=float)
    return np.where(np.asarray(t) >= 0, (p + q * f / m) * (m - f), 0.0)


def peak_time(p, q):
    """Time of the highest adoption rate, ln(q/p)/(p+q) (0 when q <= p: adoption only slows)."""
    p, q = float(p), float(q)
    return max(math.log(q / p) / (p + q), 0.0) if q > 0 else 0.0


def simulate(t_end: float, p: float, q: float, m: float = 1.0, steps_per_unit: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Integrate the Bass ODE with classical 4th-order Runge-Kutta from F(0) = 0.

    Independent of the closed form (a check of it, and of anything built on it).
    Returns (t, F), each of shape (round(t_end * steps_per_unit) + 1,).
    """
    n = max(int(round(t_end * steps_per_unit)), 1)
    h = t_end / n

    def f(x: float) -> float:
        return (p + q * x / m) * (m - x)

    out = np.empty(n + 1)
    x = 0.0
    out[0] = x
    for i in range(n):
        k1 = f(x)
        k2 = f(x + h * k1 / 2)
        k3 = f(x + h * k2 / 2)
        k4 = f(x + h * k3)
        x += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        out[i + 1] = x
    return np.linspace(0.0, t_end, n + 1), out


# --------------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class BassFit:
    """Least-squares Bass coefficients for an adoption series; rates per MONTH and per YEAR."""

    p_per_month: float
    q_per_month: float
    m: float
    m_fitted: bool
    n_points: int
    rmse: float  # root mean squared error of the fitted shares, same unit as the series (share)
    origin: str  # the month t = 0 stands for, YYYY-MM

    @property
    def p_per_year(self) -> float:
        return self.p_per_month * MONTHS_PER_YEAR

    @property
    def q_per_year(self) -> float:
        return self.q_per_month * MONTHS_PER_YEAR

    def as_dict(self) -> dict:
        return {
            "p_per_month": self.p_per_month,
            "q_per_month": self.q_per_month,
            "p_per_year": self.p_per_year,
            "q_per_year": self.q_per_year,
            "m": self.m,
            "m_fitted": self.m_fitted,
            "n_points": self.n_points,
            "rmse": self.rmse,
            "origin": self.origin,
            "peak_months": peak_time(self.p_per_month, self.q_per_month),
        }


def fit(t_months, share, m: float | None = None, origin: str = "") -> BassFit:
    """Fit p, q (and m unless given) per month to cumulative adopted shares at times t (months).

    Least squares on the shares with `scipy.optimize.least_squares` (bounded: p, q > 0,
    0 < m <= 1), started from the Sultan-Farley-Lehmann means converted to months.
    """
    t = np.asarray(t_months, dtype=float)
    y = np.asarray(share, dtype=float)
    fit_m = m is None
    need = 3 if fit_m else 2
    if t.size < need:
        raise UserError(f"Bass fit needs at least {need} data points{' (p, q and m)' if fit_m else ''}; got {t.size}")
    if fit_m:
        x0 = [0.03 / 12, 0.38 / 12, min(max(y.max() * 1.5, 0.05), 1.0)]
        lo, hi = [1e-7, 0.0, max(y.max(), 1e-6)], [1.0, 5.0, 1.0]
        x0[2] = min(max(x0[2], lo[2]), 1.0)

        def resid(x):
            return cumulative(t, x[0], x[1], x[2]) - y
    else:
        x0 = [0.03 / 12, 0.38 / 12]
        lo, hi = [1e-7, 0.0], [1.0, 5.0]

        def resid(x):
            return cumulative(t, x[0], x[1], m) - y

    # several starts: the loss surface is flat along p+q for short series
    best = None
    for scale in (1.0, 10.0, 0.1):
        start = np.clip(np.array(x0) * np.r_[scale, scale, np.ones(len(x0) - 2)], lo, hi)
        from scipy import optimize  # when a fit runs: it takes half a second to import

        res = optimize.least_squares(resid, start, bounds=(lo, hi), method="trf", x_scale="jac", xtol=1e-14, ftol=1e-14, gtol=1e-14)
        if best is None or res.cost < best.cost:
            best = res
    x = best.x
    return BassFit(
        p_per_month=float(x[0]),
        q_per_month=float(x[1]),
        m=float(x[2]) if fit_m else float(m),
        m_fitted=fit_m,
        n_points=int(t.size),
        rmse=float(np.sqrt(np.mean(best.fun**2))),
        origin=origin,
    )


# --------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class AdoptionSeries:
    """An adoption series read from CSV: months since `origin`, adopted share (0..1)."""

    t_months: np.ndarray
    share: np.ndarray
    months: list[str]
    origin: str
    path: str


def _parse_month(text: str) -> tuple[int, int] | None:
    text = text.strip()
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            d = dt.datetime.strptime(text, fmt)
            return d.year, d.month
        except ValueError:
            continue
    return None


def read_series(path: str | Path, origin: str | None = None) -> AdoptionSeries:
    """Read `month,share` rows (header required; `#` lines are comments).

    `month` is YYYY-MM or YYYY-MM-DD; `share` is a fraction in [0, 1] or a percentage with
    a '%' sign.  t = months since `origin` (default: a `# origin: YYYY-MM` comment, else the
    first row's month).  Every problem raises UserError naming the file and line.
    """
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise UserError(f"{shown}: no such file")
    if p.is_dir():
        raise UserError(f"{shown}: is a directory, not a CSV file")
    if p.stat().st_size > 1_000_000:
        raise UserError(f"{shown}: larger than 1 MB; an adoption series has a few dozen rows")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{shown}: not UTF-8 text (byte {exc.start})") from None
    rows: list[tuple[int, list[str]]] = []
    declared_origin = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            body = stripped.lstrip("#").strip()
            if body.lower().startswith("origin:"):
                declared_origin = body.split(":", 1)[1].strip()
                if _parse_month(declared_origin) is None:
                    raise UserError(f"{shown}:{lineno}: origin: must be a month YYYY-MM (got {declared_origin!r})")
            continue
        rows.append((lineno, next(csv.reader(io.StringIO(line)))))
    if not rows:
        raise UserError(f"{shown}: no rows; expected a header 'month,share' and one row per observation")
    header_line, header = rows[0]
    names = [h.strip().lower() for h in header]
    if "month" not in names or "share" not in names:
        raise UserError(f"{shown}:{header_line}: header must name the columns 'month' and 'share' (got {', '.join(header)})")
    i_month, i_share = names.index("month"), names.index("share")
    months: list[tuple[int, int]] = []
    shares: list[float] = []
    for lineno, cells in rows[1:]:
        if len(cells) != len(names):
            raise UserError(f"{shown}:{lineno}: expected {len(names)} columns like the header, got {len(cells)}")
        ym = _parse_month(cells[i_month])
        if ym is None:
            raise UserError(f"{shown}:{lineno}: month: must be YYYY-MM or YYYY-MM-DD (got {cells[i_month].strip()!r})")
        raw = cells[i_share].strip()
        try:
            value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        except ValueError:
            raise UserError(f"{shown}:{lineno}: share: must be a number such as 0.18 or 18% (got {raw!r})") from None
        if not math.isfinite(value) or not 0 <= value <= 1:
            raise UserError(f"{shown}:{lineno}: share: must be between 0 and 1 (or 0% and 100%) (got {raw!r})")
        if months and (ym[0] * 12 + ym[1]) <= (months[-1][0] * 12 + months[-1][1]):
            raise UserError(f"{shown}:{lineno}: month {cells[i_month].strip()} is not after the previous row's; sort the rows by month")
        months.append(ym)
        shares.append(value)
    if not months:
        raise UserError(f"{shown}: a header but no data rows")
    o = origin or declared_origin
    if o is not None:
        oy = _parse_month(o)
        if oy is None:
            raise ArgumentError("origin", f"must be a month YYYY-MM (got {o!r})")
    else:
        oy = months[0]
    t = np.array([(y * 12 + mth) - (oy[0] * 12 + oy[1]) for y, mth in months], dtype=float)
    if (t < 0).any():
        raise UserError(f"{shown}: rows before the origin {oy[0]:04d}-{oy[1]:02d}; adoption is 0 before it")
    return AdoptionSeries(
        t_months=t,
        share=np.array(shares),
        months=[f"{y:04d}-{mth:02d}" for y, mth in months],
        origin=f"{oy[0]:04d}-{oy[1]:02d}",
        path=shown,
    )


def fit_csv(path: str | Path, m: float | None = None, origin: str | None = None) -> tuple[AdoptionSeries, BassFit]:
    """Read an adoption CSV and fit the Bass model to it (see `read_series`, `fit`)."""
    series = read_series(path, origin)
    if m is not None and not 0 < m <= 1:
        raise ArgumentError("m", f"the market potential must be in (0, 1] (got {m:g})")
    if m is not None and series.share.max() > m:
        raise UserError(f"{series.path}: the series reaches {series.share.max():g}, above the given m = {m:g}")
    return series, fit(series.t_months, series.share, m=m, origin=series.origin)
