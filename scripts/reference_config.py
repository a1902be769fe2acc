"""The configuration reference (docs/reference/config.md): every key of environment.hcl and
envman.hcl, walked from the pydantic models, with its type, default and description.
Used by scripts/gen_reference.py."""

from __future__ import annotations

import json
import types
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from envman.config import models

LABEL = "__label__"

# What each key means, by its path in environment.hcl / envman.hcl. A field may instead carry
# its own `Field(description=...)`, which wins. A key without either is listed with "-".
DESCRIPTIONS: dict[str, str] = {
    "description": "What the environment is for (shown by `envman list`).",
    "stack": "The stack (root module) to plan: a path relative to this file; in envman.hcl "
    "relative to the project root. Default: `terraform/` at the project root.",
    "cdk_stack": "The stack of a CDK app to plan, when the app has several.",
    "backend": "The state backend; its type must match the stack's `backend` block. The "
    "block's keys go to `terraform init -backend-config` (a local `path` is relative to the "
    "project root). With components the key/path holds `{component}`.",
    "backend.type": "The block's label: `s3`, `local`, or any backend type terraform knows.",
    "backend.config": "Any key the backend type takes (`bucket`, `key`, `region`, "
    "`use_lockfile`, `path`...).",
    "aws": "envman's own AWS calls (ledger, verification, bootstrap) and terraform's AWS "
    "environment.",
    "aws.region": "AWS region.",
    "aws.profile": "A profile of the AWS shared config files.",
    "aws.role_arn": "A role assumed for the whole run.",
    "aws.endpoint_url": "An AWS emulator's endpoint (`envman emulator start`): given to "
    "terraform's AWS provider and S3 backend and to envman's own calls.",
    "promotion": "Where this environment's releases come from (`envman promote`).",
    "promotion.from": "The source environment.",
    "promotion.variables": "Variable of this environment's stack = output of the source's "
    "state (with components: `component.name` on both sides).",
    "promotion.require_verified": "Promote only a source release whose verification passed.",
    "promotion.min_soak": "Promote only a source release that has run at least this long.",
    "protection": "Confirmation, deploy windows and freezes.",
    "protection.confirm": "Changes need the environment's name typed (or `--confirm ENV` "
    "without a terminal); `--yes` alone is not enough.",
    "protection.promotion_only": "The promoted variables change only by `envman promote` from "
    "`promotion.from` (else `--break-glass`).",
    "protection.deny_weekdays": "Days without deploys (`Friday` or `Fri`), in `timezone`.",
    "protection.timezone": "IANA time zone of `deny_weekdays`.",
    "protection.freeze": "A freeze window: no changes from `from` to `to` (inclusive) except "
    "with `--break-glass`.",
    "protection.freeze.name": "The block's label: the freeze's name.",
    "protection.freeze.from": "First day (a date) or time (RFC 3339) of the freeze.",
    "protection.freeze.to": "Last day (inclusive) or time of the freeze.",
    "protection.freeze.reason": "Said when a change is refused.",
    "protection.allow_rollback_in_freeze": "Rollbacks stay allowed during a freeze.",
    "verify": "Checks after every apply, promote and rollback (and `envman verify`).",
    "verify.http": "An HTTP check, retried until its timeout.",
    "verify.http.name": "The block's label: the check's name.",
    "verify.http.url": "The URL to get (give `url` or `url_output`).",
    "verify.http.url_output": "A stack output holding the URL (with components: "
    "`component.name` or a bare name).",
    "verify.http.expect_status": "The status that passes (redirects are not followed).",
    "verify.http.timeout": "Keep trying until then.",
    "verify.http.interval": "Time between tries.",
    "verify.ecs_stable": "Wait until the ECS services named by outputs `ecs_cluster_name` / "
    "`ecs_service_name` are stable.",
    "verify.ecs_timeout": "How long to wait for the ECS services.",
    "verify.cloudfront_invalidation": "Invalidate `/*` of the distribution named by outputs "
    "when `frontend_release` changed.",
    "verify.on_failure": "`rollback`: roll back to the previous release at once; `fail`: "
    "leave it and exit 4.",
    "hook": "A command run around applies.",
    "hook.event": "The block's label: `before_apply` (after confirmation, right before "
    "terraform applies), `after_apply`, `after_promote` or `after_rollback`.",
    "hook.command": "The command and its arguments (no shell).",
    "hook.working_dir": "Where it runs, relative to this file (default: this file's folder).",
    "hook.timeout": "A hook still running then fails.",
    "notify": "Notifications of releases, failures and drift.",
    "notify.kind": "The block's label: `slack` (an incoming webhook).",
    "notify.webhook_url_env": "The environment variable holding the webhook URL (the secret "
    "stays out of files).",
    "notify.events": "Which events are sent.",
    "drift": "Drift detection settings.",
    "drift.ignore": "Findings to ignore: an address glob and an attribute path "
    "(`aws_db_instance.*.latest_restorable_time`).",
    "drift.lock_timeout": "How long a drift plan waits for the state lock.",
    "release_variables": "Variables every release pins, like promoted ones.",
    "guard": "Refuse plans that destroy too much, before anything is applied.",
    "guard.prevent_destroy": "Address globs never deleted or replaced without "
    "`--allow-destroy ADDR`.",
    "guard.max_destroy": "Refuse a plan that deletes or replaces more resources.",
    "policy": "A command given the plan JSON on stdin; a non-zero exit refuses the plan.",
    "policy.name": "The block's label: the policy's name (in reports).",
    "policy.command": "The command and its arguments (no shell).",
    "policy.working_dir": "Where it runs, relative to this file (default: this file's folder).",
    "policy.timeout": "A policy still running then refuses.",
    "components": "The components this environment takes (default: every component).",
    "terraform": "How envman runs terraform.",
    "terraform.binary": "`terraform` or `tofu` (or a path); `ENVMAN_TERRAFORM` overrides.",
    "terraform.lock_timeout": "`-lock-timeout` of plans and applies.",
    "provider_mirror": "A provider mirror folder (relative to the project root); "
    "`ENVMAN_PROVIDER_MIRROR` overrides.",
    "component": "A component: one stack of every environment, wired to others by outputs.",
    "component.name": "The block's label: the component's name.",
    "component.stack": "The stack folder, relative to the project root.",
    "component.inputs": 'Variable of this stack = `"<component>.<output>"` of an upstream.',
    "component.depends_on": "Components applied before this one, without passing values.",
}

PROJECT_ONLY = ("terraform", "provider_mirror", "component")


def render_config(notice: str) -> str:
    lines = [
        notice,
        "",
        "# Configuration reference",
        "",
        "Every key of `environments/<env>/environment.hcl` and of the project's `envman.hcl`,",
        "with its type and default. Unknown keys are errors naming file, line and key.",
        "Durations are written `90s`, `15m`, `2h`, `1h30m`, `7d`. A guide with an annotated",
        "example: [configuration](../configuration.md).",
        "",
        "## environment.hcl",
        "",
        "`environments/<env>/environment.hcl`: one environment's settings. Each key may also",
        "be set in `envman.hcl` as a default for every environment (the environment's own",
        "value wins).",
        "",
    ]
    lines += _model_table(models.EnvironmentConfig, "", skip=())
    lines += [
        "## envman.hcl",
        "",
        "`envman.hcl` at the project root (optional): the keys below, plus any key of",
        "environment.hcl as a default.",
        "",
    ]
    lines += _model_table(models.ProjectSettings, "", skip=("defaults",))
    return "\n".join(lines).rstrip() + "\n"


def _model_table(model: type[BaseModel], prefix: str, skip: tuple[str, ...]) -> list[str]:
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        key = _key(name, field)
        path = f"{prefix}{key}"
        inner = _model_in(field.annotation)
        shape = _shape(key, field, inner)
        lines.append(
            f"| `{path}` | {shape} | {_config_default(field, inner)} "
            f"| {_cell(_description(path, field))} |"
        )
        if inner is not None:
            nested.append((path, inner))
    lines.append("")
    for path, inner in nested:
        lines += [f"### `{_block_title(path, inner)}`", ""]
        if inner is models.Backend:
            lines += _backend_table(path)
        else:
            lines += _model_table(inner, f"{path}.", skip=())
    return lines


def _backend_table(path: str) -> list[str]:
    """The backend block is free-form: its label is the type, its keys the type's settings."""
    return [
        "| key | type | default | description |",
        "|---|---|---|---|",
        f"| `{path}` label | block label | required | {_cell(DESCRIPTIONS[f'{path}.type'])} |",
        f"| `{path}.<key>` | any | | {_cell(DESCRIPTIONS[f'{path}.config'])} |",
        "",
    ]


def _key(name: str, field: FieldInfo) -> str:
    return field.alias if field.alias and field.alias != LABEL else name


def _block_title(path: str, model: type[BaseModel]) -> str:
    label = next((f for f in model.model_fields.values() if f.alias == LABEL), None)
    return f'{path} "LABEL" {{ }}' if label is not None else f"{path} {{ }}"


def _description(path: str, field: FieldInfo) -> str:
    return field.description or DESCRIPTIONS.get(path, "-")


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds: directly, optionally, or as a list of blocks."""
    for candidate in (annotation, *_flatten(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _flatten(annotation: Any) -> list[Any]:
    found: list[Any] = []
    for arg in get_args(annotation):
        found.append(arg)
        if get_origin(arg) is not Literal:
            found.extend(_flatten(arg))
    return found


def _shape(key: str, field: FieldInfo, inner: type[BaseModel] | None) -> str:
    if field.alias == LABEL:
        return "block label"
    if inner is not None:
        repeated = get_origin(_strip_optional(field.annotation)) is list
        return "blocks (repeatable)" if repeated else "block"
    return _type_name(field.annotation, field.metadata)


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def _type_name(annotation: Any, metadata: list[Any]) -> str:
    annotation = _strip_optional(annotation)
    origin = get_origin(annotation)
    if origin is Annotated:
        return _type_name(get_args(annotation)[0], list(get_args(annotation)[1:]))
    if origin is Literal:
        return "one of " + ", ".join(f"`{json.dumps(a)}`" for a in get_args(annotation))
    if origin is list:
        return f"list of {_type_name(get_args(annotation)[0], [])}"
    if origin is dict:
        return f"map of {_type_name(get_args(annotation)[1], [])}"
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a, []) for a in get_args(annotation))
    validators = " ".join(repr(m) for m in metadata)
    if "parse_duration" in validators or annotation is timedelta:
        return "duration"
    if "parse_time_point" in validators:
        return "date or RFC 3339 time"
    if "_weekday" in validators:
        return "weekday"
    names = {str: "string", int: "number", float: "number", bool: "bool", date: "date"}
    names[datetime] = "RFC 3339 time"
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _config_default(field: FieldInfo, inner: type[BaseModel] | None) -> str:
    if field.is_required():
        return "required"
    factory = field.default_factory
    value = factory() if factory is not None else field.default  # type: ignore[call-arg]
    if value is None or value in ([], {}) or inner is not None:
        return ""
    return f"`{_hcl_value(value)}`"


def _hcl_value(value: Any) -> str:
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl_value(v) for v in value) + "]"
    return json.dumps(value)


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f'"{seconds // size}{unit}"'
    return f'"{seconds}s"'


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
