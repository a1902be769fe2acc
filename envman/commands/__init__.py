"""One module per command: plain typed functions returning exit codes, no typer inside."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from envman.config.project import Project, load_project

LOG_WIDTH = 4096  # columns of output without a terminal: wide enough that nothing is cut


@dataclass
class AppContext:
    project_dir: Path | None = None
    no_color: bool = False
    verbose: bool = False
    _project: Project | None = field(default=None, repr=False)

    @property
    def project(self) -> Project:
        if self._project is None:
            self._project = load_project(self.project_dir)
        return self._project

    def log_dir(self) -> Path:
        """Where the error log goes: the project's .envman/, else the user's cache."""
        from envman import errorlog
        from envman.config.paths import STATE_DIR
        from envman.config.project import find_project_root
        from envman.errors import EnvmanError

        try:
            return find_project_root(self.project_dir) / STATE_DIR
        except EnvmanError:
            return errorlog.fallback_log_dir()

    def console(self, json_mode: bool = False) -> Console:
        """Where human output goes: stdout, or stderr when stdout carries a JSON document.

        Without a terminal (CI logs, a pipe) lines are never cut: tables get the width they
        need instead of 80 columns with cells cut to "…"."""
        console = Console(stderr=json_mode, no_color=self.no_color, highlight=False, soft_wrap=True)
        if not console.is_terminal:
            console.width = LOG_WIDTH
        return console


def emit_text(text: str) -> None:
    """A document on stdout as it is (the review report of `plan --format markdown`)."""
    sys.stdout.write(text)
    sys.stdout.flush()


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n")
    sys.stdout.flush()
