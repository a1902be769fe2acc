"""envman emulator start|stop|status: the embedded AWS emulator for local work."""

from __future__ import annotations

from pathlib import Path

from envman.commands import AppContext
from envman.config.paths import STATE_DIR
from envman.emulator import server
from envman.errors import EXIT_ERROR, EXIT_OK, UsageError


def _state_root(ctx: AppContext) -> Path:
    try:
        return ctx.project.state_root
    except UsageError:
        return Path.cwd() / STATE_DIR


def run_emulator(ctx: AppContext, action: str, port: int) -> int:
    console = ctx.console()
    root = _state_root(ctx)
    if action == "start":
        state = server.start(root, port)
        console.print(
            f"Emulator running at {state.url} (pid {state.pid}); "
            "stop it with `envman emulator stop`."
        )
        return EXIT_OK
    if action == "stop":
        stopped = server.stop(root)
        console.print(
            f"Emulator stopped (pid {stopped.pid})." if stopped else "No emulator was running."
        )
        return EXIT_OK
    if action == "status":
        found = server.read_state(root)
        if found is not None and server.pid_alive(found.pid) and server.is_answering(found.url):
            console.print(f"running at {found.url} (pid {found.pid})")
            return EXIT_OK
        console.print("not running")
        return EXIT_ERROR
    raise UsageError(f"unknown emulator action '{action}'", hint="use start, stop or status")
