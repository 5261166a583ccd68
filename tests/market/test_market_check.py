"""The back-test (`artcost market-check`): the evidence table, the verdicts, the command, and the docs that quote it."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from artcost.errors import UserError
from artcost.model.headline import Spread
from artcost.model.market_check import market_check, read_window, verdict_of
from artcost.model.market_evidence import load_evidence
from artcost.model.measured import load_with_options

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
EVIDENCE = REPO / "src" / "artcost" / "data" / "market_evidence.yaml"
DOCS = REPO / "docs" / "market-model.md"


@pytest.fixture(scope="module")
def evidence():
    return load_evidence()


@pytest.fixture(scope="module")
def seed_check():
    """The default back-test, as `artcost market-check` runs it (1,000 draws, seed 0)."""
    return market_check(load_with_options(SEED))


# --------------------------------------------------------------------------- the evidence table


def test_every_evidence_row_has_source_date_and_place(evidence):
    assert len(evidence) == 27 and evidence.as_of == "2026-12-01"
    for row in evidence:
        assert row.source.title and row.source.url.startswith("http"), row.id
        assert re.fullmatch(r"(19|20)\d\d(-\d\d(-\d\d)?)?", row.published), row.id
        assert row.place.strip() and row.read_via.strip(), row.id
        assert math.isfinite(row.effect)
        if row.compare.metric == "none":
            assert row.compare.why, row.id  # a row the model cannot meet says why
        assert row.study and row.measures, row.id  # held out with its study; its likelihood says what it measures
        assert (row.extra_sd is None) == (row.extra_sd_why is None), row.id
    assert len({r.id for r in evidence}) == len(evidence)
    # issue #27: the survey rows are compared, each with its own source
    shares = {r.id: r for r in evidence if r.kind == "share_of_respondents"}
    assert set(shares) == {"soa2024_illustrators_lost_work", "soa2024_illustrators_income_down",
                           "bnw2026_illustrators_lost_commissions", "aop2024_photographers_lost_work",
                           "aop2025_photographers_lost_work", "ninetyninedesigns2024_earnings_affected"}
    assert all(r.compare.metric.startswith("share_") for r in shares.values())


def _bad_table(tmp_path, old: str, new: str, count: int = 1) -> Path:
    text = EVIDENCE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "ev.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, expected", [
    ('    place: "USA"\n', "", r"ev.yaml:\d+: rows\[20\] \(makridis2025_us_artists_earnings\): place: required field is missing"),
    ("    effect: -0.170\n", "    effect: lots\n",
     r"ev.yaml:\d+: rows\[0\] \(demirci2025_image_posts_all\): effect: Input should be a valid number.*'lots'"),
    ('    published: "2024-02"\n', '    published: "Feb 2024"\n',
     r"ev.yaml:\d+: rows\[18\] \(bloomberry2024_upwork_graphic_design_posts\): published: must be a date written YYYY"),
    ("      metric: share_lost_work\n      how: at_horizon\n      why: \"the share of artists (all segments, weighted",
     "      metric: share_lost_work\n      how: at_horizon\n      whyy: \"the",
     r"rows\[14\] \(soa2024_illustrators_lost_work\): compare.whyy: unknown field"),
    ("      metric: share_lost_work\n      how: at_horizon\n      why: \"the share of artists (all segments, weighted",
     "      metric: income\n      how: at_horizon\n      why: \"the",
     r"rows\[14\] \(soa2024_illustrators_lost_work\): \(row\): compare.metric: a share_of_respondents row is put beside"),
    ("    measures: survey\n    study: soa2024\n", "    study: soa2024\n",
     r"rows\[14\] \(soa2024_illustrators_lost_work\): measures: required field is missing"),
    ("      how: window_average\n      versus: low\n", "      how: window_average\n",
     r"rows\[3\] \(hui2024_image_top_half_jobs\): \(row\): compare.versus: required for a relative_change_differential"),
    ("      metric: retouch_price_ratio\n", "      metric: income\n",
     r"rows\[17\] \(restofworld2023_retouch_rate\): \(row\): compare.metric: a price_ratio row is put beside"),
    ("    segment: high\n    segment_reasoning: \"her former fee", "    segment: all\n    segment_reasoning: \"her former fee",
     r"rows\[17\] \(restofworld2023_retouch_rate\): \(row\): segment: all has no one base artist price"),
])
def test_a_malformed_evidence_table_gives_one_line_per_problem(tmp_path, old, new, expected):
    with pytest.raises(UserError) as exc:
        load_evidence(_bad_table(tmp_path, old, new))
    lines = exc.value.problems
    assert len(lines) == 1 and re.search(expected, lines[0]), lines


# --------------------------------------------------------------------------- the verdict, by hand


def test_reading_a_window_by_hand():
    # two draws of an index curve over 6 months, the release at month 1 (month 0: no AI yet)
    curve = np.array([[1.0, 0.9, 0.8, 0.7, 0.6, 0.5],
                      [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]])
    # a difference-in-differences over months 0..2 after release: mean(0.9, 0.8, 0.7) - 1 = -0.2
    assert read_window(curve, False, "window_average", (0, 2), 1) == pytest.approx([-0.2, 0.0])
    assert read_window(curve, False, "at_horizon", (3, 3), 1) == pytest.approx([-0.4, 0.0])
    # before/after: month 4 (0.5) against month 1 (0.8)
    assert read_window(curve, False, "change_over_window", (1, 4), 1) == pytest.approx([0.5 / 0.8 - 1, 0.0])
    # months before the simulation's start are the no-AI market: index 1
    assert read_window(curve, False, "window_average", (-3, 0), 1) == pytest.approx([(1 + 1 + 1 + 0.9) / 4 - 1, 0])
    # month 4 after release (0.5) against the 12 months before it: months -8..3 after release, 7 of them before
    # the start (at 1), then 1.0, 0.9, 0.8, 0.7, 0.6
    yoy = read_window(curve, False, "versus_previous_year", (4, 4), 1)
    assert yoy == pytest.approx([0.5 / ((7 + 1.0 + 0.9 + 0.8 + 0.7 + 0.6) / 12) - 1, 0.0])
    # a ratio has no value before the start, and no month past the end is invented
    with pytest.raises(IndexError):
        read_window(curve, True, "at_horizon", (-2, -2), 1)
    with pytest.raises(IndexError):
        read_window(curve, False, "at_horizon", (5, 5), 1)


@pytest.mark.parametrize("effect, verdict, distance", [
    (-0.17, "below", -0.17 + 0.095), (-0.095, "inside", 0.0), (-0.05, "inside", 0.0), (-0.019, "inside", 0.0),
    (0.0, "above", 0.019), (2.35, "above", 2.35 + 0.019),
])
def test_verdict_against_a_band_by_hand(effect, verdict, distance):
    v, d = verdict_of(effect, Spread(median=-0.06, p5=-0.095, p95=-0.019))
    assert v == verdict and d == pytest.approx(distance)


def test_a_market_without_ai_meets_only_the_figures_of_no_change(tmp_path, evidence):
    """AI priced out of reach (electricity at 10^12 CNY/kWh): every curve is the no-AI baseline, so each row's model
    figure is 0 in every draw, and a row's verdict and distance follow from its sign alone."""
    loaded = load_with_options(SEED, overrides={"compute.owned.price_per_kwh": 1e12})
    c = market_check(loaded, evidence, draws=20, seed=1)
    compared = [r for r in c.rows if r.model is not None]
    assert len(compared) == 27
    for r in compared:
        if r.metric == "retouch_price_ratio":  # a retoucher's price, capped by the (absurd) AI price: the 300 CNY fee
            continue
        if r.metric.startswith("share_"):  # without AI only an artist's own luck crosses the loss line: a few percent
            assert r.model.p95 < 0.1 and r.verdict == "above", (r.id, r.model)
            continue
        assert abs(r.model.p5) < 1e-6 and abs(r.model.p95) < 1e-6, (r.id, r.model)
        expected = "inside" if abs(r.effect) < 1e-6 else ("below" if r.effect < 0 else "above")
        assert r.verdict == expected, r.id
        assert r.distance == pytest.approx(r.effect, abs=1e-6), r.id


# --------------------------------------------------------------------------- the default back-test


def test_every_row_is_compared_or_says_why(seed_check):
    by = {r.id: r for r in seed_check.rows}
    assert len(by) == 27
    for r in seed_check.rows:
        if r.model is None:
            assert r.verdict == "not compared" and r.why, r.id
            assert r.kind.startswith("share_of"), r.id  # only survey shares have no curve to meet
        else:
            assert r.model.p5 <= r.model.median <= r.model.p95
            assert (r.verdict == "inside") == (r.model.p5 <= r.effect <= r.model.p95), r.id
    # Demirci et al. read over months 0..12 after Midjourney's release: the model's months 2022-10..2023-10
    assert by["demirci2025_image_posts_all"].months == ("2022-10", "2023-10")
    counts = seed_check.counts()
    assert sum(counts.values()) == 27 and counts["not compared"] == 0


def test_the_check_reads_the_same_draws_as_the_market_bands(seed_check):
    """A row read at one month (at_horizon) is the market bands' p5/p50/p95 of the same curve at that month."""
    from artcost.model.market import market_bands

    b = market_bands(load_with_options(SEED), 1000, 0)
    r = next(r for r in seed_check.rows if r.id == "cyol2023_shenzhen_design_firm_staff")  # mid, 10 months
    s = b.at("artists_by_segment", "commissions_index", 10, "mid")
    assert (r.model.median, r.model.p5, r.model.p95) == pytest.approx((s.median - 1, s.p5 - 1, s.p95 - 1))


# --------------------------------------------------------------------------- the command


def test_cli_market_check_table_and_json(capsys):
    from artcost.cli import main

    assert main(["market-check", str(SEED), "--draws", "200"]) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.split())
    # each row by what it measured, in words (issue #28: rows by id read as code); the ids stay in --json
    assert "job posts for image-creating work" in flat and "demirci2025_image_posts_all" not in out
    assert "inside/outside" in out and "of 27 compared figures fall inside" in out and "held out" in out
    assert main(["market-check", str(SEED), "--draws", "200", "--json"]) == 0
    text = capsys.readouterr().out
    d = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON token {c}"))
    assert d["kind"] == "market_check" and d["draws"] == 200 and len(d["rows"]) == 27
    ids = {r["id"] for r in d["rows"]}
    assert {"demirci2025_image_posts_all", "zhang2024_mihuashi_tachie_volume", "soa2024_illustrators_lost_work"} <= ids
    assert d["in_sample"] == {"inside": d["counts"]["inside"], "compared": 27}
    assert set(d["cross_validation"]) >= {"inside", "compared"}
    row = d["rows"][0]
    assert {"place", "published", "window_months", "effect", "model", "central", "verdict", "inside"} <= set(row)
    assert d["counts"]["inside"] == sum(r["inside"] is True for r in d["rows"])


def test_cli_market_check_errors(tmp_path, capsys):
    from artcost.cli import main

    bad = _bad_table(tmp_path, '    place: "USA"\n', "")
    assert main(["market-check", str(SEED), "--evidence", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "ev.yaml:" in err and "(makridis2025_us_artists_earnings): place: required field is missing" in err
    assert "Traceback" not in err
    assert main(["market-check", str(SEED), "--evidence", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml: cannot be read" in capsys.readouterr().err
    assert main(["market-check", str(REPO / "scenarios" / "studio-cloud-h100.yaml")]) == 2
    assert "no market: section" in capsys.readouterr().err
    assert main(["market-check", str(SEED), "--draws", "1"]) == 2
    assert "error: --draws: need a whole number >= 2" in capsys.readouterr().err


# --------------------------------------------------------------------------- the docs quote the tool


def _between(text: str, name: str) -> str:
    m = re.search(rf"<!-- {name} -->\n(.*?)\n<!-- /{name} -->", text, re.S)
    assert m, f"docs/market-model.md has no <!-- {name} --> block"
    return m.group(1).strip()


REGENERATE = ("regenerate with: .venv/bin/python -c \"from artcost.model.market_check import market_check; "
              "from artcost.model.measured import load_with_options; "
              "print(market_check(load_with_options('scenarios/seed-2022-hobbyist-3060ti.yaml')).markdown())\"")


def test_docs_back_test_table_is_what_the_tool_prints(seed_check):
    assert _between(DOCS.read_text(encoding="utf-8"), "market-check seed") == seed_check.markdown(), REGENERATE
    assert seed_check.summary() in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("name, scenario", [("headline seed", "seed-2022-hobbyist-3060ti.yaml"),
                                            ("headline fast", "seed-2022-fast-adoption.yaml")])
def test_docs_headlines_are_what_the_tool_prints(name, scenario):
    """docs/market-model.md quotes `artcost market`'s headline (the median of 1,000 draws) for the seed and the
    fast-adoption scenario, word for word (the issue: the docs said -24% while the tool printed -26.5%)."""
    from artcost.model.market import market_headline

    h = market_headline(load_with_options(REPO / "scenarios" / scenario))
    assert _between(DOCS.read_text(encoding="utf-8"), name) == f"{h.sentence()}\n\n{h.note()}"


def test_docs_back_test_summaries_are_what_the_tool_prints(seed_check):
    """The seed scenarios' counts against the evidence (docs/market-model.md section 8)."""
    lines = ["| scenario | back-test |", "|---|---|"]
    for name in ("seed-2022-hobbyist-3060ti", "seed-2022-market-prior", "seed-2022-fast-adoption",
                 "seed-2022-generic-bass"):
        c = seed_check if name == "seed-2022-hobbyist-3060ti" else market_check(
            load_with_options(REPO / "scenarios" / f"{name}.yaml"))
        lines.append(f"| `scenarios/{name}.yaml` | {c.summary()} |")
    assert _between(DOCS.read_text(encoding="utf-8"), "market-check summaries") == "\n".join(lines)


def test_docs_fit_tables_are_the_shipped_record():
    """docs/market-model.md section 10 quotes the shipped fit's record (parameters, in-sample and held-out rows)."""
    from artcost.model.market_fit import fit_markdown

    record = json.loads((REPO / "src" / "artcost" / "data" / "market_fit.json").read_text(encoding="utf-8"))
    text = DOCS.read_text(encoding="utf-8")
    assert _between(text, "market-fit") == fit_markdown(record)
    cv, ins = record["cross_validation"], record["in_sample"]
    assert _between(text, "market-fit summary") == fit_summary(record)
    assert cv["compared"] == ins["compared"] == 27


def fit_summary(record) -> str:
    cv, ins = record["cross_validation"], record["in_sample"]
    return (f"In sample: {ins['inside']} of {ins['compared']} published figures inside the 90% predictive band "
            f"({ins['inside_model_band']} inside the model's band alone). Held out (leave one study out, "
            f"{cv['studies']} studies): {cv['inside']} of {cv['compared']} inside the 90% predictive band "
            f"({cv['inside_model_band']} inside the model's band alone). The fit, its predictive bands and the "
            f"{cv['studies']} refits (`{record['command']}`) took {record['cpu_s']:.0f} s of CPU and "
            f"{record['wall_s']['total']:.0f} s wall on {record['machine']['cpu']} "
            f"({record['machine']['cores_used']} worker processes on a machine shared with other jobs).")
