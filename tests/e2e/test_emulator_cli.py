"""`envman emulator start|stop|status`: real subcommands; a second start reports the running
emulator; a port held by another process is named with its holder; status reads a cheap page."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from envman.cli import app
from envman.emulator import server
from envman.emulator.server import HEALTH_PATH
from tests.helpers import Result

pytestmark = pytest.mark.aws  # a moto server of its own


def envman(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    return Result(result.exit_code, result.stdout, result.stderr)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        envman("emulator", "stop")


def test_second_start_reports_the_running_emulator(folder: Path) -> None:
    port = free_port()
    first = envman("emulator", "start", "--port", str(port))
    assert first.exit_code == 0, first.output
    pid = int(first.stdout.split("(pid ")[1].split(")")[0])
    second = envman("emulator", "start", "--port", str(port))
    assert second.exit_code == 0, second.output
    assert f"already running at http://127.0.0.1:{port} (pid {pid}, port {port})" in second.stdout
    status = envman("emulator", "status", "--port", str(port))
    assert status.exit_code == 0, status.output
    assert f"running at http://127.0.0.1:{port} (pid {pid})" in status.stdout
    stopped = envman("emulator", "stop")
    assert f"Emulator stopped (pid {pid})" in stopped.stdout
    after = envman("emulator", "status", "--port", str(port))
    assert after.exit_code == 1 and after.stdout.strip() == "not running"


def test_a_port_held_by_another_process_names_its_holder(folder: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = int(holder.getsockname()[1])
        started = envman("emulator", "start", "--port", str(port))
        assert started.exit_code == 1
        assert f"port {port} on 127.0.0.1 is in use by pid {os.getpid()}" in started.stderr
        assert f"--port {port + 1}" in started.stderr
        status = envman("emulator", "status", "--port", str(port))
        assert status.exit_code == 1
        assert f"not running; port {port} is in use by pid {os.getpid()}" in status.stdout
    assert not (folder / ".envman" / "emulator.json").exists()


def test_each_subcommand_has_its_own_help() -> None:
    start = envman("emulator", "start", "--help")
    assert start.exit_code == 0
    assert "Usage: envman emulator start [OPTIONS]" in start.stdout
    assert "--port N" in start.stdout and "(default 4566)" in start.stdout
    assert "[default:" not in start.stdout
    stop = envman("emulator", "stop", "--help")
    assert "Usage: envman emulator stop" in stop.stdout and "--port" not in stop.stdout


STAND_IN = """
import http.server, sys
log = open(sys.argv[2], "a")
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        log.write(self.path + "\\n"); log.flush()
        self.send_response(200); self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[4])), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def test_status_asks_a_cheap_page_never_the_model_data(folder: Path) -> None:
    """status of a running emulator (a stand-in HTTP server with moto's command line) asks
    /moto-api/ only, never the model data."""
    asked = folder / "asked.log"
    child = subprocess.Popen(
        [sys.executable, "-c", STAND_IN, "moto.server", str(asked), "-p", str(free_port())],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        pid_file = folder / ".envman" / "emulator.json"
        pid_file.parent.mkdir()
        pid_file.write_text(json.dumps({"pid": child.pid, "port": port}))
        status = envman("emulator", "status")
    finally:
        child.terminate()
        child.wait()
    assert status.exit_code == 0, status.output
    assert f"running at http://127.0.0.1:{port} (pid {child.pid})" in status.stdout
    assert asked.read_text().split() == [HEALTH_PATH] == ["/moto-api/"]


def test_a_pid_file_naming_another_process_is_not_an_emulator(folder: Path) -> None:
    pid_file = folder / ".envman" / "emulator.json"
    pid_file.parent.mkdir()
    pid_file.write_text(json.dumps({"pid": os.getpid(), "port": free_port()}))
    status = envman("emulator", "status")
    assert status.exit_code == 1 and status.stdout.startswith("not running")
    stopped = envman("emulator", "stop")  # this process is not stopped: the pid file goes
    assert stopped.exit_code == 0 and "No emulator was running here." in stopped.stdout
    assert not pid_file.exists()


def test_stop_in_another_folder_names_the_emulator_still_holding_the_port(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An emulator started from another project keeps its pid file there: stop here says so and
    names the process on the emulator's port, with where to stop it."""
    port = free_port()
    started = envman("emulator", "start", "--port", str(port))
    assert started.exit_code == 0, started.output
    pid = int(started.stdout.split("(pid ")[1].split(")")[0])
    other = folder / "other-project"
    other.mkdir()
    monkeypatch.setattr(server, "DEFAULT_PORT", port)
    try:
        monkeypatch.chdir(other)
        stopped = envman("emulator", "stop")
        assert stopped.exit_code == 0, stopped.output
        assert "No emulator was running here." in stopped.stdout
        assert f"Port {port} is in use by pid {pid}" in stopped.stdout
        assert "run `envman emulator stop` there" in stopped.stdout
    finally:
        monkeypatch.chdir(folder)
        assert f"Emulator stopped (pid {pid})" in envman("emulator", "stop").stdout
