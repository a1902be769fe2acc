"""What `envman init` finds in a repository: the stack folder and its backend block.

Only reads: the *.tf files are parsed with python-hcl2, never written; state is never opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envman.config.hclfile import LABEL, load_hcl
from envman.config.stack import tf_files
from envman.errors import UsageError

# folders never searched for a stack: envman's and terraform's own, dependencies, modules
SKIPPED = frozenset({".envman", ".terraform", ".git", "node_modules", "environments", "modules"})
MAX_DEPTH = 3
DEFAULT_STACK = "terraform"


@dataclass(frozen=True)
class StackBackend:
    """A stack's `terraform { backend "TYPE" { ... } }`: its type and its literal settings."""

    type: str | None  # None: the stack declares no backend (terraform's default: local)
    settings: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None


@dataclass(frozen=True)
class Stack:
    directory: Path  # absolute
    exists: bool  # False: an empty repository; init writes a starter stack here
    backend: StackBackend


def read_backend(directory: Path) -> StackBackend:
    """The backend block of the stack in ``directory`` (the first one terraform would see)."""
    for path in tf_files(directory):
        data = load_hcl(path).data
        for block in data.get("terraform", []):
            if not isinstance(block, dict):
                continue
            for backend in block.get("backend", []):
                if isinstance(backend, dict) and LABEL in backend:
                    settings = {k: v for k, v in backend.items() if k != LABEL}
                    return StackBackend(str(backend[LABEL]), settings, path)
    return StackBackend(None)


def _candidates(root: Path, depth: int = 0) -> list[Path]:
    """Folders under ``root`` holding *.tf files (not modules, nothing hidden)."""
    found = [root] if tf_files(root) else []
    if depth >= MAX_DEPTH:
        return found
    for child in sorted(p for p in root.iterdir() if p.is_dir()):
        if child.name in SKIPPED or child.name.startswith("."):
            continue
        found.extend(_candidates(child, depth + 1))
    return found


def find_stack(root: Path, explicit: Path | None) -> Stack:
    """The stack to manage (inside the project, as envman's configuration requires)."""
    stack = _find_stack(root, explicit)
    if not stack.directory.resolve().is_relative_to(root.resolve()):
        shown = explicit if explicit is not None else stack.directory
        raise UsageError(
            f"stack folder {shown} is outside the project {root}",
            hint="run envman init in a folder that holds the stack, or move the stack inside it",
        )
    return stack


def _find_stack(root: Path, explicit: Path | None) -> Stack:
    """``--stack`` when given, else the one folder whose *.tf files declare a backend, else
    the one folder with *.tf files, else (an empty repository) ``terraform/``, which does not
    exist yet."""
    if explicit is not None:
        directory = (root / explicit).resolve()
        if not tf_files(directory):
            raise UsageError(
                f"--stack {explicit}: no *.tf files in {directory}",
                hint="name the folder of the root module (the one you run terraform in)",
            )
        return Stack(directory, True, read_backend(directory))
    folders = _candidates(root)
    if not folders:
        return Stack(root / DEFAULT_STACK, False, StackBackend(None))
    with_backend = [(f, b) for f in folders if (b := read_backend(f)).type is not None]
    if len(with_backend) == 1:
        return Stack(with_backend[0][0], True, with_backend[0][1])
    pool = [f for f, _ in with_backend] or folders
    if len(pool) == 1:
        return Stack(pool[0], True, read_backend(pool[0]))
    listed = ", ".join(str(p.relative_to(root) or ".") for p in pool)
    raise UsageError(
        f"several folders could be the stack: {listed}",
        hint="name the root module with --stack DIR",
    )
