"""What `envman init` would write, as a list of file changes; writing them is a separate step.

Every change creates a missing file or appends missing lines (.gitignore): nothing existing
is ever rewritten, so a second run finds nothing to do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from envman.adopt.detect import Stack, find_stack
from envman.adopt.environment import (
    DEFAULT_LOCAL_STATE,
    STARTER_STACK,
    EnvPlan,
    backend_for,
    literal,
    render_environment,
    stack_reference,
)
from envman.adopt.workflow import WORKFLOW_PATH, package_spec, render_workflow
from envman.config.hclfile import load_hcl
from envman.config.paths import ENVIRONMENT_FILE, ENVIRONMENTS_DIR, PROJECT_FILE
from envman.errors import EnvmanError, UsageError

GITIGNORE_LINES = (
    ".envman/",
    ".terraform/",
    "*.tfstate",
    "*.tfstate.backup",
    "*.tfstate.releases/",
)
BACKEND_FILE = "envman_backend.tf"
STARTER_FILE = "main.tf"
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

    @property
    def done(self) -> str:
        return {Action.CREATE: "created", Action.APPEND: "appended"}[self]


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
    _single_stack_project(request.root)
    stack = find_stack(request.root, request.stack)
    changes: list[FileChange] = []
    kept: list[Path] = []
    changes.extend(_stack_changes(stack))
    for change in changes:
        check_target(change.path, request.root)
    # only the first environment of the first init adopts the existing state: a later
    # `envman init prod` must never point prod at the state dev adopted
    existing = list((request.root / ENVIRONMENTS_DIR).glob(f"*/{ENVIRONMENT_FILE}"))
    for index, name in enumerate(dict.fromkeys(request.environments)):  # each name once
        env_dir = request.root / ENVIRONMENTS_DIR / name
        path = env_dir / ENVIRONMENT_FILE
        if path.exists():
            kept.append(path)
            continue
        check_target(path, request.root)
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


def _single_stack_project(root: Path) -> None:
    """init writes environments of one stack: in a project of components (envman.hcl) such an
    environment.hcl is refused by validate, so init says so first."""
    path = root / PROJECT_FILE
    if path.is_file() and load_hcl(path).data.get("component"):
        raise UsageError(
            f"{PROJECT_FILE} declares components: envman init writes environments of a single "
            "stack only",
            hint="copy an environment folder of this project and rename it (docs/components.md)",
        )


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
    check_target(path, request.root)
    region = None
    if stack.backend.type == "s3":
        region = literal(stack, "region") or "us-east-1"
    package = package_spec(request.version)
    text = render_workflow(list(request.environments), package, region)
    return FileChange(path, Action.CREATE, text, "GitHub Actions workflow")


def _stack_changes(stack: Stack) -> list[FileChange]:
    """A starter stack in an empty repository; a backend block in a stack without one."""
    if not stack.exists:
        path = stack.directory / STARTER_FILE
        return [FileChange(path, Action.CREATE, STARTER_STACK, "starter stack")]
    if stack.backend.type is None:
        path = stack.directory / BACKEND_FILE
        if not path.exists():
            return [FileChange(path, Action.CREATE, LOCAL_BACKEND, "backend block (local)")]
    return []


def check_target(path: Path, root: Path) -> None:
    """A file init writes is a regular file reached without a symlink, inside the project:
    a symlink on the way (or a file where a folder belongs) is an error naming it."""
    rel = path.relative_to(root)
    for depth in range(1, len(rel.parts) + 1):
        step = Path(*rel.parts[:depth])
        if (root / step).is_symlink():
            raise UsageError(
                f"{step} is a symlink: envman init writes only regular files inside the "
                "project and never through a symlink",
                hint="replace it with the real folder or file, or remove it, and run init again",
            )
        if depth < len(rel.parts) and (root / step).exists() and not (root / step).is_dir():
            raise UsageError(f"{step} is not a folder", hint="move it away, then run init again")


def _gitignore_change(root: Path) -> FileChange | None:
    path = root / ".gitignore"
    present = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    have = {line.strip() for line in present.splitlines()}
    missing = [line for line in GITIGNORE_LINES if line not in have]
    if not missing:
        return None
    lead = "\n" if present and not present.endswith("\n") else ""
    text = lead + "# envman: its working files, terraform's, local state\n" + "\n".join(missing)
    action = Action.APPEND if path.exists() else Action.CREATE
    check_target(path, root)  # git itself ignores a symlinked .gitignore
    return FileChange(path, action, text + "\n", ".gitignore entries")


def write_change(change: FileChange) -> None:
    """Write one change: a new file created exclusively (never over one that appeared since,
    never through a symlink), an append at the end. Failing, one line naming the file."""
    flags = os.O_WRONLY | os.O_NOFOLLOW
    flags |= os.O_CREAT | os.O_EXCL if change.action is Action.CREATE else os.O_APPEND
    try:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(change.path, flags, 0o644), "w", encoding="utf-8") as handle:
            handle.write(change.text)
    except FileExistsError:
        raise EnvmanError(
            f"cannot create {change.path}: it appeared while envman init ran (another init?)",
            hint="run envman init again: it keeps what is there",
        ) from None
    except OSError as exc:
        raise EnvmanError(
            f"cannot write {change.path}: {exc.strerror or exc}",
            hint="fix the file or folder (permissions, a symlink), then run envman init again",
        ) from None
