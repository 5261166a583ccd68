"""`artcost` works with the repository root as the working directory, editable or not (issue #13).

Ray puts the driver's working directory at the front of every worker's sys.path. When the package
still lived in `artcost/` at the repository root, that folder shadowed the installed package in the
workers: with a non-editable install (which has `artcost.bench` only in site-packages) every worker
died in `GenerationWorker.__init__` with `No module named 'artcost.bench'` when the cluster
benchmark was started from the root, while the same command from any other folder worked. An
editable install hid the problem (its import hook supplies `artcost.bench` from the checkout), so the
non-editable case has to be tested on its own. The root package now lives in `src/artcost/`.

The non-editable install is a small venv without pip whose only dependency source is this
interpreter's site-packages, added as a plain path (so the editable install's import hook there is
not activated), with a real `pip install --no-deps` of a copy of this checkout. PYTHONPATH pointing at
a `pip install --target` folder would not do: this interpreter's editable hook would still be active
and would rescue `artcost.bench` from a shadowing `artcost/` folder, so the test would pass on the old
layout.
"""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import json
import os
import shutil
import signal
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
# The top-level import names this distribution installs (today only `artcost`).
TOP_LEVEL = sorted({p.split(".")[0] for p in SETUPTOOLS["packages"]})

# Run in a subprocess with cwd = the repository root. `python -c` already puts the working directory
# first on sys.path; the explicit insert is what Ray does in each worker.
PROBE = r"""
import json, os, sys
sys.path.insert(0, os.getcwd())
import artcost, artcost.bench, artcost.model, artcost.dashboard, artcost.scenarios
# The Ray worker's module and everything GenerationWorker.setup imports.
import artcost.bench.cluster, artcost.bench.pipeline, artcost.bench.config, artcost.bench.device_info
import artcost.bench.energy, artcost.bench.runner, artcost.bench.timing
from artcost.bench.cluster import GenerationWorker
import artcost.cli as cli
print(json.dumps({
    "artcost": artcost.__file__, "bench": artcost.bench.__file__, "unavailable": cli.unavailable(),
    "commands": sorted(cli.COMMANDS),
}))
"""


def _run(cmd, cwd=REPO, timeout=180):
    return subprocess.run(cmd, check=False, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _source_copy(dest: Path) -> Path:
    """What a wheel of this checkout is built from: pyproject, readme and the packages' folders.

    Copied so that pip's in-tree build writes its build/ and egg-info into a temporary folder, not
    into the checkout.
    """
    dest.mkdir()
    shutil.copy2(REPO / "pyproject.toml", dest)
    readme = PYPROJECT["project"].get("readme")
    if isinstance(readme, str):
        shutil.copy2(REPO / readme, dest)
    folders = {d.split("/")[0] for d in SETUPTOOLS.get("package-dir", {}).values()}
    folders |= {p.split(".")[0] for p in SETUPTOOLS["packages"] if (REPO / p.split(".")[0]).is_dir()}
    for folder in sorted(folders):
        shutil.copytree(REPO / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


@pytest.fixture(scope="module")
def noneditable(tmp_path_factory) -> Path:
    """The python of a venv with a non-editable install of this checkout (dependencies borrowed)."""
    try:
        import setuptools  # noqa: F401 - needed by --no-build-isolation
    except ImportError:
        pytest.skip("setuptools is not installed here (needed to build the package without network)")
    root = tmp_path_factory.mktemp("noneditable")
    venv = root / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    made = _run([base, "-m", "venv", "--without-pip", str(venv)], timeout=120)
    if made.returncode != 0:
        pytest.skip(f"cannot create a venv with {base}: {made.stderr.strip()[-300:]}")
    python = venv / "bin" / "python"
    where = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    purelib = Path(where.stdout.strip())
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
        deps.append(site.getusersitepackages())
    (purelib / "_artcost_test_deps.pth").write_text("".join(f"{p}\n" for p in deps))
    src = _source_copy(root / "src")
    inst = _run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python), "install",
                 "--quiet", "--no-deps", "--no-build-isolation", "--no-index", str(src)], timeout=300)
    assert inst.returncode == 0, f"pip install of a copy of the checkout failed:\n{inst.stdout}\n{inst.stderr}"
    assert (purelib / "artcost" / "bench" / "__init__.py").is_file()
    return python


def _probe(python: Path) -> dict:
    out = _run([str(python), "-c", PROBE])
    assert out.returncode == 0, (
        f"importing artcost with the repository root first on sys.path failed (what a Ray worker started "
        f"from the root does):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _check_probe(got: dict) -> None:
    assert got["unavailable"] == {}, f"CLI layers failed to import from the repository root: {got['unavailable']}"
    assert {"bench", "bench-cluster", "cost", "dashboard"} <= set(got["commands"]), got["commands"]
    pkg = Path(got["artcost"]).parent
    assert pkg.parent != REPO, f"artcost was imported from {pkg}: a folder at the repository root shadows it"


def test_editable_install_imports_everything_from_the_repository_root():
    """This interpreter's install (editable under `make test`), cwd = repository root and first on sys.path."""
    _check_probe(_probe(Path(sys.executable)))
    script = Path(sys.executable).parent / "artcost"
    if script.is_file():
        out = _run([str(script), "--version"])
        assert out.returncode == 0 and out.stdout.startswith("artcost "), out.stdout + out.stderr
        assert "unavailable" not in out.stderr, out.stderr


@pytest.mark.slow  # a venv and a pip install: about 3 s here, more on a busy machine
def test_noneditable_install_imports_everything_from_the_repository_root(noneditable):
    """A non-editable install, cwd = repository root and first on sys.path.

    Fails on the old layout (root package in `artcost/`): `No module named 'artcost.bench'`.
    """
    got = _probe(noneditable)
    _check_probe(got)
    purelib = Path(got["artcost"]).parents[1]
    assert purelib.is_relative_to(noneditable.parents[1]), f"not the non-editable copy: {got['artcost']}"
    out = _run([str(noneditable.parent / "artcost"), "--version"])
    assert out.returncode == 0 and out.stdout.startswith("artcost "), out.stdout + out.stderr
    assert "unavailable" not in out.stderr, out.stderr


@pytest.mark.slow  # a local Ray and two workers building the tiny pipeline: about 30 s on 2 cores
def test_noneditable_cluster_benchmark_from_the_repository_root(noneditable):
    """The command that failed: `artcost bench --arch tiny --device cpu --workers 2`, run from the root.

    Fails on the old layout: every worker dies in GenerationWorker.__init__ (ActorDiedError) and the
    command exits 2 with "every worker failed while starting".
    """
    pytest.importorskip("ray")
    pytest.importorskip("diffusers")
    if (os.cpu_count() or 1) < 2:
        pytest.skip("two CPU workers need two CPU slots")
    cmd = [str(noneditable.parent / "artcost"), "bench", "--arch", "tiny", "--device", "cpu", "--workers", "2",
           "--steps", "2", "--num-images", "6", "--warmup-runs", "1", "--idle-seconds", "0", "--gemm-seconds", "0"]
    # Own session: on a timeout the whole group (driver, GCS, raylet, workers) is killed, nothing left behind.
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"the cluster benchmark did not finish in 300 s:\n{stdout[-2000:]}\n{stderr[-2000:]}")
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{stdout[-3000:]}\n{stderr[-3000:]}"
    from artcost.bench.cluster_store import ClusterStore

    job = ClusterStore(Path(os.environ["ARTCOST_DATA"]) / "results.sqlite").resolve("latest")
    assert job["status"] == "complete" and job["summary"]["images"] == 6
    assert [p["status"] for p in job["parts"]] == ["ok", "ok"] and job["failures"] == []


def test_no_folder_at_the_repository_root_shadows_the_package():
    """Nothing at the root can be imported as `artcost` when the root is on sys.path (Ray workers, `python`
    or tools started in the checkout): a folder or module there would hide the installed package."""
    for name in TOP_LEVEL:
        assert not (REPO / name).is_dir(), (
            f"{REPO / name} exists: with the repository root on sys.path it shadows the installed {name} "
            f"(Ray workers started from the root die); keep the package under src/")
        spec = importlib.machinery.PathFinder.find_spec(name, [str(REPO)])
        found = spec and (spec.origin or list(spec.submodule_search_locations or []))
        assert spec is None, f"`import {name}` with the repository root on sys.path finds {found}"


def test_root_packages_shadow_no_installed_package():
    """The root folders that are regular packages (bench/, model/, ...) are importable as top-level
    modules from the root; none may carry the name of a package installed in this environment."""
    installed = importlib.metadata.packages_distributions()
    clashes = {}
    for entry in REPO.iterdir():
        name = entry.stem if entry.suffix == ".py" else entry.name
        is_module = (entry.is_dir() and (entry / "__init__.py").is_file()) or entry.suffix == ".py"
        if is_module and name.isidentifier() and name in installed and name not in TOP_LEVEL:
            clashes[entry.name] = installed[name]
    assert clashes == {}, f"root folders that shadow installed packages when run from the root: {clashes}"
