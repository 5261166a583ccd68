"""Every bad input named in the foundation issue gets one clear line: file, line, field, problem."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import BASE, write  # noqa: E402

from artcost.cli import main  # noqa: E402
from artcost.errors import UserError  # noqa: E402
from artcost.model.loader import load_scenario  # noqa: E402


def problems(path) -> list[str]:
    with pytest.raises(UserError) as info:
        load_scenario(path)
    return info.value.problems


def broken(tmp_path, mutate) -> Path:
    data = copy.deepcopy(BASE)
    mutate(data)
    return write(tmp_path, data)


def test_missing_file(tmp_path):
    assert problems(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]


def test_directory(tmp_path):
    assert "is a directory" in problems(tmp_path)[0]


def test_binary_garbage(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_bytes(bytes(range(256)) * 4)
    assert "not a text file" in problems(p)[0]


def test_empty_file(tmp_path):
    assert problems(write(tmp_path, ""))[0].endswith(": file is empty")


def test_not_a_mapping(tmp_path):
    assert "must be a mapping of sections" in problems(write(tmp_path, "- a\n- b\n"))[0]


def test_invalid_yaml_names_line(tmp_path):
    p = write(tmp_path, "meta:\n  name: [unclosed\njob: 1\n")
    line = problems(p)[0]
    assert line.startswith(f"{p}:") and "not valid YAML" in line


def test_too_large(tmp_path):
    p = tmp_path / "big.yaml"
    p.write_text("# " + "x" * 1_000_001)
    assert "limited to 1,000,000 bytes" in problems(p)[0]


def test_alias_bomb_refused(tmp_path):
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    line = problems(write(tmp_path, bomb))[0]
    assert "aliases" in line and ":2:" in line


def test_python_tags_not_executed(tmp_path):
    p = write(tmp_path, "meta: !!python/object/apply:os.system ['echo hacked']\n")
    assert "not valid YAML" in problems(p)[0]


def test_wrong_type_names_field_and_line(tmp_path):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", "thirty"))
    (line,) = problems(p)
    text = p.read_text().splitlines()
    lineno = next(i + 1 for i, t in enumerate(text) if "wage_per_hour" in t)
    assert line.startswith(f"{p}:{lineno}: human.wage_per_hour: must be a number")


def test_negative_wage(tmp_path):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", -5))
    assert problems(p)[0].endswith("human.wage_per_hour: must be >= 0 (got -5)")


@pytest.mark.parametrize("rate", [0, 1.5, -0.1])
def test_acceptance_rate_outside_unit_interval(tmp_path, rate):
    p = broken(tmp_path, lambda d: d["generation"].__setitem__("acceptance_rate", rate))
    (line,) = problems(p)
    assert "generation.acceptance_rate: must be" in line and f"(got {rate:g})" in line


def test_distribution_that_can_exceed_one(tmp_path):
    p = broken(tmp_path, lambda d: d["generation"].__setitem__("acceptance_rate", {"dist": "normal", "mean": 0.5, "sd": 0.1}))
    (line,) = problems(p)
    assert "generation.acceptance_rate" in line and "truncate" in line


def test_zero_candidates(tmp_path):
    p = broken(tmp_path, lambda d: d["generation"].__setitem__("candidates_per_job", 0))
    assert problems(p)[0].endswith("generation.candidates_per_job: must be > 0 (got 0)")


def test_two_compute_kinds(tmp_path):
    p = broken(tmp_path, lambda d: d["compute"].__setitem__("cloud", {"price_per_gpu_hour": 2}))
    (line,) = problems(p)
    assert "compute: give exactly one of owned, cloud, subscription, api (got owned, cloud)" in line


def test_no_compute_kind(tmp_path):
    p = broken(tmp_path, lambda d: d.__setitem__("compute", {}))
    assert "(got none)" in problems(p)[0]


def test_unknown_key_suggests(tmp_path):
    def typo(d):
        d["human"]["wage_per_hr"] = d["human"].pop("wage_per_hour")

    lines = problems(broken(tmp_path, typo))
    assert any("human.wage_per_hr: unknown key (did you mean 'wage_per_hour'?)" in x for x in lines)
    # one line: the 'did you mean' says what the missing field is (no second 'required field is missing')
    assert not any("human.wage_per_hour: required field is missing" in x for x in lines)


def test_unknown_key_inside_distribution(tmp_path):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", {"dist": "uniform", "lw": 1, "high": 2}))
    lines = problems(p)
    assert any("human.wage_per_hour.lw: unknown key (did you mean 'low'?)" in x for x in lines)


def test_unknown_distribution_kind(tmp_path):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", {"dist": "triangle", "low": 1, "mode": 2, "high": 3}))
    assert "unknown distribution 'triangle' (did you mean 'triangular'?)" in problems(p)[0]


@pytest.mark.parametrize(
    "spec, words",
    [
        ({"dist": "uniform", "low": 5, "high": 1}, "low < high"),
        ({"dist": "triangular", "low": 1, "mode": 9, "high": 3}, "low <= mode <= high"),
        ({"dist": "normal", "mean": 1, "sd": -1, "low": 0}, "greater than 0"),
        ({"dist": "lognormal", "median": 2, "p90": 1}, "p90 > median"),
        ({"dist": "lognormal", "mu": 0, "sigma": -1}, "sigma > 0"),
        ({"dist": "choice", "values": [1, 2], "weights": [0.5, 0.6]}, "sum to 1"),
    ],
)
def test_invalid_distribution_specs(tmp_path, spec, words):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", spec))
    lines = problems(p)
    assert any("human.wage_per_hour" in x and words in x for x in lines), lines


def test_unknown_currency_hint(tmp_path):
    p = broken(tmp_path, lambda d: d["meta"].__setitem__("currency", "RMB"))
    assert "use the ISO code 'CNY'" in problems(p)[0]


def test_retouch_both_ways_refused(tmp_path):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("retouch_minutes_per_image", 10))
    assert "not both" in problems(p)[0]


def test_extends_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    assert "a cycle?" in problems(tmp_path / "a.yaml")[0]


def test_cli_exit_code_2_no_traceback(tmp_path, capsys):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", -5))
    assert main(["cost", str(p)]) == 2
    err = capsys.readouterr().err
    assert "human.wage_per_hour: must be >= 0 (got -5)" in err
    assert "Traceback" not in err


def test_cli_bad_set_is_clear(tmp_path, capsys):
    p = write(tmp_path, BASE)
    assert main(["cost", str(p), "--set", "human.wage_per_our=3"]) == 2
    assert "did you mean 'wage_per_hour'" in capsys.readouterr().err
    assert main(["cost", str(p), "--set", "oops"]) == 2
    assert "expected PATH=VALUE" in capsys.readouterr().err


def test_bad_input_changes_nothing_on_disk(tmp_path):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", -5))
    before = p.read_bytes()
    main(["cost", str(p), "--set", "human.wage_per_hour=10"])
    assert p.read_bytes() == before


def test_installed_console_script_prints_no_traceback(tmp_path):
    exe = Path(sys.executable).parent / "artcost"
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    out = subprocess.run([str(exe), "cost", str(tmp_path / "missing.yaml")], capture_output=True, text=True)
    assert out.returncode == 2
    assert "no such file" in out.stderr and "Traceback" not in out.stderr


def test_invalid_date_is_a_clear_error(tmp_path):
    p = broken(tmp_path, lambda d: d["meta"].__setitem__("as_of", "2022-13-01"))
    p.write_text(p.read_text().replace("'2022-13-01'", "2022-13-01"))  # unquoted: YAML's own date type
    (line,) = problems(p)
    assert line.startswith(f"{p}: not valid YAML") and "month must be in 1..12" in line


def test_repeated_key_is_refused(tmp_path):
    p = write(tmp_path, "human:\n  wage_per_hour: 10\n  wage_per_hour: 20\n")
    (line,) = problems(p)
    assert line == f"{p}:3: human.wage_per_hour: written twice (the first would be ignored)"


def test_exponent_without_dot_is_a_number(tmp_path):
    p = broken(tmp_path, lambda d: d["generation"].__setitem__("candidates_per_job", "1e3"))
    p.write_text(p.read_text().replace("'1e3'", "1e3"))
    assert load_scenario(p).scenario.generation.candidates_per_job.central == 1000.0


def test_quoted_number_is_text_not_a_number(tmp_path):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", {"value": "40"}))
    assert any("human.wage_per_hour.value" in x and "valid number" in x for x in problems(p))


def test_non_finite_distribution_parameter(tmp_path):
    p = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", {"dist": "uniform", "low": 0, "high": float("inf")}))
    assert any("must be a finite number" in x for x in problems(p))


def test_lognormal_fits_a_field_that_must_be_positive(tmp_path):
    p = broken(tmp_path, lambda d: d["generation"].__setitem__("seconds_per_image", {"dist": "lognormal", "median": 3, "p90": 5}))
    assert load_scenario(p).scenario.generation.seconds_per_image.central == pytest.approx(3)


def test_currency_error_names_the_field(tmp_path):
    p = broken(tmp_path, lambda d: d["meta"].__setitem__("currency", "XYZ"))
    (line,) = problems(p)
    assert ": meta.currency: unknown currency 'XYZ'" in line


def test_error_in_a_child_points_at_the_child_file(tmp_path):
    base = broken(tmp_path, lambda d: d["human"].__setitem__("wage_per_hour", {"value": 30, "source": "parent"}))
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {base.name}\nhuman:\n  wage_per_hour: -1\n")
    (line,) = problems(child)
    assert line.startswith(f"{child}:3: human.wage_per_hour: must be >= 0")


def test_brackets_in_scenario_text_are_printed_not_parsed(tmp_path, capsys):
    p = broken(tmp_path, lambda d: d["meta"].__setitem__("name", "Test [/b] scenario [link]"))
    assert main(["cost", str(p), "--brief"]) == 0
    assert "Test [/b] scenario [link]" in capsys.readouterr().out
