"""`pip install .` (not only -e) gives one import package `artcost` with its data files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        capture_output=True, text=True,
    )
    if proc.returncode != 0 and "No module named" in proc.stderr and "setuptools" in proc.stderr:
        pytest.skip("setuptools is not installed in this environment")
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
