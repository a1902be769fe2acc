"""A real headless Chromium driven over the DevTools protocol (stdlib only: a minimal
WebSocket client), for the dashboard test and its bench.

``open_page`` starts Debian's ``chromium`` with ``--remote-debugging-port=0`` in a throwaway
profile, navigates to a URL and records every network request, console error, log error and
uncaught exception until the load event; it then reads the rendered DOM and can take a
screenshot. In CI (``CI`` set) a missing chromium fails; elsewhere the caller skips.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

STARTUP_TIMEOUT = 30.0
LOAD_TIMEOUT = 30.0
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_binary() -> str | None:
    for name in (os.environ.get("ENVMAN_CHROMIUM", ""), *CANDIDATES):
        found = shutil.which(name) if name else None
        if found:
            return found
    return None


@dataclass
class PageVisit:
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dom: str = ""
    load_ms: float = 0.0  # navigation start to the end of the load event (the page's own clock)


class _Socket:
    """A WebSocket client: text frames out (masked), frames in (any length, continuations)."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=LOAD_TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parsed.path} HTTP/1.1\r\nHost: {parsed.hostname}:{parsed.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"DevTools refused the WebSocket: {head[:80]!r}")

    def send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        size = len(data)
        if size < 126:
            header = struct.pack("!BB", 0x81, 0x80 | size)
        elif size < 1 << 16:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def receive(self) -> str:
        parts: list[bytes] = []
        while True:
            first, second = self._exactly(2)
            size = second & 0x7F
            if size == 126:
                (size,) = struct.unpack("!H", self._exactly(2))
            elif size == 127:
                (size,) = struct.unpack("!Q", self._exactly(8))
            parts.append(self._exactly(size))
            if first & 0x80:  # FIN
                return b"".join(parts).decode()

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            data += chunk
        return data

    def close(self) -> None:
        self.sock.close()


class DevTools:
    """One page target: commands by id, events kept for the caller."""

    def __init__(self, url: str) -> None:
        self.ws = _Socket(url)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = LOAD_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        if any(e.get("method") == method for e in self.events):
            return
        while time.monotonic() < deadline:
            message = json.loads(self.ws.receive())
            self.events.append(message)
            if message.get("method") == method:
                return
        raise TimeoutError(f"no {method} within {timeout:g} s")


@contextmanager
def browser(binary: str) -> Iterator[DevTools]:
    """A headless chromium and a DevTools connection to its first page."""
    with tempfile.TemporaryDirectory(prefix="envman-chromium-") as profile:
        argv = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--hide-scrollbars",
            "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={profile}", "--window-size=1280,1400", "about:blank",
        ]  # fmt: skip
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port = _port(Path(profile) / "DevToolsActivePort", process)
            tools = DevTools(_page_socket(port))
            try:
                yield tools
            finally:
                tools.ws.close()
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _port(active: Path, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with {process.returncode} before DevTools came up")
        lines = active.read_text().splitlines() if active.is_file() else []
        if lines and lines[0].isdigit():
            return int(lines[0])
        time.sleep(0.05)
    raise TimeoutError(f"chromium did not open DevTools within {STARTUP_TIMEOUT:g} s")


def _page_socket(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
        targets = json.loads(answer.read())
    pages = [t for t in targets if t.get("type") == "page"]
    if not pages:
        raise RuntimeError("chromium has no page target")
    url: str = pages[0]["webSocketDebuggerUrl"]
    return url


def visit(tools: DevTools, url: str, screenshot: Path | None = None) -> PageVisit:
    """Navigate, wait for the load event, and report what the page did."""
    tools.events.clear()
    for domain in ("Page", "Network", "Runtime", "Log"):
        tools.call(f"{domain}.enable")
    tools.call("Page.navigate", url=url)
    tools.wait_for("Page.loadEventFired")
    found = PageVisit()
    found.requests = [
        e["params"]["request"]["url"]
        for e in tools.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    found.errors = _errors(tools.events)
    found.dom = str(_evaluate(tools, "document.documentElement.outerHTML"))
    timing = "(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()"
    found.load_ms = float(_evaluate(tools, timing))
    if screenshot is not None:
        shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    return found


def _evaluate(tools: DevTools, expression: str) -> Any:
    answer = tools.call("Runtime.evaluate", expression=expression, returnByValue=True)
    if "exceptionDetails" in answer:
        raise RuntimeError(f"evaluating {expression!r}: {answer['exceptionDetails']}")
    return answer["result"].get("value")


def evaluate(tools: DevTools, expression: str) -> Any:
    return _evaluate(tools, expression)


def _errors(events: list[dict[str, Any]]) -> list[str]:
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(f"console.{params.get('type')}: {params.get('args')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            found.append(f"log: {params['entry'].get('text')}")
        elif method == "Network.loadingFailed":
            found.append(f"request failed: {params.get('errorText')}")
    return found
