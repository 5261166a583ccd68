"""`artcost market`'s headline is the typical answer (the median of the draws with its 90% band), the central run is
labelled as one run; every curve has its band for the charts; no artist's price falls below its cost-of-living floor."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from artcost.model.loader import load_scenario
from artcost.model.market import (BAND_METRICS, DEFAULT_DRAWS, artist_metrics, bands_of, market_bands, run_draws,
                                  segment_metrics)
from artcost.model.market_schema import SEGMENT_NAMES

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
FAST = REPO / "scenarios" / "seed-2022-fast-adoption.yaml"
MARKET_SCENARIOS = sorted(p for p in (REPO / "scenarios").glob("*.yaml") if load_scenario(p).scenario.market is not None)


def test_shipped_market_scenarios_are_found():
    names = {p.name for p in MARKET_SCENARIOS}
    assert {"seed-2022-hobbyist-3060ti.yaml", "seed-2022-fast-adoption.yaml", "seed-2022-generic-bass.yaml",
            "seed-2022-artist-low.yaml", "seed-2022-artist-high.yaml"} <= names


# --------------------------------------------------------------------------- the floor


@pytest.mark.parametrize("path", MARKET_SCENARIOS, ids=lambda p: p.stem)
def test_no_artist_price_falls_below_its_floor_in_any_draw(path):
    """README: an artist working without AI never charges below cost of living / images a month; one using AI never
    below cost of living over the more images AI lets them finish, plus the machine. Every draw, month, segment."""
    d = run_draws(load_scenario(path), 300, 7)
    for r in (d.runs, d.central):
        m = segment_metrics(r)
        scale = m["price_floor"].max()
        assert np.all(m["artist_price"] >= m["price_floor"] - 1e-9 * scale)
        assert np.all(m["artist_ai_price"] >= m["price_floor_ai"] - 1e-9 * scale)
        assert np.all(m["price_floor_ai"] <= m["artist_price"].max())  # the AI floor is the lower of the two
    # the price buyers pay artists on average mixes both kinds of work: it may sit below the unassisted floor
    # (the 'price 192 beside floor 211'), never below the lower of the two floors
    m = segment_metrics(d.runs)
    some = m["commissions"] > 0
    lower = np.minimum(m["price_floor"], m["price_floor_ai"])
    assert np.all(m["avg_price"][some] >= lower[some] * (1 - 1e-9))


def _segment_table(out: str) -> dict[str, list[float]]:
    """The by-segment table's figures, whether printed as a table or (too wide for the terminal) as one paragraph a
    row: 'low: artists' commissions 33%; artists' income 16%; ...'."""
    import re

    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 9 and cells[0] in SEGMENT_NAMES:
            rows[cells[0]] = [float(c.rstrip("%").replace(",", "")) for c in cells[1:]]
    flat = " ".join(out.split())
    for seg in SEGMENT_NAMES:
        m = re.search(rf"(?:^| ){seg}: artists' commissions (.*?)(?= (?:{'|'.join(SEGMENT_NAMES)}): |$)", flat)
        if seg not in rows and m:
            parts = ("artists' commissions " + m.group(1)).split("; ")
            # the labels hold no digits: each part's first number is its figure
            values = [re.search(r"-?\d[\d,]*(?:\.\d+)?", x).group(0) for x in parts[:8]]
            rows[seg] = [float(v.replace(",", "")) for v in values]
    return rows


@pytest.mark.parametrize("path", [SEED, FAST], ids=lambda p: p.stem)
def test_cli_shows_each_price_beside_its_own_floor(path, capsys):
    from artcost.cli import main

    assert main(["market", str(path), "--draws", "0"]) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.split())
    assert "artist's price" in flat and "artist using AI: price" in flat and "average paid" in flat
    rows = _segment_table(out)
    assert set(rows) == set(SEGMENT_NAMES), out
    for seg, (_work, _income, price, floor, ai_price, ai_floor, _avg, _surplus) in rows.items():
        assert price >= floor and ai_price >= ai_floor, (seg, rows[seg])


def test_readme_says_what_the_floor_is():
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "never below their cost of living" not in text  # the old, loose claim
    assert "an artist working without AI never charges less than their cost of living over the images they finish" in text


# --------------------------------------------------------------------------- the typical answer


def test_cli_default_draws_are_the_models():
    from artcost.cli import market as cli_market

    assert cli_market.DEFAULT_DRAWS == DEFAULT_DRAWS


def test_cli_market_headline_is_the_median_of_the_draws(capsys):
    from artcost.cli import main

    assert main(["market", str(FAST), "--json"]) == 0
    d = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"non-strict JSON token {c}"))
    h = d["headline"]
    assert h["kind"] == "typical" and h["draws"] == DEFAULT_DRAWS and h["seed"] == 0
    assert d["central"]["kind"] == "central"  # the run at the modes stays, labelled as one run
    assert h["central"]["kind"].startswith("central values")
    assert d["headline_text"] == h["sentence"] and d["headline_text"].startswith("Typically,")
    # the same medians, computed here from the draws themselves
    runs = run_draws(load_scenario(FAST), DEFAULT_DRAWS, 0)
    a = artist_metrics(runs.runs)
    t12 = runs.market.release_offset + 12
    for metric in ("income_index", "commissions_index"):
        got = h["typical"]["after_12_months"][metric]
        assert got["median"] == pytest.approx(np.median(a[metric][:, t12]))
        assert got["p5"] == pytest.approx(np.percentile(a[metric][:, t12], 5))
        assert got["p95"] == pytest.approx(np.percentile(a[metric][:, t12], 95))
        # the issue: the central run is not typical of its own draws in this scenario
        central = h["central"]["after_12_months"][metric]
        assert central == pytest.approx(artist_metrics(runs.central)[metric][0, t12])
    assert h["typical"]["after_12_months"]["income_index"]["median"] < h["central"]["after_12_months"]["income_index"]


def test_cli_market_text_headline_and_central_only(capsys):
    from artcost.cli import main

    assert main(["market", str(SEED), "--draws", "100"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Typically, 12 months after AI's release" in out and "(90%: " in out
    assert "Central values (one run with every input at its mode or midpoint, not a typical draw)" in out
    assert "The central run year by year" in out
    assert main(["market", str(SEED), "--draws", "0", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["headline"] is None and d["headline_text"].startswith("Central run (every input at its mode")
    assert "bands" not in d


# --------------------------------------------------------------------------- bands for the charts


def test_every_curve_has_its_band_for_the_charts():
    b = market_bands(load_scenario(SEED), 100, 2)
    for table, metrics in BAND_METRICS.items():
        df = getattr(b, table)
        assert set(metrics) <= set(df["metric"]), table
        assert (df["p5"] <= df["p50"] + 1e-9).all() and (df["p50"] <= df["p95"] + 1e-9).all(), table
        assert df["month"].nunique() == 99
    by_seg = b.artists_by_segment
    assert set(by_seg["segment"]) == set(SEGMENT_NAMES)
    # shares: per segment and over all segments; the central run's shares sum to 1 each month
    for df, keys in ((b.shares, ["month", "segment"]), (b.shares_all, ["month"])):
        assert np.allclose(df.groupby(keys)["central"].sum(), 1.0)
        assert (df["p5"] <= df["p95"] + 1e-12).all()
    # the band is visible where the draws differ, and the headline reads the same tables
    inc = b.artists[b.artists["metric"] == "income_index"]
    assert (inc["p95"] - inc["p5"]).iloc[-1] > 0.05
    h = b.headline()
    last = int(b.artists["t"].max())
    assert h.typical["last"]["income_index"] == b.at("artists", "income_index", last)
    assert h.by_segment["low"]["income_index"] == b.at("artists_by_segment", "income_index", last, "low")


def test_bands_of_one_set_of_draws_equals_market_bands():
    loaded = load_scenario(SEED)
    a = market_bands(loaded, 50, 4)
    b = bands_of(run_draws(loaded, 50, 4))
    assert a.artists.equals(b.artists) and a.artists_by_segment.equals(b.artists_by_segment)


def test_demand_notes_are_printed(capsys):
    """A scenario whose demand elasticity is more than its logit can give says so (seed-2022-artist-low)."""
    from artcost.cli import main

    assert main(["market", str(REPO / "scenarios" / "seed-2022-artist-low.yaml"), "--draws", "0"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert re.search(r"note: market\.segments\.\w+\.demand_elasticity: .* is more than this segment's buyers can show",
                     out)
