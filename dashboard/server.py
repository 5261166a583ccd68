"""How the dashboard is served: the Streamlit command line and its environment (`artcost dashboard` runs it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).parent / "app.py"
DASHBOARD = Path(__file__).parent  # run from here so Streamlit reads .streamlit/config.toml


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The command line that serves the dashboard: headless, one address, no usage statistics; Streamlit's own
    command line, started by `artcost.dashboard.serve` (which imports the pages' modules while the server starts)."""
    return [
        sys.executable, "-m", "artcost.dashboard.serve", "run", str(APP),
        "--server.headless", "true",
        "--server.address", address,
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]


def server_env() -> dict[str, str]:
    """The environment for the server: ARTCOST_DATA made absolute, because the server runs in `dashboard/`."""
    env = dict(os.environ)
    if env.get("ARTCOST_DATA"):
        env["ARTCOST_DATA"] = str(Path(env["ARTCOST_DATA"]).resolve())
    return env
