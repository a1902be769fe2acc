"""Choosing the stack to plan from a synthesised app, and putting the environment's backend in."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envman.errors import ConfigError
from envman.synth.process import SynthError

MANIFEST = "manifest.json"
STACK_FILE = "cdk.tf.json"
OVERRIDE_FILE = "envman_backend_override.tf.json"
REPLACEABLE_BACKENDS = frozenset({"local"})  # cdktf's default: the app's folder, never used


@dataclass(frozen=True)
class StackChoice:
    """Which stack to take, and where the choice was configured (for errors)."""

    name: str | None
    config_path: Path
    line: int | None = None


def synthesised_stacks(out_dir: Path) -> dict[str, Path]:
    """Stack name -> its folder, from the manifest (or the stacks/ folder without one)."""
    manifest = out_dir / MANIFEST
    found: dict[str, Path] = {}
    if manifest.is_file():
        try:
            stacks = json.loads(manifest.read_text(encoding="utf-8")).get("stacks", {})
        except (ValueError, AttributeError):
            stacks = {}
        for name, entry in stacks.items() if isinstance(stacks, dict) else []:
            path = entry.get("synthesizedStackPath") if isinstance(entry, dict) else None
            if isinstance(path, str) and (out_dir / path).is_file():
                found[str(name)] = (out_dir / path).parent
    if not found and (out_dir / "stacks").is_dir():
        for folder in sorted((out_dir / "stacks").iterdir()):
            if (folder / STACK_FILE).is_file():
                found[folder.name] = folder
    return dict(sorted(found.items()))


def choose_stack(app_dir: Path, stacks: dict[str, Path], choice: StackChoice) -> Path:
    if not stacks:
        raise SynthError(
            f"the CDK app {app_dir} synthesised no stack",
            hint="create a TerraformStack in the app and call app.synth()",
        )
    if choice.name is not None:
        if choice.name not in stacks:
            raise ConfigError(
                f'cdk_stack "{choice.name}" is not a stack of the CDK app {app_dir} '
                f"(it has: {', '.join(stacks)})",
                path=str(choice.config_path),
                line=choice.line,
                hint="set cdk_stack to one of them",
            )
        return stacks[choice.name]
    if len(stacks) > 1:
        raise ConfigError(
            f"the CDK app {app_dir} has several stacks ({', '.join(stacks)}) and no cdk_stack",
            path=str(choice.config_path),
            hint=f'pick one: cdk_stack = "{next(iter(stacks))}"',
        )
    return next(iter(stacks.values()))


def declared_backends(stack_dir: Path) -> dict[str, Any]:
    """The backend (and cloud) blocks the app's stack declares, by type."""
    data = json.loads((stack_dir / STACK_FILE).read_text(encoding="utf-8"))
    found: dict[str, Any] = {}
    terraform = data.get("terraform") if isinstance(data, dict) else None
    blocks = terraform if isinstance(terraform, list) else [terraform]
    for block in blocks:
        if not isinstance(block, dict):
            continue
        backend = block.get("backend")
        if isinstance(backend, dict):
            found.update(backend)
        if "cloud" in block:
            found["cloud"] = block["cloud"]
    return found


def put_backend(stack_dir: Path, backend_type: str, config_path: Path) -> None:
    """Replace the app's backend by the environment's (an override file terraform merges)."""
    for declared in declared_backends(stack_dir):
        if declared not in REPLACEABLE_BACKENDS and declared != backend_type:
            raise ConfigError(
                f'the CDK app\'s stack {stack_dir.name} declares backend "{declared}" but the '
                f'environment\'s backend is "{backend_type}"',
                path=str(config_path),
                hint=f'use backend "{declared}" {{ ... }} here, or remove the backend from the app',
            )
    text = json.dumps({"terraform": {"backend": {backend_type: {}}}}, indent=2) + "\n"
    path = stack_dir / OVERRIDE_FILE
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
