"""The dashboard's pure state functions: uploads, edits, problems by field, the compare table."""

from __future__ import annotations

from pathlib import Path

import pytest

from artcost.dashboard import state
from artcost.model.comparison import comparison
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
    with pytest.raises(UserError) as exc:
        state.load(state.default_id(), {}, {"generation.acceptance_rate": 2, "human.wage_per_hour": -1})
    by = state.problems_by_field(state.split_problems(exc.value.problems))
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
    assert wage.unit == "CNY/h" and wage.value == 31
    assert "NBS 2022" in wage.help and "triangular(low=20, mode=31, high=55)" in wage.help


def test_comparison_rows_one_currency():
    from artcost.model.comparison import comparison
    from artcost.model.currency import rate_table
    from artcost.units import money

    ids = list(state.shipped_scenarios())[:2]
    rs = [comparison(state.load(i, {}), "USD") for i in ids]
    rows = state.comparison_rows(rs, ["a", "b"])
    assert all(set(r) == {"", "a", "b"} for r in rows)
    by_label = {r[""]: r for r in rows}
    # the seed is priced in CNY: its figures are converted to USD with the dated rate table
    own = comparison(state.load(ids[0], {}))
    assert own["currency"] == "CNY"
    usd = own["breakdown"]["per_usable_image"] * rate_table(2022).factor("CNY", "USD")
    assert by_label["AI per usable image, central values (a point) (USD)"]["a"] == money(usd, "")
    assert by_label["AI per usable image, central values (a point) (USD)"]["a"] != money(own["breakdown"]["per_usable_image"], "")
    assert by_label["artist per image, central values (a point) (USD)"]["a"] == money(own["artist"]["per_image"] * rate_table(2022).factor("CNY", "USD"), "")
    assert by_label["AI vs artist per image, central values (a point)"]["a"] == f"{own['ratio']:,.0f}x cheaper with AI"


def test_comparison_rows_refuse_mixed_currencies():
    from artcost.model.comparison import comparison

    a = comparison(state.load(state.default_id(), {}))
    b = comparison(state.load(state.default_id(), {}), "USD")
    with pytest.raises(ValueError, match="one currency"):
        state.comparison_rows([a, b], ["a", "b"])


def test_report_rows_are_the_compare_rows():
    """The report's cost table and the Cost page's compare table are one list of figures."""
    from artcost.model.comparison import comparison

    r = comparison(state.load(state.default_id(), {}), "EUR")
    compare = [(row[""], row["x"]) for row in state.comparison_rows([r], ["x"])]
    report = [(label, value) for label, value, _ in state.report_rows(r)]
    assert compare == report
    shares = {label: share for label, _, share in state.report_rows(r)}
    assert shares["total per job (EUR, a point)"] == "100%"


def test_editable_fields_describe_dist_like_the_spec():
    loaded = state.load(state.default_id(), {})
    q = loaded.scenario.cost_quantities()
    for f in state.editable_fields(loaded):
        assert f.dist == (q[f.path].dist.describe() if q[f.path].dist is not None else None)
        assert not f.path.startswith("market.")


def _from_bench_scenario(tmp_path, monkeypatch, ref: str) -> tuple[str, Path]:
    text = SEED.read_text().replace("generation:\n", f"generation:\n  from_bench: '{ref}'\n", 1)
    path = tmp_path / "from-bench.yaml"
    path.write_text(text)
    monkeypatch.setattr(state, "shipped_scenarios", lambda: {"shipped:from-bench": path})
    return "shipped:from-bench", path


def test_shipped_file_naming_from_bench_loads_like_the_cli(stored_record, tmp_path, monkeypatch):
    """`state.load` goes through `measured.load_with_options`, as `artcost cost` and `compare` do."""
    from artcost.model.measured import load_with_options

    sid, path = _from_bench_scenario(tmp_path, monkeypatch, stored_record)
    cli = load_with_options(path)
    dash = state.load(sid, {})
    assert dash.scenario == cli.scenario
    assert dash.scenario.generation.seconds_per_image.central == 9.0
    assert dash.source_of("generation.seconds_per_image") == cli.source_of("generation.seconds_per_image")
    assert "bench record" in dash.source_of("generation.seconds_per_image")
    assert dash.path == "scenarios/from-bench.yaml"


def test_edit_wins_over_from_bench_and_is_labelled(stored_record, tmp_path, monkeypatch):
    sid, path = _from_bench_scenario(tmp_path, monkeypatch, stored_record)
    dash = state.load(sid, {}, {"generation.seconds_per_image": 4.5, "human.wage_per_hour": 1e-05})
    assert dash.scenario.generation.seconds_per_image.central == 4.5
    assert dash.scenario.human.wage_per_hour.central == 1e-05
    assert dash.source_of("generation.seconds_per_image") == state.EDIT_LABEL
    assert dash.source_of("human.wage_per_hour") == state.EDIT_LABEL
    labelled = state.load(sid, {}, {"generation.seconds_per_image": 4.5}, {"generation.seconds_per_image": "measured: x"})
    assert labelled.source_of("generation.seconds_per_image") == "measured: x"


def test_from_bench_naming_a_missing_record_is_a_user_error(tmp_path, monkeypatch):
    pytest.importorskip("artcost.bench.store")
    sid, path = _from_bench_scenario(tmp_path, monkeypatch, "999999")
    with pytest.raises(UserError) as exc:
        state.load(sid, {})
    assert str(path) not in " ".join(exc.value.problems)


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: " + "[" * 600 + "]" * 600, "nested more than 24 levels deep"),  # was a RecursionError (issue #13)
        ("a: [" + "1, " * 100_000 + "1]", "more than 20,000 values"),  # was ~9 s of parsing for 40 KB
    ],
)
def test_upload_of_hostile_yaml_is_one_line(text, message):
    """An upload goes through the same bounded loader as a file: one line, naming the upload."""
    with pytest.raises(UserError) as exc:
        state.load_text(text, "deep.yaml", {})
    (line,) = exc.value.problems
    assert line.startswith("deep.yaml:1: ") and message in line


@pytest.mark.parametrize("sid", sorted(state.shipped_scenarios()))
def test_the_edited_scenario_downloads_as_yaml_that_loads_again(sid):
    """Issue #28: a presenter could not take an edited scenario away. The download is one file (extends resolved)
    that validates as an upload and gives the same figures as the edited scenario on screen."""
    edits = {"human.wage_per_hour": 77.0, "artist.price_per_image": 1234.0}
    shown = state.load(sid, {}, edits)
    text = state.scenario_yaml(shown, edits)
    assert not [line for line in text.splitlines() if line.startswith("extends")]
    assert "human.wage_per_hour = 77" in text.splitlines()[2]
    again = state.load_text(text, "again.yaml")
    assert again.scenario.values() == shown.scenario.values()
    assert comparison(again, with_headline=False)["breakdown"] == comparison(shown, with_headline=False)["breakdown"]
    assert "overridden (was:" in again.source_of("human.wage_per_hour")
