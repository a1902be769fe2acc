"""envman emulator start|stop|status: the embedded AWS emulator for local work."""

from __future__ import annotations

from pathlib import Path

from envman.commands import AppContext
from envman.config.paths import STATE_DIR
from envman.emulator import server
from envman.emulator.ports import port_holder
from envman.errors import EXIT_ERROR, EXIT_OK, UsageError


def _state_root(ctx: AppContext) -> Path:
    """The project's .envman/; outside a project, that of --project DIR (else the current
    folder), never some other folder's."""
    try:
        return ctx.project.state_root
    except UsageError:
        return (ctx.project_dir or Path.cwd()).expanduser() / STATE_DIR


def run_emulator_start(ctx: AppContext, port: int) -> int:
    console = ctx.console()
    started = server.start(_state_root(ctx), port)
    state = started.state
    if started.already_running:
        other = f" (not {port}: stop it first to change the port)" if state.port != port else ""
        console.print(
            f"The emulator is already running at {state.url} (pid {state.pid}, "
            f"port {state.port}){other}."
        )
        return EXIT_OK
    console.print(
        f"Emulator running at {state.url} (pid {state.pid}); stop it with `envman emulator stop`."
    )
    return EXIT_OK


def run_emulator_stop(ctx: AppContext) -> int:
    stopped = server.stop(_state_root(ctx))
    if stopped:
        ctx.console().print(f"Emulator stopped (pid {stopped.pid}).")
        return EXIT_OK
    port = server.DEFAULT_PORT
    holder = port_holder(port)
    elsewhere = (
        f" Port {port} is in use by {holder.describe()}: if that is an emulator started in "
        "another folder, run `envman emulator stop` there (or with --project DIR)."
        if holder
        else ""
    )
    ctx.console().print(f"No emulator was running here.{elsewhere}")
    return EXIT_OK


def run_emulator_status(ctx: AppContext, port: int) -> int:
    """Exit 0 when the emulator envman started runs and answers, else 1 (with the reason)."""
    console = ctx.console()
    found = server.running(_state_root(ctx))
    if found is None:
        holder = port_holder(port)
        held = f"; port {port} is in use by {holder.describe()}" if holder else ""
        console.print(f"not running{held}")
        return EXIT_ERROR
    if server.is_answering(found.url):
        console.print(f"running at {found.url} (pid {found.pid})")
        return EXIT_OK
    console.print(
        f"running (pid {found.pid}) but not answering at {found.url} within "
        f"{server.HEALTH_TIMEOUT:.0f}s: busy, or stuck (see {_state_root(ctx) / 'emulator.log'})"
    )
    return EXIT_ERROR
