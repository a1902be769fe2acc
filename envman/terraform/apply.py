"""`terraform apply` of a saved plan only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from envman.terraform.runner import Completed, EventHandler, Follow, Terraform


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
    tf: Terraform,
    plan_file: Path,
    lock_timeout: str,
    on_event: EventHandler | None = None,
    *,
    events: Path | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Completed:
    """Apply the saved plan; terraform writes its -json stream to ``events`` (the run's event
    log) and ``on_start`` gets its pid as soon as it runs."""
    return tf.run(
        build_apply_args(plan_file, lock_timeout),
        follow=Follow(on_event or (lambda _event: None), events=events, on_start=on_start),
        what="terraform apply",
    )
