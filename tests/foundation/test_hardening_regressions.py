"""Issue #13's reproductions, one test each: what a hostile user found, now one line and exit 2.

The fuzz suite (test_fuzz.py) covers the same ground by the thousand; these name each reported
defect so a regression points at the line of the issue it reopens.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from artcost.cli import main

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
STUDIO = REPO / "scenarios" / "studio-cloud-h100.yaml"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_refusal(code: int, err: str, *needles: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert "Traceback" not in err
    assert 1 <= len(lines) <= 21, lines
    assert all(line.startswith("error: ") for line in lines), lines
    for needle in needles:
        assert needle in err, (needle, err)


# ---------------------------------------------------------------- nesting and parse cost


def test_deep_flow_nesting_is_refused_not_a_recursion_error(tmp_path, capsys):
    f = tmp_path / "nest.yaml"
    f.write_text("a: " + "[" * 600 + "]" * 600 + "\n")
    code, _, err = run(capsys, "validate", f)
    assert_one_line_refusal(code, err, "nested more than")


def test_deep_mapping_nesting_is_refused(tmp_path, capsys):
    f = tmp_path / "nestmap.yaml"
    f.write_text("".join(" " * i + "k:\n" for i in range(900)))  # 2,000 deep is over the size cap; 900 is under it
    code, _, err = run(capsys, "validate", f)
    assert_one_line_refusal(code, err, "nested more than")


@pytest.mark.parametrize("text", [
    "a: [" + ",".join("1" for _ in range(100_000)) + "]\n",  # 200 KB flow list, 100k items
    "".join(f"k{i}: 1\n" for i in range(80_000)),  # 80k top-level keys, ~790 KB
])
def test_big_collections_are_refused_by_the_node_budget(text, tmp_path, capsys):
    f = tmp_path / "big.yaml"
    f.write_text(text)
    code, _, err = run(capsys, "validate", f)
    assert_one_line_refusal(code, err, "more than 20,000 values")


def test_errors_are_capped_at_twenty_then_a_count(tmp_path, capsys):
    seed = SEED.read_text()
    f = tmp_path / "many.yaml"
    f.write_text(seed + "".join(f"\nbogus_{i}: 1" for i in range(500)) + "\n")
    code, _, err = run(capsys, "validate", f)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 21
    assert lines[-1].startswith("error: ... and ") and "more problems" in lines[-1]


# ---------------------------------------------------------------- extends: never another file's content


def test_extends_a_system_file_never_echoes_it(tmp_path, capsys):
    f = tmp_path / "x.yaml"
    f.write_text("extends: /etc/passwd\n")
    code, _, err = run(capsys, "validate", f)
    assert_one_line_refusal(code, err, "not a scenario file")
    assert "root:" not in err


def test_extends_a_yaml_file_that_is_not_a_scenario_never_echoes_it(tmp_path, capsys):
    (tmp_path / "secret.yaml").write_text("password: hunter2-SECRET\ntoken: SECRET-token\n")
    f = tmp_path / "x.yaml"
    f.write_text("extends: secret.yaml\n")
    code, _, err = run(capsys, "validate", f)
    assert_one_line_refusal(code, err, "not a scenario file")
    assert "SECRET" not in err and "hunter2" not in err


@pytest.mark.parametrize("target", ['"\\0"', "a" * 300, "'seed\\0.yaml'"])
def test_extends_impossible_names_are_one_line(target, tmp_path, capsys):
    f = tmp_path / "x.yaml"
    f.write_text(f"extends: {target}\n")
    code, _, err = run(capsys, "validate", f)
    assert_one_line_refusal(code, err, "extends")


# ---------------------------------------------------------------- strict numbers everywhere


@pytest.mark.parametrize("value", [
    "{dist: triangular, low: 20, mode: '40', high: 50}",
    "{dist: triangular, low: true, mode: 31, high: 50}",
    "{dist: uniform, low: '20', high: 50}",
])
def test_distribution_parameters_are_not_coerced(value, capsys):
    code, _, err = run(capsys, "cost", SEED, "--set", f"human.wage_per_hour={value}")
    assert_one_line_refusal(code, err, "human.wage_per_hour")


def test_integer_fields_are_not_coerced_from_text(capsys):
    code, _, err = run(capsys, "cost", SEED, "--set", "generation.resolution_px='40'")
    assert_one_line_refusal(code, err, "generation.resolution_px")


# ---------------------------------------------------------------- valid syntax, absurd values


@pytest.mark.parametrize("command", [["cost"], ["simulate", "--draws", "200"], ["market"]])
def test_resale_above_price_is_refused_not_a_negative_cost(command, capsys):
    code, out, err = run(capsys, command[0], SEED, *command[1:], "--set", "compute.owned.resale_value=1e6")
    assert_one_line_refusal(code, err, "compute.owned.resale_value", "purchase_price")
    assert "-103" not in out


def test_breakeven_refuses_resale_above_price(capsys):
    code, _, err = run(capsys, "breakeven", SEED, "--param", "human.wage_per_hour",
                       "--set", "compute.owned.resale_value=1e6")
    assert_one_line_refusal(code, err, "compute.owned.resale_value")


@pytest.mark.parametrize("file, assignment, field", [
    (SEED, "human.wage_per_hour=1e308", "human.wage_per_hour"),
    (STUDIO, "compute.cloud.billing_granularity_seconds=1e-320", "billing_granularity_seconds"),
    (SEED, "generation.candidates_per_job=5e-324", "generation.candidates_per_job"),
    (SEED, "job.finals_needed=1e9", "job.finals_needed"),
    (SEED, "artist.lead_time_days={dist: lognormal, mu: 1000, sigma: 1}", "artist.lead_time_days"),
])
def test_inputs_that_would_make_a_figure_infinite_are_refused(file, assignment, field, capsys):
    code, out, err = run(capsys, "cost", file, "--json", "--set", assignment)
    assert_one_line_refusal(code, err, field)
    assert "Infinity" not in out and "NaN" not in out


def test_json_is_strict_and_an_uncomputable_figure_is_null_with_a_reason(capsys):
    # a chance of success that underflows to 0: the re-run figure cannot be computed
    code, out, err = run(capsys, "cost", SEED, "--json", "--set", "job.finals_needed=100",
                         "--set", "generation.acceptance_rate=0.00001")
    assert code == 0, err
    r = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-strict JSON token {c}"))
    assert r["per_usable_image_with_reruns"] is None
    assert "cannot be computed" in r["per_usable_image_with_reruns_note"]


def test_every_accepted_shipped_scenario_gives_finite_non_negative_json(capsys):
    for f in sorted((REPO / "scenarios").glob("*.yaml")):
        code, out, err = run(capsys, "cost", f, "--json")
        assert code == 0, (f, err)
        r = json.loads(out, parse_constant=lambda c: pytest.fail(f"{f}: non-strict JSON token {c}"))
        for k, v in r["breakdown"].items():
            assert v is not None and math.isfinite(v) and v >= 0, (f, k, v)
        assert r["ratio"] > 0


# ---------------------------------------------------------------- option parsing


@pytest.mark.parametrize("args", [
    ["bench", "--steps", "abc"],
    ["dashboard", "--port", "abc"],
    ["simulate", str(SEED), "--draws", "many"],
    ["cost", str(SEED), "--no-such-option"],
    ["no-such-command"],
])
def test_usage_errors_are_one_line_and_exit_2(args, capsys):
    code, _, err = run(capsys, *args)
    assert_one_line_refusal(code, err)


def test_a_misspelt_required_key_is_one_line(tmp_path):
    """'wage_per_hr' gave two lines: 'human.wage_per_hour: required field is missing' and the unknown key with
    'did you mean'. The second says it all."""
    from artcost.errors import UserError
    from artcost.model.loader import load_scenario

    src = (Path(__file__).resolve().parents[2] / "scenarios" / "freelancer-2024-rtx4090.yaml").read_text()
    bad = tmp_path / "typo.yaml"
    bad.write_text(src.replace("  wage_per_hour:", "  wage_per_hr:"))
    with pytest.raises(UserError) as exc:
        load_scenario(bad)
    assert len(exc.value.problems) == 1, exc.value.problems
    assert "human.wage_per_hr: unknown key (did you mean 'wage_per_hour'?)" in exc.value.problems[0]
    gone = tmp_path / "gone.yaml"  # a required key simply missing is still said
    gone.write_text("\n".join(line for line in src.splitlines() if not line.startswith("  wage_per_hour:")))
    with pytest.raises(UserError, match="human.wage_per_hour: required field is missing"):
        load_scenario(gone)
