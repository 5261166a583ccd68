"""The four commands: tables and JSON, provenance labels, one-line errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artcost.cli import main

SEED = str(Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_simulate_json_reproducible(capsys):
    code, out, _ = run(capsys, "simulate", SEED, "--draws", "20000", "--seed", "7", "--json")
    assert code == 0
    a = json.loads(out)
    _, out2, _ = run(capsys, "simulate", SEED, "--draws", "20000", "--seed", "7", "--json")
    assert json.loads(out2) == a
    assert a["draws"] == 20000 and a["seed"] == 7
    assert a["scenario"]["file"] == SEED
    assert {"ai_cheaper", "ratio_ge_10", "ratio_ge_100"} == set(a["probabilities"])
    assert a["outputs"]["ai_per_usable_image"]["unit"] == "CNY"


def test_simulate_table_labels_its_provenance(capsys):
    code, out, _ = run(capsys, "simulate", SEED, "--draws", "5000", "--seed", "3")
    assert code == 0
    flat = " ".join(out.split())
    assert "5,000 independent draws" in flat and "seed 3" in flat
    assert "money in CNY" in flat
    assert "P(AI cheaper)" in flat


def test_simulate_with_set_override(capsys):
    code, out, _ = run(capsys, "simulate", SEED, "--draws", "2000", "--set", "human.wage_per_hour=1000", "--json")
    assert code == 0
    s = json.loads(out)
    assert "human.wage_per_hour" not in s["inputs"]  # now a fixed number
    assert s["outputs"]["ratio"]["median"] < 10


def test_sensitivity_json(capsys):
    code, out, _ = run(capsys, "sensitivity", SEED, "--sobol-n", "64", "--json")
    assert code == 0
    s = json.loads(out)
    assert set(s["outputs"]) == {"per_usable_image", "ratio"}
    t = s["outputs"]["per_usable_image"]["tornado"]
    assert t[0]["swing"] >= t[-1]["swing"]
    assert s["outputs"]["ratio"]["sobol"]["n"] == 64


def test_sensitivity_table(capsys):
    code, out, _ = run(capsys, "sensitivity", SEED, "--output", "per_usable_image", "--sobol-n", "64")
    assert code == 0
    assert "Sobol" in out and "human.wage_per_hour" in out


def test_breakeven(capsys):
    code, out, _ = run(capsys, "breakeven", SEED, "--param", "human.wage_per_hour", "--json")
    assert code == 0
    b = json.loads(out)
    assert b["root"] == pytest.approx(b["roots"][0]) and b["ai_at_root"][0] == pytest.approx(b["artist_at_root"][0])
    code, out, _ = run(capsys, "breakeven", SEED, "--param", "compute.owned.price_per_kwh", "--range", "0", "5")
    assert code == 0
    assert "no break-even in this range" in " ".join(out.split())


def test_breakeven_grid(capsys):
    code, out, _ = run(
        capsys, "breakeven", SEED, "--param", "human.wage_per_hour", "--grid", "generation.acceptance_rate",
        "--range", "10", "100", "--grid-range", "0.001", "0.02", "--steps", "4", "--json",
    )
    assert code == 0
    g = json.loads(out)
    assert len(g["x"]) == 4 and len(g["y"]) == 4 and len(g["ratio"]) == 4 and len(g["ratio"][0]) == 4
    assert g["x"][0] == 10 and g["y"][-1] == 0.02


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["breakeven", SEED, "--param", "human.wage_per_hr"], "did you mean 'human.wage_per_hour'"),
        (["breakeven", SEED, "--param", "human.wage_per_hour", "--grid", "human.wage"], "--grid human.wage"),
        (["breakeven", SEED, "--param", "generation.acceptance_rate", "--range", "0.1", "2"], "<= 1"),
        (["simulate", SEED, "--draws", "1"], "--draws"),
        (["sensitivity", SEED, "--output", "cost"], "unknown output"),
        (["sensitivity", SEED, "--sobol-n", "100"], "power of two"),
        (["scale", SEED, "--finals", "1,x"], "--finals"),
        (["scale", SEED, "--jobs", "0"], "--jobs"),
        (["simulate", "no-such-file.yaml"], "no such file"),
    ],
)
def test_user_errors_exit_2_with_one_line(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err + out


def test_scale(capsys):
    code, out, _ = run(capsys, "scale", SEED, "--finals", "1,10", "--jobs", "1,8", "--json")
    assert code == 0
    s = json.loads(out)
    assert len(s["per_usable_image"]) == 2 and s["gpu"] == "dedicated"
    code, out, _ = run(capsys, "scale", SEED, "--finals", "1,10", "--jobs", "1,8")
    assert code == 0 and "jobs/month" in out


def test_breakeven_library_names_arguments_the_cli_names_flags(capsys):
    """Issue #14: model.breakeven raises ArgumentError in its own words; the CLI says each flag."""
    from artcost.errors import ArgumentError
    from artcost.model.breakeven import breakeven, ratio_grid
    from artcost.model.loader import load_scenario

    loaded = load_scenario(SEED)
    with pytest.raises(ArgumentError) as exc:
        breakeven(loaded, "human.wage_per_hour", 5, 1)
    assert exc.value.argument == "range" and "--" not in str(exc.value)
    with pytest.raises(ArgumentError) as exc:
        ratio_grid(loaded, "human.wage_per_hour", [1, 2], "human.wage_per_hour", [1, 2])
    assert exc.value.argument == "y_param" and "--" not in str(exc.value)
    code, _, err = run(capsys, "breakeven", SEED, "--param", "human.wage_per_hour", "--grid", "human.wage_per_hour")
    assert code == 2 and "--grid: pick a second parameter different from --param (human.wage_per_hour)" in err
    code, _, err = run(capsys, "breakeven", SEED, "--param", "human.wage_per_hour", "--range", "5", "1")
    assert code == 2 and "--range: need LO < HI (got 5 1)" in err
