"""Start a real moto server in a subprocess (not mock_aws) for end-to-end tests.

``tests/conftest.py`` wraps ``start_moto_server`` in a session fixture named ``moto_server``;
test modules can also use it directly. The subprocess runs ``python -m moto.server``, exactly
what terraform and boto3 talk to over HTTP in the real path.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable

STARTUP_TIMEOUT = 30.0
RESET_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=1) as response:
            return int(response.status) < 500
    except (urllib.error.URLError, OSError):
        return False


def start_moto_server(attempts: int = 3) -> tuple[str, Callable[[], None]]:
    """Start ``python -m moto.server`` on a free port; return (url, stop)."""
    for attempt in range(attempts):
        try:
            return _start(free_port())
        except _ExitedEarly:  # most likely the port was taken meanwhile: try another
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


class _ExitedEarly(RuntimeError):
    pass


def _start(port: int) -> tuple[str, Callable[[], None]]:
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    # moto logs every request: to a temp file, so no pipe can fill up and block the server.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not _answers(url):
        if process.poll() is not None:
            log.seek(0)
            err = log.read().decode(errors="replace")
            stop()
            raise _ExitedEarly(f"moto server exited with {process.returncode}: {err[-2000:]}")
        if time.monotonic() > deadline:
            stop()
            raise RuntimeError(f"moto server did not answer on {url} within {STARTUP_TIMEOUT}s")
        time.sleep(0.1)
    return url, stop


def reset(url: str) -> None:
    """Forget every resource the server holds (POST /moto-api/reset)."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST", data=b"")
    # a server that held a whole platform takes seconds to forget it on a loaded machine
    with urllib.request.urlopen(request, timeout=RESET_TIMEOUT) as response:
        response.read()


reset_moto = reset  # the name tests/conftest.py imports
