"""Bass diffusion: closed form against an independent ODE integration; calibration; CSV errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from artcost.errors import UserError
from artcost.model import bass

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "p, q, m",
    [(0.03 / 12, 0.38 / 12, 1.0), (0.01, 0.5, 0.8), (0.2, 0.0, 0.95), (0.002, 1.2, 0.3)],
)
def test_simulated_curve_matches_closed_form(p, q, m):
    t, f_sim = bass.simulate(120.0, p, q, m, steps_per_unit=50)
    f_closed = bass.cumulative(t, p, q, m)
    assert np.max(np.abs(f_sim - f_closed)) < 1e-8
    assert f_sim[0] == 0.0 and f_sim[-1] <= m + 1e-12
    assert np.all(np.diff(f_sim) >= 0)


def test_rate_is_derivative_of_closed_form():
    t = np.linspace(0.5, 100, 200)
    h = 1e-5
    numeric = (bass.cumulative(t + h, 0.01, 0.4, 0.9) - bass.cumulative(t - h, 0.01, 0.4, 0.9)) / (2 * h)
    assert np.allclose(bass.adoption_rate(t, 0.01, 0.4, 0.9), numeric, rtol=1e-6)


def test_yearly_coefficients_convert_to_monthly_exactly():
    years = np.linspace(0, 10, 41)
    by_year = bass.cumulative(years, 0.03, 0.38)
    by_month = bass.cumulative(years * 12, bass.per_month(0.03), bass.per_month(0.38))
    assert np.allclose(by_year, by_month, atol=1e-14)
    # a naive (1 - (1 - p)^(1/12)) conversion would differ measurably: the exact one is p/12
    assert bass.per_month(0.03) == pytest.approx(0.0025)


def test_peak_time_is_where_the_rate_peaks():
    p, q = 0.01, 0.4
    t = np.linspace(0, 40, 40001)
    assert t[np.argmax(bass.adoption_rate(t, p, q))] == pytest.approx(bass.peak_time(p, q), abs=2e-3)


def test_fit_recovers_known_coefficients_exactly_without_noise():
    t = np.arange(0, 61, 3.0)
    y = bass.cumulative(t, 0.01, 0.3, 0.8)
    fit = bass.fit(t, y)
    assert fit.p_per_month == pytest.approx(0.01, rel=1e-5)
    assert fit.q_per_month == pytest.approx(0.3, rel=1e-5)
    assert fit.m == pytest.approx(0.8, rel=1e-5)
    fixed = bass.fit(t, y, m=0.8)
    assert (fixed.p_per_month, fixed.q_per_month) == pytest.approx((0.01, 0.3), rel=1e-6)


def test_fit_recovers_coefficients_from_a_noisy_csv(tmp_path):
    rng = np.random.default_rng(7)
    t = np.arange(0, 72, 2)
    y = np.clip(bass.cumulative(t, 0.004, 0.12, 0.9) + rng.normal(0, 0.004, t.size), 0, 1)
    months = [f"{2020 + (int(k) // 12):04d}-{int(k) % 12 + 1:02d}" for k in t]
    csv = tmp_path / "series.csv"
    csv.write_text("# synthetic: p=0.004, q=0.12 per month, m=0.9\nmonth,share\n"
                   + "".join(f"{mo},{v:.5f}\n" for mo, v in zip(months, y)))
    series, fit = bass.fit_csv(csv)
    assert series.origin == "2020-01" and series.t_months[-1] == 70
    assert fit.p_per_month == pytest.approx(0.004, rel=0.15)
    assert fit.q_per_month == pytest.approx(0.12, rel=0.05)
    assert fit.m == pytest.approx(0.9, rel=0.05)
    assert fit.p_per_year == pytest.approx(12 * fit.p_per_month)


def test_shipped_series_reads_and_fits():
    series, fit = bass.fit_csv(REPO / "scenarios" / "adoption-pew-chatgpt-us-adults.csv", m=0.95)
    assert series.origin == "2022-12"
    assert list(series.months) == ["2023-03", "2023-07", "2024-02", "2025-02"]
    assert 0.1 < fit.p_per_year < 0.5  # the figure the fast-adoption scenario quotes (0.235)
    assert fit.rmse < 0.1


@pytest.mark.parametrize(
    "body, expected",
    [
        ("month,share\n2023-03,0.14\n2023-13,0.2\n", "x.csv:3: month: must be YYYY-MM"),
        ("month,share\n2023-03,abc\n", "x.csv:2: share: must be a number"),
        ("month,share\n2023-03,1.4\n", "x.csv:2: share: must be between 0 and 1"),
        ("month,share\n2023-03,14%\n2023-01,20%\n", "x.csv:3: month 2023-01 is not after the previous row's"),
        ("date,value\n2023-03,0.1\n", "x.csv:1: header must name the columns 'month' and 'share'"),
        ("month,share\n2023-03,0.1,7\n", "x.csv:2: expected 2 columns"),
        ("# only a comment\n", "x.csv: no rows"),
        ("month,share\n", "x.csv: a header but no data rows"),
    ],
)
def test_bad_csv_names_file_line_and_problem(tmp_path, body, expected):
    path = tmp_path / "x.csv"
    path.write_text(body)
    with pytest.raises(UserError) as exc:
        bass.fit_csv(path)
    assert expected in exc.value.problems[0].replace(str(tmp_path) + "/", "")


def test_too_few_points_and_missing_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("month,share\n2023-01,0.1\n2023-02,0.2\n")
    with pytest.raises(UserError, match="at least 3 data points"):
        bass.fit_csv(path)
    with pytest.raises(UserError, match="no such file"):
        bass.fit_csv(tmp_path / "nope.csv")
