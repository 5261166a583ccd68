"""`make run` installs only what its steps use (issue #15): the core and the bench extra, not Ray
(the cluster extra) nor the test tools; `make test` still installs every extra."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(tmp_path: Path, target: str) -> str:
    """What `make -n TARGET` would run on a fresh checkout (no .venv yet)."""
    if shutil.which("make") is None:
        pytest.skip("no make")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    out = subprocess.run(["make", "-n", target], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_run_installs_the_bench_extra_not_the_cluster(tmp_path):
    cmds = _dry_run(tmp_path, "run")
    installs = [line for line in cmds.splitlines() if "pip install" in line and "-e" in line]
    assert installs and all('".[bench]"' in line for line in installs), installs
    assert "cluster" not in cmds and "stamp-cluster" not in cmds
    assert "dev" not in "".join(installs)


def test_test_installs_every_extra(tmp_path):
    assert '".[bench,dev,cluster]"' in _dry_run(tmp_path, "test")
