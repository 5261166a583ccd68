"""Without the bench extra, every bench command that needs torch says which extra to install (issue #24).

`artcost bench flops --arch sd15` on an install without torch was a ModuleNotFoundError traceback.  Each
command here runs in a fresh interpreter whose `sitecustomize` makes `import torch` (and diffusers) fail
as on such an install, whatever this machine has installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BLOCKER = '''
import sys

class _NoBenchExtra:
    """Imports of the bench extra fail, as where `pip install artcost` left it out."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "diffusers"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoBenchExtra())
'''

INSTALL = "Install it with:  pip install 'artcost[bench]'"


@pytest.fixture(scope="module")
def no_torch_env(tmp_path_factory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("no-bench-extra")
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    path = os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])
    return {**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": "utf-8"}


def _artcost(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "artcost.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_the_blocker_really_hides_torch(no_torch_env):
    """The premise: in these interpreters torch cannot be imported (else the tests below prove nothing)."""
    p = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True, text=True, env=no_torch_env,
                       timeout=120)
    assert p.returncode != 0 and "No module named 'torch'" in p.stderr, p.stderr[-500:]


@pytest.mark.parametrize("args", [
    ["bench", "flops", "--arch", "sd15"],
    ["bench", "flops", "--arch", "sdxl", "--json"],
    ["bench", "--arch", "sd15", "--device", "cpu", "--steps", "1", "--resolution", "64"],
])
def test_a_bench_command_without_torch_names_the_extra(no_torch_env, tmp_path, args):
    env = {**no_torch_env, "ARTCOST_DATA": str(tmp_path)}
    p = _artcost(env, *args)
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert "Traceback" not in p.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert "needs the optional 'bench' extra (torch is not installed)" in lines[0] and INSTALL in lines[0], lines[0]
    assert p.stdout.strip() == ""


def test_bench_list_needs_no_torch(no_torch_env, tmp_path):
    """What reads stored results works without the extra."""
    p = _artcost({**no_torch_env, "ARTCOST_DATA": str(tmp_path)}, "bench", "list")
    assert p.returncode == 0, p.stderr[-2000:]
    assert "no bench records" in p.stdout
