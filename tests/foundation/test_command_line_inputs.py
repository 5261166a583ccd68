"""Issue #24's command-line and degenerate-input reproductions, one test each.

- a number typed with --set is bounded as a file's figure is (a 310-digit wage was an OverflowError);
- a --set is blamed on the command line, also for the sections it makes up and the parts of a figure it
  replaces (`--set a.b.c=1` was 'studio-cloud-h100.yaml:2: a: unknown key'); `--currency ''` is refused;
- an AI side that costs nothing is refused by every command with the same line, before any arithmetic
  (routes printed 'median nan', sensitivity 'inf .. inf', market a numpy warning): run here in
  subprocesses with warnings as errors, each command on the same scenario;
- break-even finds a root over 21 decades, and says why it will not search beyond a figure's sizes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from artcost.cli import main

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
STUDIO = REPO / "scenarios" / "studio-cloud-h100.yaml"
BIG = "9" * 310  # YAML reads it as an int no float holds
SET_LABEL = "(--set on the command line)"
# what no command may print: a non-finite figure, or a warning (numpy's, SALib's) on its way out
NOT_A_FIGURE = re.compile(r"\b(nan|inf|NaN|Infinity)\b|Warning|Traceback")


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_refusal(code: int, err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


# Every command that reads a scenario with --set, with arguments that keep it quick.
def commands(file: Path, out_dir: Path) -> dict[str, list[str]]:
    f = str(file)
    return {
        "cost": ["cost", f],
        "routes": ["routes", f],
        "simulate": ["simulate", f, "--draws", "500"],
        "sensitivity": ["sensitivity", f, "--sobol-n", "64"],
        "breakeven": ["breakeven", f, "--param", "human.wage_per_hour"],
        "scale": ["scale", f],
        "market": ["market", f, "--draws", "0"],
        "report": ["report", f, "-o", str(out_dir / "report.html")],
    }


# ---------------------------------------------------------------- 1. numbers typed on the command line


@pytest.mark.parametrize("name", ["cost", "simulate", "routes", "report", "market", "sensitivity", "breakeven", "scale"])
def test_a_310_digit_set_is_bounded_as_in_a_file(name, tmp_path, capsys):
    """Was an OverflowError traceback (int too large to convert to float) in cost, simulate, routes, report, market."""
    args = commands(SEED, tmp_path)[name]
    line = one_line_refusal(*run(capsys, *args, "--set", f"human.wage_per_hour={BIG}")[::2])
    assert line == (f"error: {SEED} {SET_LABEL}: human.wage_per_hour: must be at most 1e+12 in size "
                    "(got a number of 310 digits)")


def test_the_same_number_in_a_file_gets_the_same_words(tmp_path, capsys):
    text = SEED.read_text(encoding="utf-8")
    f = tmp_path / "big.yaml"
    f.write_text(re.sub(r"(?m)^  wage_per_hour: .*$", f"  wage_per_hour: {BIG}", text), encoding="utf-8")
    line = one_line_refusal(*run(capsys, "cost", f)[::2])
    assert re.fullmatch(rf"error: {re.escape(str(f))}:\d+: human\.wage_per_hour: must be at most 1e\+12 in size "
                        r"\(got a number of 310 digits\)", line), line


@pytest.mark.parametrize("value, words", [
    (f"-{BIG}", "must be at most 1e+12 in size (got a negative number of 310 digits)"),
    (f"{BIG}USD", "must be a finite number (got inf)"),  # converted first: as `wage_per_hour: 1e400` in a file
    ("1e400", "must be a finite number (got inf)"),
    ("1e13", "must be at most 1e+12 in size (got 1e+13)"),
    (f"{{dist: uniform, low: 0, high: {BIG}}}", "uniform parameter high must be at most 1e+12 in size"),
    ("'40'", "got text '40'"),
])
def test_odd_numbers_are_one_line_naming_the_command_line(value, words, capsys):
    line = one_line_refusal(*run(capsys, "cost", SEED, "--set", f"human.wage_per_hour={value}")[::2])
    assert f"{SEED} {SET_LABEL}: human.wage_per_hour" in line and words in line, line


# ---------------------------------------------------------------- 5. who is blamed, and --currency


@pytest.mark.parametrize("assignment, blamed", [
    ("a.b.c=1", "a: unknown key"),  # was 'studio-cloud-h100.yaml:2: a: unknown key'
    ("human.b.c=1", "human.b: unknown key"),
    ("meta.x.y=1", "meta.x: unknown key"),
])
def test_a_set_of_a_path_the_file_lacks_is_blamed_on_the_command_line(assignment, blamed, capsys):
    line = one_line_refusal(*run(capsys, "cost", STUDIO, "--set", assignment)[::2])
    assert line.startswith(f"error: {STUDIO} {SET_LABEL}: {blamed}"), line


def test_a_set_replacing_a_distribution_is_blamed_on_the_command_line_not_the_files_line(capsys):
    # the file's wage is a triangular on line 33: its low/high lines no longer hold the figure
    line = one_line_refusal(*run(capsys, "cost", STUDIO, "--set",
                                 f"human.wage_per_hour={{dist: uniform, low: 0, high: {BIG}}}")[::2])
    assert line.startswith(f"error: {STUDIO} {SET_LABEL}: human.wage_per_hour: "), line


def test_a_set_of_one_parameter_names_the_file_line_and_the_command_line(capsys):
    line = one_line_refusal(*run(capsys, "cost", STUDIO, "--set", "human.wage_per_hour.high=-3")[::2])
    assert re.match(rf"error: {re.escape(str(STUDIO))}:\d+ \(with --set on the command line\): human\.wage_per_hour: ", line), line


@pytest.mark.parametrize("args", [["cost", STUDIO], ["compare", STUDIO, SEED], ["routes", STUDIO],
                                  ["report", STUDIO, "-o", "IGNORED"]])
@pytest.mark.parametrize("currency", ["", "   "])
def test_an_empty_currency_is_refused_by_every_command_that_takes_one(args, currency, tmp_path, capsys):
    args = [str(tmp_path / "r.html") if a == "IGNORED" else a for a in args]
    line = one_line_refusal(*run(capsys, *args, "--currency", currency)[::2])
    assert line == f"error: --currency {currency!r}: give an ISO currency code, e.g. --currency USD"
    assert not (tmp_path / "r.html").exists()


def test_a_long_unknown_currency_is_not_echoed_whole(capsys):
    line = one_line_refusal(*run(capsys, "cost", STUDIO, "--currency", "A" * 5000)[::2])
    assert "unknown currency 'AAAAAAAAAAA…'" in line and len(line) < 200, line[:300]


# ---------------------------------------------------------------- 2. an AI side that costs nothing


def _all_zero(d: dict) -> dict:
    """Every AI cost input that may be 0 set to 0 (the seed's market section kept, for `market`): the fuzz suite's
    own zero-cost scenario (`fuzz_cases.all_zero`), so the two suites test one thing."""
    sys.path.insert(0, str(Path(__file__).parent))
    import fuzz_cases

    return fuzz_cases.all_zero(d)


@pytest.fixture(scope="module")
def zero_cost(tmp_path_factory) -> Path:
    f = tmp_path_factory.mktemp("zero") / "zero.yaml"
    f.write_text(yaml.safe_dump(_all_zero(yaml.safe_load(SEED.read_text(encoding="utf-8"))), sort_keys=False),
                 encoding="utf-8")
    return f


def test_every_command_refuses_a_zero_cost_scenario_with_the_same_line_and_no_warning(zero_cost, tmp_path):
    """The reported defect: `cost` refused, `routes` printed 'median nan' with a numpy RuntimeWarning,
    `sensitivity` 'inf .. inf' and 'nan (nan%)', `market` a divide-by-zero warning.  Each command runs in its
    own interpreter with every warning an error (-W error), all started together."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100"}
    cmds = {**commands(zero_cost, tmp_path), "validate": ["validate", str(zero_cost)]}
    procs = {name: subprocess.Popen([sys.executable, "-W", "error", "-m", "artcost.cli", *args], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace", env=env)
             for name, args in cmds.items()}
    outs = {name: p.communicate(timeout=600) for name, p in procs.items()}
    lines = {}
    for name, (out, err) in outs.items():
        assert procs[name].returncode == 2, (name, procs[name].returncode, err[-2000:])
        assert not NOT_A_FIGURE.search(out + err), (name, (out + err)[-2000:])
        assert out.strip() == "", (name, out[-500:])
        lines[name] = one_line_refusal(2, err)
    assert len(set(lines.values())) == 1, lines  # one line, word for word, from every command
    assert re.fullmatch(rf"error: {re.escape(str(zero_cost))}:\d+: human\.wage_per_hour: the AI side costs nothing: .*"
                        r"so artist / AI would be infinite; give at least one cost that cannot be 0, .*",
                        lines["cost"]), lines["cost"]
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("assignments, words", [
    # zero at its central value only through a distribution: some Monte Carlo draws would cost nothing
    (["human.wage_per_hour={dist: uniform, low: 0, high: 10}"], "the AI side can cost nothing"),
    (["human.wage_per_hour={dist: choice, values: [0, 10], weights: [0.5, 0.5]}"], "the AI side"),
    # every cost input set to 0 on the command line, on the shipped seed
    ([f"{p}=0" for p in ("human.wage_per_hour", "human.prompt_tuning_minutes_per_job", "human.learning_hours",
                         "human.screening_seconds_per_candidate", "human.retouch_price_per_image",
                         "human.retouch_minutes_per_image", "compute.owned.purchase_price", "compute.owned.resale_value",
                         "compute.owned.price_per_kwh")], "the AI side costs nothing"),
])
@pytest.mark.parametrize("name", ["cost", "routes", "simulate", "sensitivity", "breakeven", "scale", "market", "report"])
def test_a_cost_that_can_reach_zero_is_refused_by_every_command(assignments, words, name, zero_cost, tmp_path, capsys):
    base = SEED if assignments[0].endswith("=0") else zero_cost
    sets = [x for a in assignments for x in ("--set", a)]
    line = one_line_refusal(*run(capsys, *commands(base, tmp_path)[name], *sets)[::2])
    assert "human.wage_per_hour: " in line and words in line, line


@pytest.mark.parametrize("name", ["cost", "market", "simulate"])
def test_a_market_cost_decline_to_nothing_is_refused_by_every_command(name, tmp_path, capsys):
    """A decline of 100% a year brought the market's AI price to 0: a divide-by-zero warning in `market`."""
    line = one_line_refusal(*run(capsys, *commands(SEED, tmp_path)[name], "--set", "market.ai.cost_decline_per_year=1")[::2])
    assert f"{SEED} {SET_LABEL}: market.ai.cost_decline_per_year: at up to 1 a year brings the AI cost to nothing" in line


@pytest.mark.parametrize("assignment", [
    "market.artists.price_elasticity=1e12",  # D^eta overflowed
    "market.artists.living_cost_per_month=0",  # an artist's price reached 0: log10(base / 0)
    "market.segments.mid.willingness_to_pay=1",  # utilities so far apart a log-sum was log(0)
    "market.segments.high.weight_time_per_day=1e12",
    "market.ai.cost_decline_per_year=0.99",
])
def test_extreme_allowed_market_inputs_give_figures_without_a_warning(assignment, capsys):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning fails the test
        code, out, err = run(capsys, "market", SEED, "--draws", "0", "--json", "--set", assignment)
    assert code == 0, err
    json.loads(out, parse_constant=lambda c: pytest.fail(f"non-finite {c} in the market's JSON"))
    assert not NOT_A_FIGURE.search(out + err), (out + err)[-1000:]


# ---------------------------------------------------------------- 3. break-even over huge ranges


@pytest.mark.parametrize("lo, hi", [("0", "1e12"), ("0", "1e11"), ("1e-9", "1e12"), ("1000", "1e12")])
def test_breakeven_finds_the_root_over_many_decades(lo, hi, capsys):
    """0..1e200 said 'no break-even in this range' (the root, ~3,198, lay in its first linear step) with a
    RuntimeWarning; over any range a scenario's figures may span, the root is found."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, out, err = run(capsys, "breakeven", SEED, "--param", "human.wage_per_hour", "--range", lo, hi, "--json")
    assert code == 0, err
    r = json.loads(out)
    assert r["root"] == pytest.approx(3197.63, rel=1e-5), r["message"]
    assert r["steps"] == []


@pytest.mark.parametrize("args, words", [
    (["--range", "0", "1e200"], "--range: human.wage_per_hour must be at most 1e+12 in size (got 1e+200)"),
    (["--range", "nan", "1"], "--range: human.wage_per_hour: values must be finite numbers"),
    (["--range", "-inf", "inf"], "--range: human.wage_per_hour: values must be finite numbers"),
    (["--range", "1e-12", "1"], "--range: human.wage_per_hour must be 0 or at least 1e-09 in size"),
    (["--grid", "generation.seconds_per_image", "--grid-range", "nan", "inf"],
     "--grid-range: generation.seconds_per_image: values must be finite numbers"),
    (["--grid", "generation.seconds_per_image", "--range", "0", "1e200"], "--range: human.wage_per_hour must be at most"),
])
def test_breakeven_says_why_it_will_not_search_a_range(args, words, capsys):
    line = one_line_refusal(*run(capsys, "breakeven", SEED, "--param", "human.wage_per_hour", *args)[::2])
    assert words in line, line
