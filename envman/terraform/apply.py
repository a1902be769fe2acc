"""`terraform apply` of a saved plan only."""

from __future__ import annotations

from pathlib import Path

from envman.terraform.runner import Completed, EventHandler, Terraform


def build_apply_args(plan_file: Path, lock_timeout: str = "0s") -> list[str]:
    return [
        "apply",
        "-json",
        "-input=false",
        "-auto-approve",
        f"-lock-timeout={lock_timeout}",
        str(plan_file),
    ]


def run_apply(
    tf: Terraform, plan_file: Path, lock_timeout: str, on_event: EventHandler | None = None
) -> Completed:
    return tf.run(
        build_apply_args(plan_file, lock_timeout),
        on_event=on_event or (lambda _event: None),
        what="terraform apply",
    )
