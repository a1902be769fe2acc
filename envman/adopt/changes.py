"""What `envman init` would write, as a list of file changes; writing them is a separate step.

Every change creates a missing file or appends missing lines (.gitignore): nothing existing
is ever rewritten, so a second run finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from envman.adopt.detect import Stack, find_stack
from envman.adopt.environment import (
    DEFAULT_LOCAL_STATE,
    STARTER_STACK,
    EnvPlan,
    backend_for,
    render_environment,
    stack_reference,
)
from envman.adopt.workflow import WORKFLOW_PATH, package_spec, render_workflow
from envman.config.paths import ENVIRONMENT_FILE, ENVIRONMENTS_DIR

GITIGNORE_LINES = (
    ".envman/",
    ".terraform/",
    "*.tfstate",
    "*.tfstate.backup",
    "*.tfstate.releases/",
)
BACKEND_FILE = "envman_backend.tf"
LOCAL_BACKEND = """\
# Written by `envman init`: the stack declared no backend (terraform's default is local).
# envman gives each environment its own local state through this block; where each one
# lives is in environments/<env>/environment.hcl.
terraform {
  backend "local" {}
}
"""


class Action(StrEnum):
    CREATE = "create"
    APPEND = "append"


@dataclass(frozen=True)
class FileChange:
    path: Path  # absolute
    action: Action
    text: str
    why: str


@dataclass(frozen=True)
class InitRequest:
    root: Path
    environments: tuple[str, ...] = ("dev",)
    stack: Path | None = None
    ci: str | None = None  # "github"
    version: str = "0.0.0"


@dataclass(frozen=True)
class InitPlan:
    stack: Stack
    changes: tuple[FileChange, ...]
    kept: tuple[Path, ...]  # files already in place, left as they are
    notes: tuple[str, ...] = ()


def plan_init(request: InitRequest) -> InitPlan:
    stack = find_stack(request.root, request.stack)
    changes: list[FileChange] = []
    kept: list[Path] = []
    changes.extend(_stack_changes(stack))
    # only the first environment of the first init adopts the existing state: a later
    # `envman init prod` must never point prod at the state dev adopted
    existing = list((request.root / ENVIRONMENTS_DIR).glob(f"*/{ENVIRONMENT_FILE}"))
    for index, name in enumerate(request.environments):
        env_dir = request.root / ENVIRONMENTS_DIR / name
        path = env_dir / ENVIRONMENT_FILE
        if path.exists():
            kept.append(path)
            continue
        adopts = index == 0 and not existing
        backend = backend_for(stack, request.root, EnvPlan(name, adopts=adopts))
        text = render_environment(name, stack_reference(stack.directory, env_dir), backend)
        changes.append(FileChange(path, Action.CREATE, text, f"environment {name}"))
    ignore = _gitignore_change(request.root)
    if ignore is not None:
        changes.append(ignore)
    if request.ci == "github":
        workflow = _workflow_change(stack, request)
        if workflow is None:
            kept.append(request.root / WORKFLOW_PATH)
        else:
            changes.append(workflow)
    adopter = None if existing else request.environments[0]
    return InitPlan(stack, tuple(changes), tuple(kept), _notes(stack, request.root, adopter))


def _notes(stack: Stack, root: Path, adopter: str | None) -> tuple[str, ...]:
    """What the user must know: terraform's default state file in the stack folder blocks
    every environment but the one that uses it (terraform offers to migrate it)."""
    legacy = stack.directory / DEFAULT_LOCAL_STATE
    if not legacy.is_file():
        return ()
    shown = legacy.relative_to(root)
    owner = adopter or "the environment that uses it"
    state = f"state/{adopter}.tfstate" if adopter else "state/ENV.tfstate"
    where = f"environments/{adopter}/environment.hcl" if adopter else "its environment.hcl"
    return (
        f"{shown} stays where it is as {owner}'s state; the other environments can run only "
        f"once it is out of the stack folder: move it (e.g. to {state}) and set that path in "
        f"{where} (docs/adopting.md)",
    )


def _workflow_change(stack: Stack, request: InitRequest) -> FileChange | None:
    path = request.root / WORKFLOW_PATH
    if path.exists():
        return None
    region = None
    if stack.backend.type == "s3":
        region = str(stack.backend.settings.get("region") or "us-east-1")
    package = package_spec(request.version)
    text = render_workflow(list(request.environments), package, region)
    return FileChange(path, Action.CREATE, text, "GitHub Actions workflow")


def _stack_changes(stack: Stack) -> list[FileChange]:
    """A starter stack in an empty repository; a backend block in a stack without one."""
    if not stack.exists:
        path = stack.directory / "main.tf"
        return [FileChange(path, Action.CREATE, STARTER_STACK, "starter stack")]
    if stack.backend.type is None:
        path = stack.directory / BACKEND_FILE
        if not path.exists():
            return [FileChange(path, Action.CREATE, LOCAL_BACKEND, "backend block (local)")]
    return []


def _gitignore_change(root: Path) -> FileChange | None:
    path = root / ".gitignore"
    present = path.read_text(encoding="utf-8") if path.is_file() else ""
    have = {line.strip() for line in present.splitlines()}
    missing = [line for line in GITIGNORE_LINES if line not in have]
    if not missing:
        return None
    lead = "\n" if present and not present.endswith("\n") else ""
    text = lead + "# envman: its working files, terraform's, local state\n" + "\n".join(missing)
    action = Action.APPEND if path.exists() else Action.CREATE
    return FileChange(path, action, text + "\n", ".gitignore entries")


def write_changes(changes: tuple[FileChange, ...]) -> None:
    """Write the changes: new files created exclusively (never over one that appeared since),
    appends at the end."""
    for change in changes:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        mode = "x" if change.action is Action.CREATE else "a"
        with change.path.open(mode, encoding="utf-8") as handle:
            handle.write(change.text)
