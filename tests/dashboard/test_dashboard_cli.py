"""`artcost dashboard`: the server command line is local-only, headless, without usage statistics."""

from __future__ import annotations

from typer.testing import CliRunner

from artcost.cli import app, main
from artcost.dashboard import server as cli


def test_command_line_is_local_and_quiet():
    cmd = cli.streamlit_command(8765)
    pairs = dict(zip(cmd[::1], cmd[1::1]))
    assert pairs["--server.address"] == "127.0.0.1"
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.port"] == "8765"
    assert cmd[cmd.index("run") + 1].endswith("dashboard/app.py")


def test_registered_with_port_option():
    result = CliRunner().invoke(app, ["dashboard", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output


def test_bad_port_is_a_user_error(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert "--port: must be between 1 and 65535" in capsys.readouterr().err


def test_config_file_ships():
    text = (cli.DASHBOARD / ".streamlit" / "config.toml").read_text()
    assert 'address = "127.0.0.1"' in text and "gatherUsageStats = false" in text
