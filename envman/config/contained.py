"""Paths envman builds from configuration stay inside the project.

A stack folder, a component's stack and a local backend's state path are written relative to
a file or to the project root; each must still name a place inside the project root once
``..`` and absolute paths are taken into account (and once ``{component}`` is filled in: a
component's name is an identifier, see names.py). The check is lexical: a symbolic link the
project itself holds is the project's choice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from envman.errors import ConfigError

COMPONENT_PLACEHOLDER = "{component}"


@dataclass(frozen=True)
class Setting:
    """A path-valued setting: what it is, the file and line that set it, its value."""

    what: str
    value: str
    path: Path
    line: int | None = None


def inside(root: Path, target: Path) -> bool:
    """Whether ``target`` (absolute, or relative to the current folder) lies in ``root``."""
    base = os.path.normpath(os.path.abspath(root))
    normal = os.path.normpath(os.path.abspath(target))
    return normal == base or normal.startswith(base.rstrip(os.sep) + os.sep)


def check_inside(root: Path, base: Path, setting: Setting) -> None:
    """Refuse ``setting`` (relative to ``base``) when it names a place outside ``root``."""
    value = setting.value.replace(COMPONENT_PLACEHOLDER, "component")
    if inside(root, base / value):
        return
    raise ConfigError(
        f"{setting.what} '{setting.value}' is outside the project {root}",
        path=str(setting.path),
        line=setting.line,
        hint="give a path inside the project folder",
    )
