"""Turn terraform's streamed -json UI messages into progress for people.

On a terminal: a live rich line (resources done / planned, the current resource, elapsed).
Without one: plain log lines. Both go to stderr; stdout is kept for --json documents.
Only addresses and actions are shown, never attribute values.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

from envman.terraform.runner import Event


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

    @property
    def interactive(self) -> bool:
        return self.console.is_terminal and not self.quiet

    def __enter__(self) -> Progress:
        if self.interactive:
            self.live = Live(
                self._render(), console=self.console, transient=True, refresh_per_second=4
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
        elif kind == "planned_change":
            self.planned += 0  # counted from change_summary
        elif kind == "change_summary":
            changes = event.get("changes") or {}
            if changes.get("operation") == "plan":
                self.planned = (
                    int(changes.get("add", 0))
                    + int(changes.get("change", 0))
                    + int(changes.get("remove", 0))
                )
        elif kind in ("apply_start", "refresh_start"):
            self.current[address] = time.monotonic()
            if kind == "apply_start" and hook.get("action") != "read":  # data sources: quiet
                self._log(f"{address}: {hook.get('action', 'apply')} started")
        elif kind in ("apply_complete", "refresh_complete"):
            started = self.current.pop(address, None)
            if kind == "apply_complete" and hook.get("action") != "read":
                self.done += 1
                took = f" ({time.monotonic() - started:.0f}s)" if started else ""
                self._log(f"{address}: {hook.get('action', 'apply')} complete{took}")
        elif kind == "apply_errored":
            self.current.pop(address, None)
            self._log(f"{address}: failed")
        elif kind == "diagnostic" and event.get("@level") == "warning":
            diag = event.get("diagnostic") or {}
            self._log(f"warning: {diag.get('summary', '')}")
        self._update()

    def _log(self, message: str) -> None:
        if self.quiet:
            return
        if self.live is not None:
            self.live.console.print(Text(f"  {message}", style="dim"))
        else:
            print(f"[{self.environment}] {message}", file=sys.stderr, flush=True)

    def _render(self) -> Text:
        elapsed = time.monotonic() - self.started
        total = f"/{self.planned}" if self.planned else ""
        current = next(iter(self.current), "")
        line = Text(f"{self.verb} {self.environment}: {self.done}{total} done", style="bold")
        if current:
            line.append(f" · {current}", style="cyan")
        line.append(f" · {elapsed:.0f}s", style="dim")
        return line

    def _update(self) -> None:
        if self.live is not None:
            self.live.update(self._render())
