"""Where artcost reads and writes: repository folders and the per-user data directory."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

from artcost.errors import UserError

FIX_DATA = "set ARTCOST_DATA to a folder you can write"


def _why_not_a_folder(path: Path, exc: OSError) -> str:
    """What stops ``path`` from being created as a folder, in words (the file in the way, a read-only parent)."""
    for p in (path, *path.parents):
        if p.exists():
            if not p.is_dir():
                return f"{p} is a file, not a folder"
            if isinstance(exc, PermissionError) or not os.access(p, os.W_OK):
                return f"{p} is not writable"
            break
    return exc.strerror or str(exc)


def ensure_dir(path: Path, what: str = "folder") -> Path:
    """``path`` as an existing folder (created with its parents); one-line `UserError` when it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{what} {path}: cannot create it ({_why_not_a_folder(path, exc)}); {FIX_DATA}") from None
    return path


def check_dir(path: Path, what: str = "folder") -> Path:
    """``path`` unchanged, when it is a folder or could become one; the one-line `UserError` of `ensure_dir`
    when it cannot (a file in the way). Nothing is created: for a command that only reads."""
    for p in (path, *path.parents):
        if p.exists():
            if not p.is_dir():
                raise UserError(f"{what} {path}: cannot create it ({p} is a file, not a folder); {FIX_DATA}")
            break
    return path


def data_dir(create: bool = True) -> Path:
    """Per-user data directory (results database, exports); ``ARTCOST_DATA`` overrides it.

    Created when missing (unless ``create`` is False: where it would be, for a command that only needs
    to know, such as the output guard); a path that cannot be a folder (under a regular file, in a
    read-only folder) is a one-line `UserError`, never an OSError traceback.
    """
    override = os.environ.get("ARTCOST_DATA")
    path, what = ((Path(override), "ARTCOST_DATA: data folder") if override
                  else (Path(platformdirs.user_data_dir("artcost", appauthor=False)), "data folder"))
    return ensure_dir(path, what) if create else check_dir(path, what)


def results_db_path(create: bool = True) -> Path:
    """The SQLite database that holds every benchmark record (its folder created unless ``create`` is False)."""
    return data_dir(create) / "results.sqlite"


def shipped_scenarios_dir() -> Path:
    """The `scenarios/` folder shipped with the package (the repository's `scenarios/`)."""
    return Path(str(resources.files("artcost.scenarios")))


def package_data(name: str) -> Path:
    """A data file shipped in `artcost/data/` (exchange rates and other dated tables)."""
    return Path(str(resources.files("artcost") / "data" / name))
