"""A CDK for Terraform app folder: its ``cdktf.json`` (the ``app`` command, the context)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envman.errors import ConfigError

CDKTF_FILE = "cdktf.json"


def is_cdk_app(directory: Path) -> bool:
    return (directory / CDKTF_FILE).is_file()


@dataclass(frozen=True)
class CdkApp:
    directory: Path
    command: str
    context: dict[str, Any] = field(default_factory=dict)
    output: str | None = None  # the app's own "output" folder: never written by envman

    @property
    def config_path(self) -> Path:
        return self.directory / CDKTF_FILE


def read_app(directory: Path) -> CdkApp:
    path = directory / CDKTF_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise ConfigError(
            f"invalid JSON: {exc}", path=str(path), line=line, hint="fix the syntax"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError("must be a JSON object", path=str(path))
    command = data.get("app")
    if not isinstance(command, str) or not command.strip():
        raise ConfigError(
            "'app' is missing or not a command",
            path=str(path),
            hint='give the command that synthesises the app, e.g. "app": "python3 main.py"',
        )
    context = data.get("context", {})
    if not isinstance(context, dict):
        raise ConfigError("'context' must be a JSON object", path=str(path))
    output = data.get("output")
    return CdkApp(
        directory=directory,
        command=command,
        context=context,
        output=output if isinstance(output, str) else None,
    )
