"""The dashboard's pure state functions: uploads, edits, problems by field, the compare table."""

from __future__ import annotations

from pathlib import Path

import pytest

from artcost.dashboard import state
from artcost.errors import UserError
from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"


def test_shipped_default_first():
    ids = list(state.shipped_scenarios())
    assert ids[0] == state.default_id() == "shipped:seed-2022-hobbyist-3060ti"
    assert len(ids) == len(list((REPO / "scenarios").glob("*.yaml")))


def test_load_text_equals_load_scenario():
    text = SEED.read_text()
    a = state.load_text(text, "copy.yaml", {"human.wage_per_hour": 40})
    b = load_scenario(SEED, {"human.wage_per_hour": 40})
    assert a.scenario == b.scenario
    assert a.path == "upload:copy.yaml"
    assert a.source_of("human.wage_per_hour") == state.EDIT_LABEL


def test_shipped_paths_read_like_the_cli():
    loaded = state.load(state.default_id(), {})
    assert loaded.path == "scenarios/seed-2022-hobbyist-3060ti.yaml"
    assert loaded.source_of("job.finals_needed").startswith("scenarios/seed-2022-hobbyist-3060ti.yaml: seed:")


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("x.txt", b"a: 1", "only YAML"),
        ("x.yaml", b"\xff\xfe", "not UTF-8"),
        ("x.yaml", b"a\x00", "binary"),
        ("x.yaml", b" " * 1_000_001, "1,000,000 bytes"),
    ],
)
def test_check_upload_refuses(name, data, message):
    with pytest.raises(UserError, match=message):
        state.check_upload(name, data)


def test_safe_name_strips_paths():
    assert state.safe_name("../../etc/passwd.yaml") == "passwd.yaml"
    assert state.safe_name("C:\\x\\my file: 1.yaml") == "my_file_1.yaml"


def test_problems_split_by_field():
    loaded, problems = state.try_edit(state.default_id(), {}, {"generation.acceptance_rate": 2, "human.wage_per_hour": -1})
    assert loaded is None
    by = state.problems_by_field(problems)
    assert by["generation.acceptance_rate"] == ["must be <= 1 (got 2)"]
    assert by["human.wage_per_hour"] == ["must be >= 0 (got -1)"]


def test_file_level_problem_has_no_field():
    with pytest.raises(UserError) as exc:
        state.load_text("a: [1,\n", "broken.yaml")
    (p,) = state.split_problems(exc.value.problems)
    assert p.field == "" and p.where.startswith("broken.yaml") and "not valid YAML" in p.message


def test_changed_keeps_only_real_edits():
    fields = state.editable_fields(state.load(state.default_id(), {}))
    values = {f.path: f.value for f in fields}
    assert state.changed(fields, values) == {}
    values["human.wage_per_hour"] = 40.0
    assert state.changed(fields, values) == {"human.wage_per_hour": 40.0}


def test_editable_fields_carry_unit_source_and_dist():
    f = {x.path: x for x in state.editable_fields(state.load(state.default_id(), {}))}
    wage = f["human.wage_per_hour"]
    assert wage.unit == "CNY" and wage.value == 31
    assert "NBS 2022" in wage.help and "triangular(low=20, mode=31, high=55)" in wage.help


def test_comparison_rows_one_currency():
    from artcost.model.comparison import comparison

    rs = [comparison(state.load(i, {}), "USD") for i in list(state.shipped_scenarios())[:2]]
    rows = state.comparison_rows(rs, ["a", "b"])
    assert all(set(r) == {"", "a", "b"} for r in rows)
    assert any(r[""] == "AI per usable image (USD)" for r in rows)
