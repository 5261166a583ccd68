"""`artcost dashboard [--port 8501]`: start the Streamlit dashboard on this machine only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from artcost.errors import UserError

APP = Path(__file__).parent / "app.py"
DASHBOARD = Path(__file__).parent  # run from here so Streamlit reads .streamlit/config.toml


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The command line that serves the dashboard: headless, one address, no usage statistics."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
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


def dashboard(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 to serve the dashboard on.")] = 8501,
) -> None:
    """Start the dashboard (Streamlit) on http://127.0.0.1:PORT; Ctrl-C stops it."""
    if not 1 <= port <= 65535:
        raise UserError(f"--port: must be between 1 and 65535 (got {port})")
    try:
        import streamlit  # noqa: F401
    except ImportError:
        raise UserError("the dashboard needs streamlit: pip install streamlit (it is a dependency of artcost)") from None
    print(f"artcost dashboard: http://127.0.0.1:{port}  (Ctrl-C to stop)", flush=True)
    # run from the dashboard folder so Streamlit reads dashboard/.streamlit/config.toml (theme, upload limit)
    proc = subprocess.Popen(streamlit_command(port), cwd=DASHBOARD, env=server_env())

    def _stop(signum, frame):  # `kill PID` must stop the server too, not orphan it
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        code = proc.wait()
        raise typer.Exit(0)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code:
        raise UserError(f"the dashboard server stopped with exit code {code} (is port {port} already in use?)")


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)
