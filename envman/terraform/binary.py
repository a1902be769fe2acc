"""Finding the terraform (or tofu) binary and checking its version."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from envman.errorlog import note_version
from envman.errors import EnvmanError
from envman.terraform.version_cache import cached_version, remember_version

MIN_VERSION = (1, 5, 0)


@dataclass(frozen=True)
class Binary:
    path: str
    version: str
    flavour: str  # "terraform" | "tofu"

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return parse_version(self.version)


def parse_version(text: str) -> tuple[int, ...]:
    core = text.lstrip("v").split("-")[0].split("+")[0]
    parts: list[int] = []
    for piece in core.split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


def find_binary(configured: str | None = None) -> Binary:
    """ENVMAN_TERRAFORM, then `terraform { binary }` in envman.hcl, then `terraform` on PATH."""
    name = os.environ.get("ENVMAN_TERRAFORM") or configured or "terraform"
    return _find(name)


@lru_cache(maxsize=8)
def _find(name: str) -> Binary:
    path = name if os.sep in name else shutil.which(name)
    if not path or not Path(path).is_file():
        raise EnvmanError(
            f"terraform binary '{name}' not found",
            hint="install terraform >= 1.5 (or OpenTofu) on PATH, or set ENVMAN_TERRAFORM to its path",
        )
    version = cached_version(path) or _ask_version(path)
    flavour = "tofu" if "tofu" in Path(path).name else "terraform"
    binary = Binary(path=path, version=version, flavour=flavour)
    note_version(flavour, version)
    if binary.version_tuple < MIN_VERSION:
        wanted = ".".join(map(str, MIN_VERSION))
        raise EnvmanError(
            f"{path} is version {version}; envman needs >= {wanted}",
            hint="upgrade terraform or point ENVMAN_TERRAFORM at a newer one",
        )
    return binary


def _ask_version(path: str) -> str:
    try:
        done = subprocess.run(
            [path, "version", "-json"],
            capture_output=True,
            timeout=60,
            check=False,
            env={**os.environ, "CHECKPOINT_DISABLE": "1"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnvmanError(f"cannot run '{path} version': {exc}") from None
    try:
        version = str(json.loads(done.stdout)["terraform_version"])
    except (ValueError, KeyError, TypeError):
        raise EnvmanError(
            f"'{path} version -json' did not report a version",
            hint="is this really terraform or tofu?",
        ) from None
    remember_version(path, version)
    return version
