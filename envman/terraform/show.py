"""`terraform show -json` of a saved plan, read as a stream into typed models."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from envman.terraform.models import Plan
from envman.terraform.plan_reader import read_plan
from envman.terraform.runner import Terraform


def build_show_args(plan_file: Path) -> list[str]:
    return ["show", "-json", "-no-color", str(plan_file)]


def show_plan(
    tf: Terraform,
    plan_file: Path,
    *,
    keep_values: bool = True,
    changes_of_drifted_only: bool = False,
    scanned: frozenset[str] = frozenset(),
) -> Plan:
    """The plan, read while terraform writes it (see ``plan_reader`` for what is kept)."""
    read: list[Plan] = []

    def consume(stream: IO[bytes]) -> None:
        read.append(
            read_plan(
                stream,
                keep_values=keep_values,
                changes_of_drifted_only=changes_of_drifted_only,
                scanned=scanned,
            )
        )

    tf.run(build_show_args(plan_file), consume_stdout=consume, what="terraform show")
    return read[0]
