"""Helpers for the parity matrix: one tiny stack run in two shapes, outcomes normalised.

The shapes (fixtures parity_single and parity_component) hold the same stack: a single-stack
project (`stack = ...`, a backend path without `{component}`) and a project whose environments
are made of ONE component, `app` (`component "app" { stack = ... }`, a path with
`{component}`). Both keep their ledger at `state/<env>/terraform.tfstate.releases`.

A release is compared through `view`: the component entry of `app` when the record has one
(schema 2), the record itself otherwise (schema 1); timestamps, run ids, state serials and
lineages are left out. Naming that legitimately differs (`app.` in front of a name) is removed.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers import Cli, copy_fixture
from tests.servers import Receiver

CANARY = "parity-canary-5e1b"  # the default of the stack's sensitive variable `secret`
COMPONENT = "app"


@dataclass(frozen=True)
class Shape:
    name: str  # "single" or "component"
    fixture: str

    @property
    def component(self) -> bool:
        return self.name == "component"

    def outputs_args(self) -> tuple[str, ...]:
        """`outputs ENV` arguments that list this stack's outputs."""
        return ("-c", COMPONENT) if self.component else ()


SHAPES = (Shape("single", "parity_single"), Shape("component", "parity_component"))


@dataclass(frozen=True)
class Project:
    shape: Shape
    root: Path
    cli: Cli

    def ledger(self, env: str = "dev") -> Path:
        return self.root / "state" / env / "terraform.tfstate.releases"

    def record(self, seq: int, env: str = "dev") -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.ledger(env) / f"{seq:08d}.json").read_text())
        return data

    def records(self, env: str = "dev") -> list[dict[str, Any]]:
        paths = sorted(self.ledger(env).glob("[0-9]*.json"))
        return [json.loads(path.read_text()) for path in paths]

    def state(self, env: str = "dev") -> Path:
        if self.shape.component:
            return self.root / "state" / env / COMPONENT / "terraform.tfstate"
        return self.root / "state" / env / "terraform.tfstate"

    def config(self, env: str) -> Path:
        return self.root / "environments" / env / "environment.hcl"

    def append(self, env: str, text: str) -> None:
        path = self.config(env)
        path.write_text(path.read_text() + "\n" + text + "\n")

    def tfvars(self, env: str, text: str) -> None:
        (self.root / "environments" / env / "terraform.tfvars").write_text(text)

    def outputs(self, env: str = "dev") -> dict[str, Any]:
        result = self.cli("outputs", env, *self.shape.outputs_args(), "--json")
        assert result.exit_code == 0, result.output
        data: dict[str, Any] = json.loads(result.stdout)
        return {name: entry["value"] for name, entry in data.items()}

    def history(self, env: str = "dev") -> list[dict[str, Any]]:
        result = self.cli("history", env, "--json")
        assert result.exit_code == 0, result.output
        return list(json.loads(result.stdout))


def make_project(shape: Shape, tmp_path: Path) -> Project:
    root = copy_fixture(shape.fixture, tmp_path)
    return Project(shape, root, Cli(root))


def unprefixed(name: str) -> str:
    return name.removeprefix(f"{COMPONENT}.")


def view(record: dict[str, Any]) -> dict[str, Any]:
    """What a release says about the stack, the same in both shapes."""
    parts = record.get("components") or {}
    part = parts.get(COMPONENT, {}) if record.get("components") is not None else record
    glass = record.get("break_glass")
    source = record.get("source")
    return {
        "seq": record["seq"],
        "kind": record["kind"],
        "status": record["status"],
        "inputs": {unprefixed(k): v for k, v in (part.get("inputs") or {}).items()},
        "outputs": part.get("outputs") or {},
        "plan": part.get("plan") or record.get("plan"),
        "target_seq": record.get("target_seq"),
        "rollback_of": record.get("rollback_of"),
        "source": (source["environment"], source.get("seq")) if source else None,
        "break_glass": (
            {"reason": glass["reason"], "rules": [unprefixed_rule(r) for r in glass["rules"]]}
            if glass
            else None
        ),
        "allow_destroy": [a.split(":", 1)[-1] for a in record.get("allow_destroy") or []] or None,
        "verified": (record.get("verification") or {}).get("ok"),
    }


def unprefixed_rule(rule: str) -> str:
    """`promotion_only:app.image` → `promotion_only:image`."""
    kind, _, names = rule.partition(":")
    if not names:
        return rule
    return f"{kind}:{','.join(unprefixed(n) for n in names.split(','))}"


def views(project: Project, env: str = "dev") -> list[dict[str, Any]]:
    return [view(record) for record in project.records(env)]


def current(project: Project, env: str = "dev") -> dict[str, Any]:
    """`status ENV --json`: the current release and the pins of the stack."""
    result = project.cli("status", env, "--json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["environments"][0]
    now = row["current"] or {}
    pins = now.get("inputs") or {}
    if project.shape.component:
        pins = ((row.get("components") or {}).get(COMPONENT) or {}).get("inputs") or pins
    return {
        "seq": now.get("seq"),
        "kind": now.get("kind"),
        "status": now.get("status"),
        "pins": {unprefixed(k): v for k, v in pins.items()},
    }


HOOK = """
import json, os, sys
with open(os.environ["PARITY_HOOK_LOG"], "a") as handle:
    handle.write(json.dumps({"name": sys.argv[1], "env": dict(os.environ)}) + "\\n")
"""


def add_hooks(project: Project, env: str, log: Path) -> None:
    """before_apply and after_apply hooks that log their environment variables to `log`."""
    script = project.root / "hook.py"
    script.write_text(HOOK)
    blocks = []
    for event in ("before_apply", "after_apply"):
        command = json.dumps([sys.executable, str(script), event])
        blocks.append(f'hook "{event}" {{\n  command = {command}\n}}')
    project.append(env, "\n".join(blocks))


def hook_runs(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def output_vars(env: dict[str, str], shape: Shape) -> dict[str, str]:
    """ENVMAN_OUTPUT_* a hook saw; a named component's prefixed copies are left out."""
    found = {k: v for k, v in env.items() if k.startswith("ENVMAN_OUTPUT_")}
    if shape.component:
        prefix = f"ENVMAN_OUTPUT_{COMPONENT.upper()}_"
        found = {k: v for k, v in found.items() if not k.startswith(prefix)}
    return found


def events(slack: Receiver) -> list[str]:
    """The `Event` field of each Slack message received."""
    found = []
    for body in slack.bodies:
        for block in body.get("blocks", []):
            for field in block.get("fields", []):
                if field["text"].startswith("*Event*"):
                    found.append(field["text"].split("\n", 1)[1])
    return found
