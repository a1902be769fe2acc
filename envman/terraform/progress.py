"""Turn terraform's streamed -json UI messages into progress for people.

On a terminal: a live rich line (resources done / planned, the current resource, an elapsed
counter that moves on its own). Without one (CI logs): plain lines with a UTC time stamp, and a
heartbeat for a resource that takes long ("still creating... 1m30s elapsed", about every 30 s,
from terraform's own progress messages) so a 15-minute create is never 15 silent minutes.
terraform's warnings are shown (it writes level "warn"). Both go to stderr; stdout is kept for
--json documents. Only addresses and actions are shown, never attribute values.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from envman.terraform.runner import Event

HEARTBEAT_SECONDS = 30
_WARNING_LEVELS = ("warn", "warning")


class Progress:
    def __init__(
        self, environment: str, verb: str, *, console: Console | None = None, quiet: bool = False
    ) -> None:
        self.environment = environment
        self.verb = verb
        self.console = console or Console(stderr=True)
        self.quiet = quiet
        self.planned = 0
        self.done = 0
        self.current: dict[str, float] = {}
        self.started = time.monotonic()
        self.live: Live | None = None
        self.heartbeats: dict[str, int] = {}  # address -> elapsed seconds last reported

    @property
    def interactive(self) -> bool:
        return self.console.is_terminal and not self.quiet

    def __enter__(self) -> Progress:
        if self.interactive:
            self.live = Live(
                console=self.console,
                transient=True,
                refresh_per_second=4,
                get_renderable=self._render,  # re-rendered on each refresh: elapsed moves
            )
            self.live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.live is not None:
            self.live.__exit__(kind, exc, tb)
            self.live = None

    def set_verb(self, verb: str, planned: int | None = None) -> None:
        self.verb = verb
        self.done = 0
        self.current.clear()
        if planned is not None:
            self.planned = planned
        self._update()

    def __call__(self, event: Event) -> None:
        kind = event.get("type")
        hook: dict[str, Any] = event.get("hook") or {}
        address = str((hook.get("resource") or {}).get("addr", ""))
        if kind == "envman_init":
            self._log("initialising terraform (init)")
        elif kind == "change_summary":  # planned_change events are counted from it
            self._summary(event.get("changes") or {})
        elif kind in ("apply_start", "refresh_start"):
            self._started(kind, address, hook)
        elif kind in ("apply_complete", "refresh_complete"):
            self._completed(kind, address, hook)
        elif kind == "apply_errored":
            self.current.pop(address, None)
            self._log(f"{address}: failed")
        elif kind == "apply_progress":
            self._heartbeat(address, hook)
        elif kind == "diagnostic":
            self._diagnostic(event)
        self._update()

    def _summary(self, changes: dict[str, Any]) -> None:
        if changes.get("operation") == "plan":
            self.planned = (
                int(changes.get("add", 0))
                + int(changes.get("change", 0))
                + int(changes.get("remove", 0))
            )

    def _started(self, kind: str, address: str, hook: dict[str, Any]) -> None:
        self.current[address] = time.monotonic()
        if kind == "apply_start" and hook.get("action") != "read":  # data sources: quiet
            self._log(f"{address}: {hook.get('action', 'apply')} started")

    def _completed(self, kind: str, address: str, hook: dict[str, Any]) -> None:
        started = self.current.pop(address, None)
        if kind == "apply_complete" and hook.get("action") != "read":
            self.done += 1
            took = f" ({time.monotonic() - started:.0f}s)" if started else ""
            self._log(f"{address}: {hook.get('action', 'apply')} complete{took}")

    def _heartbeat(self, address: str, hook: dict[str, Any]) -> None:
        """terraform reports a running change every 10 s; say so about every 30 s."""
        elapsed = int(hook.get("elapsed_seconds") or 0)
        last = self.heartbeats.get(address, 0)
        if elapsed - last < HEARTBEAT_SECONDS:
            return
        self.heartbeats[address] = elapsed
        action = str(hook.get("action") or "apply")
        verb = _ING.get(action, f"{action}ing")
        self._log(f"{address}: still {verb}... {_duration(elapsed)} elapsed")

    def _diagnostic(self, event: Event) -> None:
        diag: dict[str, Any] = event.get("diagnostic") or {}
        level = str(event.get("@level") or "")
        if level not in _WARNING_LEVELS and diag.get("severity") != "warning":
            return
        detail = " ".join(str(diag.get("detail") or "").split())
        if len(detail) > 200:
            detail = detail[:197] + "..."
        text = f"warning: {diag.get('summary', '')}" + (f": {detail}" if detail else "")
        self._log(text, always=True)  # even with --json: stderr, and it matters

    def _log(self, message: str, *, always: bool = False) -> None:
        if self.quiet and not always:
            return
        if self.live is not None:
            self.live.console.print(Text(f"  {message}", style="dim"))
        else:
            stamp = datetime.now(UTC).strftime("%H:%M:%SZ")
            print(f"{stamp} [{self.environment}] {message}", file=sys.stderr, flush=True)

    def _render(self) -> Text:
        elapsed = time.monotonic() - self.started
        total = f"/{self.planned}" if self.planned else ""
        current = next(iter(self.current), "")
        line = Text(f"{self.verb} {self.environment}: {self.done}{total} done", style="bold")
        if current:
            line.append(f" · {current}", style="cyan")
        line.append(f" · {_duration(int(elapsed))}", style="dim")
        return line

    def _update(self) -> None:
        if self.live is not None:
            self.live.update(self._render())


_ING = {"create": "creating", "update": "updating", "delete": "destroying", "read": "reading"}


def _duration(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
