"""`pip install .` (not only -e) gives one import package `artcost` with its data files."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _backend_need() -> tuple[int, ...]:
    """The setuptools version pyproject's [build-system] asks for ('setuptools>=77' -> (77,))."""
    requires = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    spec = next(r for r in requires if re.match(r"setuptools\b", r))
    m = re.search(r">=\s*([\d.]+)", spec)
    return tuple(int(x) for x in m.group(1).split(".")) if m else (0,)


def _here() -> tuple[int, ...] | None:
    """The setuptools of the interpreter running the tests (the venv's), or None."""
    try:
        return tuple(int(x) for x in re.findall(r"\d+", metadata.version("setuptools"))[:3])
    except metadata.PackageNotFoundError:
        return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel `pip wheel` builds from this checkout.  With the venv's own setuptools when it is as new
    as pyproject asks (no index needed); otherwise in pip's isolated build environment, which gets the
    backend pyproject names.  A host's older setuptools (65 on Debian's python3) once failed this test
    under --no-build-isolation; only when neither build can get the backend is it skipped, saying why."""
    out = tmp_path_factory.mktemp("wheel")
    need, here = _backend_need(), _here()
    isolated = here is None or here < need
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)]
    if not isolated:
        cmd.insert(5, "--no-build-isolation")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 and isolated and re.search(
            r"No matching distribution|Could not find a version|Failed to establish|NewConnectionError|"
            r"Network is unreachable|Temporary failure in name resolution", proc.stderr):
        have = "no setuptools" if here is None else "setuptools " + ".".join(map(str, here))
        pytest.skip(f"{have} here, pyproject's build needs setuptools>={'.'.join(map(str, need))}, and pip could "
                    f"not fetch it for an isolated build: {proc.stderr.strip().splitlines()[-1][:200]}")
    assert proc.returncode == 0, proc.stderr
    (whl,) = out.glob("artcost-*.whl")
    return whl


def test_wheel_has_one_top_level_package_and_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.startswith("artcost-")}
    assert top == {"artcost"}, top  # no generic `model`, `bench` or `dashboard` in site-packages
    for needed in (
        "artcost/model/costs.py",
        "artcost/bench/__init__.py",
        "artcost/dashboard/__init__.py",
        "artcost/scenarios/seed-2022-hobbyist-3060ti.yaml",
        "artcost/data/exchange_rates.yaml",
        "artcost/bench/configs/sd15/unet/config.json",
        "artcost/bench/configs/sdxl/text_encoder_2/config.json",
        "artcost/bench/configs/peaks.yaml",
        "artcost/dashboard/app.py",
    ):
        assert needed in names, needed


def test_installed_copy_runs_the_cost_model(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)], check=True)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import artcost, artcost.model.loader as L, artcost.model.comparison as C;"
        "from artcost.paths import shipped_scenarios_dir as d;"
        "assert artcost.__file__.startswith(sys.argv[1]), artcost.__file__;"
        "r = C.comparison(L.load_scenario(d() / 'seed-2022-hobbyist-3060ti.yaml'));"
        "print(round(r['ratio']))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "82"
