"""`artcost dashboard [--port 8501]`: start the Streamlit dashboard on this machine only."""

from __future__ import annotations

import signal
import subprocess
from typing import Annotated

import typer

from artcost.errors import UserError

app = typer.Typer(add_completion=False)


@app.command("dashboard")
def dashboard(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 to serve the dashboard on.")] = 8501,
) -> None:
    """Start the dashboard (Streamlit) on http://127.0.0.1:PORT; Ctrl-C stops it."""
    if not 1 <= port <= 65535:
        raise UserError(f"--port: must be between 1 and 65535 (got {port})")
    import importlib.util

    if importlib.util.find_spec("streamlit") is None:
        raise UserError("the dashboard needs streamlit: pip install streamlit (it is a dependency of artcost)")
    from artcost.dashboard.server import DASHBOARD, server_env, streamlit_command

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
