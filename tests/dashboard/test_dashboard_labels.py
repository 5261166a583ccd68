"""Every input has a name in words and a unit (issue #19): the charts, tables and report never show a YAML path."""

from __future__ import annotations

from pathlib import Path

import pytest

from artcost.model.comparison import FIELD_LABELS, field_label, field_title, field_unit
from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_field_of_every_shipped_scenario_has_words(path):
    for field in load_scenario(path).scenario.quantities():
        label = field_label(field)
        assert "_" not in label and "." not in label, (field, label)
        leaf = field.rsplit(".", 1)[-1]
        if not field.startswith("market.segments."):
            assert field in FIELD_LABELS, f"{field}: add it to model/comparison.py FIELD_LABELS"
        assert label != leaf.replace("_", " ") or field in FIELD_LABELS, (field, label)


def test_titles_carry_units_and_percent_for_shares():
    assert field_title("human.wage_per_hour", "CNY") == "operator's hourly wage (CNY/h)"
    assert field_title("artist.price_per_image", "USD") == "artist's price per image (USD/image)"
    assert field_title("generation.acceptance_rate", "CNY") == "share of candidates good enough to use (%)"
    assert field_title("artist.lead_time_days", "CNY") == "artist's lead time (days)"
    assert field_title("job.finals_needed", "CNY") == "final images the job needs"  # a count has no unit
    # a Bass coefficient 'p_per_year' is a rate, not hours a year; a segment's 'weight_price' is utils, not money
    assert field_unit("market.awareness.p_per_year", "CNY") == "per year"
    assert field_unit("market.segments.low.weight_price", "CNY") == "utils"
    assert field_unit("market.artists.living_cost_per_month", "CNY") == "CNY/month"
    assert field_label("market.segments.high.willingness_to_pay") == "high-end buyers: willingness to pay per image"


def test_comparison_inputs_carry_the_label():
    from artcost.model.comparison import comparison

    r = comparison(load_scenario(REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"), with_headline=False)
    assert r["inputs"]["human.wage_per_hour"]["label"] == "operator's hourly wage"
    assert r["inputs"]["human.wage_per_hour"]["unit"] == "CNY/h"


def test_market_tables_of_the_central_run_are_in_words():
    """The Market page's 'Tables of the central run' showed the model's column names (`avg_price`,
    `share_of_artist_work_with_ai`, `t`), shares as 0.9184 and options as `ai_retouch`."""
    from artcost.dashboard import analysis
    from artcost.model.market import simulate_market

    loaded = load_scenario(REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml")
    result = simulate_market(loaded)
    tables = analysis.market_tables(result, "USD", 0.14)
    assert set(tables) == {"Each month, by buyer segment and way of getting an image", "Artists, all segments",
                           "Retouchers", "Buyers"}
    for title, df in tables.items():
        assert "t" not in df.columns
        for col in df.columns:
            assert "_" not in col, (title, col)
        assert df["month"].str.fullmatch(r"\d{4}-\d{2}").all()
    artists = tables["Artists, all segments"]
    assert artists["income vs no AI (%)"].iloc[0] == 100.0  # the first month is the no-AI level, in %
    assert artists["artists' income a month (USD, net of AI machine cost)"].iloc[0] == pytest.approx(
        result.artists["income"].iloc[0] * 0.14, rel=1e-6)
    monthly = tables["Each month, by buyer segment and way of getting an image"]
    assert set(monthly["way of getting the image"]) <= set(analysis.MARKET_OPTION_WORDS.values())
    assert 0 <= monthly["share of the segment's images (%)"].min() and monthly["share of the segment's images (%)"].max() <= 100


def test_units_the_suffix_rule_misread():
    """A review found 'compute.cloud.startup_seconds_per_gpu 180 ~ count' in `artcost cost`."""
    assert field_unit("compute.cloud.startup_seconds_per_gpu", "USD") == "s"
    assert field_unit("job.jobs_per_month", "USD") == "jobs/month"
    assert field_unit("compute.subscription.images_included_per_month", "USD") == "images/month"


def test_editor_labels_are_words_with_units():
    """The sidebar editor read 'wage_per_hour (CNY/h) ~' and 'attend_share (share)': YAML keys (issue #28)."""
    from artcost.dashboard import state
    from artcost.dashboard.edit import editor_label
    from artcost.model.loader import load_scenario

    seed = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
    fields = {f.path: f for f in state.editable_fields(load_scenario(seed))}
    assert editor_label(fields["human.wage_per_hour"]) == "operator's hourly wage (CNY/h, uncertain)"
    assert editor_label(fields["human.attend_share"]).startswith("share of generation time spent watching (0 to 1")
    assert not [f.path for f in fields.values() if "_" in editor_label(f)]
