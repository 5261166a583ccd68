"""Where artcost reads and writes: repository folders and the per-user data directory."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    """Per-user data directory (results database, exports); ``ARTCOST_DATA`` overrides it."""
    override = os.environ.get("ARTCOST_DATA")
    path = Path(override) if override else Path(platformdirs.user_data_dir("artcost", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_db_path() -> Path:
    """The SQLite database that holds every benchmark record."""
    return data_dir() / "results.sqlite"


def shipped_scenarios_dir() -> Path:
    """The `scenarios/` folder shipped with the package (the repository's `scenarios/`)."""
    return Path(str(resources.files("artcost.scenarios")))


def package_data(name: str) -> Path:
    """A data file shipped in `artcost/data/` (exchange rates and other dated tables)."""
    return Path(str(resources.files("artcost") / "data" / name))
