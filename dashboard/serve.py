"""`python -m artcost.dashboard.serve run app.py [streamlit options]`: Streamlit's own command line, with the
pages' modules imported in a background thread while the server starts.

Streamlit imports a page's modules when the first visitor opens it, so the first person to open a
freshly started dashboard waited for numpy, scipy, the cost model and plotly before seeing a headline.
Imported here, once the server answers (so they do not slow its start), they are ready (or half-way)
when that person arrives; a module the page asks for while this thread is still importing it is
simply waited for (Python's import lock), so nothing is imported twice and nothing is lost when the
first visit comes at once.
"""

from __future__ import annotations

import importlib
import sys
import threading

# What the Overview (the default page) and the shared sidebar import, heaviest first.
WARM = (
    "numpy",
    "scipy.special",
    "artcost.model.comparison",
    "artcost.model.headline",
    "artcost.model.uncertainty",
    "plotly.graph_objects",
    "plotly.io",
    "artcost.dashboard.ui",
    "artcost.dashboard.charts",
    "artcost.dashboard.svg",
    "artcost.dashboard.sources",
)


def _option(argv: list[str], name: str, default: str) -> str:
    return argv[argv.index(name) + 1] if name in argv[:-1] else default


def wait_for_server(address: str, port: int, timeout_s: float = 60.0) -> bool:
    """Whether the server accepted a connection on (address, port) within `timeout_s`."""
    import socket
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def warm_imports(names: tuple[str, ...] = WARM, argv: list[str] | None = None) -> None:
    """Import `names` once the server in `argv` (its --server.address and --server.port) answers."""
    argv = list(sys.argv if argv is None else argv)
    wait_for_server(_option(argv, "--server.address", "127.0.0.1"), int(_option(argv, "--server.port", "8501")))
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the page that needs the module reports its own import error
            pass


def main() -> None:
    threading.Thread(target=warm_imports, kwargs={"argv": list(sys.argv)}, name="artcost-warm-imports",
                     daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
