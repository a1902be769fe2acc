"""`terraform init`, run only when something it depends on changed (a fingerprint)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from envman.terraform.runner import EventHandler, Terraform

FINGERPRINT_FILE = "init.fingerprint"
DEFAULT_LOCAL_STATE = "terraform.tfstate"  # terraform's state file in the stack folder


def init_backend_config(stack_dir: Path, config: Mapping[str, Any]) -> dict[str, Any]:
    """The backend settings for `terraform init`: a local path that is terraform's own default
    state file in the stack folder (an adopted state, docs/adopting.md) is given as terraform
    names it. terraform takes that file for a legacy state to migrate into the backend, and
    only a path spelt like its own is recognised as the same file: any other spelling makes
    init copy the file onto itself and then empty it."""
    values = dict(config)
    path = values.get("path")
    if isinstance(path, str) and Path(path) == stack_dir.resolve() / DEFAULT_LOCAL_STATE:
        values["path"] = DEFAULT_LOCAL_STATE
    return values


def build_init_args(backend_config: Mapping[str, Any]) -> list[str]:
    args = ["init", "-input=false", "-no-color", "-reconfigure"]
    for key, value in sorted(backend_config.items()):
        args.append(f"-backend-config={key}={_backend_value(value)}")
    return args


def _backend_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def init_fingerprint(
    tf: Terraform,
    backend_type: str | None,
    backend_config: Mapping[str, Any],
    module_sources: tuple[str, ...],
) -> str:
    lock_file = tf.stack_dir / ".terraform.lock.hcl"
    parts = {
        "backend_type": backend_type,
        "backend": {k: _backend_value(v) for k, v in sorted(backend_config.items())},
        "lock": lock_file.read_text() if lock_file.is_file() else "",
        "modules": list(module_sources),
        "terraform": [tf.binary.path, tf.binary.version],
        "cli_config": _read(tf.env.get("TF_CLI_CONFIG_FILE")),
        "endpoint": tf.env.get("AWS_ENDPOINT_URL", ""),
        "stack": str(tf.stack_dir),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _read(path: str | None) -> str:
    if path and Path(path).is_file():
        return Path(path).read_text()
    return ""


def init_current(tf: Terraform, work_dir: Path, fingerprint: str) -> bool:
    """True when the data dir was initialised for exactly ``fingerprint``."""
    marker = work_dir / FINGERPRINT_FILE
    data_dir = Path(tf.env["TF_DATA_DIR"])
    return marker.is_file() and marker.read_text().strip() == fingerprint and data_dir.is_dir()


def ensure_init(
    tf: Terraform,
    work_dir: Path,
    fingerprint_of: Callable[[], str],
    backend_config: Mapping[str, Any],
    on_event: EventHandler | None = None,
) -> bool:
    """Run init unless the stored fingerprint matches. Returns True when init ran.

    The fingerprint is taken again after init, since init may write the lock file.
    """
    if init_current(tf, work_dir, fingerprint_of()):
        return False
    marker = work_dir / FINGERPRINT_FILE
    marker.unlink(missing_ok=True)
    if on_event is not None:
        on_event({"type": "envman_init", "@message": "terraform init"})
    tf.run(build_init_args(backend_config), what="terraform init")
    work_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text(fingerprint_of() + "\n")
    return True
