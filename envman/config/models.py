"""Pydantic models of envman.hcl and environment.hcl (docs/configuration.md).

Field names are the HCL keys; labelled blocks carry their label in ``__label__``.
Unknown keys are errors (``extra="forbid"``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from envman.config.names import identifier_problem
from envman.timeutil import parse_duration, parse_time_point

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
TimePoint = Annotated[date | datetime, BeforeValidator(parse_time_point)]
Scalar = str | int | float | bool

HookEvent = Literal["before_apply", "after_apply", "after_promote", "after_rollback"]
NotifyEvent = Literal[
    "apply",
    "apply_failed",
    "promote",
    "promote_failed",
    "rollback",
    "rollback_failed",
    "destroy",
    "destroy_failed",
    "verify_failed",
    "auto_rollback",
    "break_glass",
    "drift",
]
HOOK_EVENTS: tuple[str, ...] = get_args(HookEvent)
NOTIFY_EVENTS: tuple[str, ...] = get_args(NotifyEvent)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _weekday(value: object) -> str:
    if isinstance(value, str):
        for day in WEEKDAYS:
            if value.strip().lower() in (day.lower(), day[:3].lower()):
                return day
    raise ValueError(f"unknown weekday {value!r}: use one of {', '.join(WEEKDAYS)}")


Weekday = Annotated[str, BeforeValidator(_weekday)]


def _identifier(kind: str, value: str) -> str:
    problem = identifier_problem(kind, value)
    if problem is not None:
        raise ValueError(problem)
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# backend settings envman itself reads (to find state and the ledger): what each must be
BACKEND_STRINGS: dict[str, dict[str, str]] = {
    "local": {"path": "a file path relative to the project root"},
    "s3": {"bucket": "a bucket name", "key": "an object key", "region": "an AWS region"},
}


class Backend(Strict):
    type: str = Field(alias="__label__")
    config: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _strings_where_envman_reads_them(self) -> Backend:
        for key, what in BACKEND_STRINGS.get(self.type, {}).items():
            value = self.config.get(key)
            if value is not None and not isinstance(value, str):
                raise ValueError(
                    f"{key} = {value!r} is not a string; give {what} in quotes, "
                    f'e.g. {key} = "{_example(key)}"'
                )
        return self


def _example(key: str) -> str:
    examples = {"path": "state/dev.tfstate", "bucket": "my-tfstate", "key": "dev/terraform.tfstate"}
    return examples.get(key, "us-east-1")


class AwsSettings(Strict):
    region: str | None = None
    profile: str | None = None
    role_arn: str | None = None
    endpoint_url: str | None = None


class Promotion(Strict):
    source: str = Field(alias="from")
    # which of this environment's variables take which of the source's outputs: a promotion
    # without any would record a release that promoted nothing, so it is an error
    variables: dict[str, str] = Field(default_factory=dict, validate_default=True)
    require_verified: bool = False
    min_soak: Duration | None = None

    @field_validator("variables")
    @classmethod
    def _something_to_promote(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError(
                "give at least one (a promotion without variables promotes nothing): "
                'variable = source output, e.g. variables = { image_tag = "image_tag" }'
            )
        return value


class Freeze(Strict):
    name: str = Field(alias="__label__")
    start: TimePoint = Field(alias="from")
    end: TimePoint = Field(alias="to")
    reason: str = ""


class Protection(Strict):
    confirm: bool = False
    promotion_only: bool = False  # promoted variables change only by promote from promotion.from
    deny_weekdays: list[Weekday] = Field(default_factory=list)
    timezone: str = "UTC"
    freeze: list[Freeze] = Field(default_factory=list)
    allow_rollback_in_freeze: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r}: use an IANA name like 'Europe/Paris'"
            ) from None
        return value


class HttpCheck(Strict):
    name: str = Field(alias="__label__")
    url: str | None = None
    url_output: str | None = None
    expect_status: int = 200
    timeout: Duration = timedelta(seconds=60)
    interval: Duration = timedelta(seconds=5)

    @model_validator(mode="after")
    def _one_url(self) -> HttpCheck:
        if (self.url is None) == (self.url_output is None):
            raise ValueError("give exactly one of 'url' and 'url_output'")
        return self


class Verify(Strict):
    http: list[HttpCheck] = Field(default_factory=list)
    ecs_stable: bool = False
    ecs_timeout: Duration = timedelta(minutes=10)
    cloudfront_invalidation: bool = True
    on_failure: Literal["rollback", "fail"] = "fail"


class Hook(Strict):
    event: HookEvent = Field(alias="__label__")
    command: list[str] = Field(min_length=1)
    working_dir: str | None = None
    timeout: Duration = timedelta(minutes=30)


class Notify(Strict):
    kind: Literal["slack"] = Field(alias="__label__")
    webhook_url_env: str
    events: list[NotifyEvent] = Field(default_factory=lambda: list(NOTIFY_EVENTS))  # type: ignore[arg-type]


class DriftSettings(Strict):
    ignore: list[str] = Field(default_factory=list)
    lock_timeout: Duration = timedelta(seconds=60)


class Guard(Strict):
    """Destroy guards (docs/review.md): address globs never destroyed or replaced, a cap."""

    prevent_destroy: list[str] = Field(default_factory=list)
    max_destroy: int | None = Field(default=None, ge=0)


class Policy(Strict):
    """A command given the plan JSON on stdin; a non-zero exit refuses the plan."""

    name: str = Field(alias="__label__")
    command: list[str] = Field(min_length=1)
    working_dir: str | None = None
    timeout: Duration = timedelta(minutes=5)


class EnvironmentConfig(Strict):
    """One environment's settings, after envman.hcl defaults were merged in."""

    description: str = ""
    stack: str | None = None
    cdk_stack: str | None = None  # the stack of a CDK app to plan, when it has several
    backend: Backend | None = None
    aws: AwsSettings | None = None
    promotion: Promotion | None = None
    protection: Protection = Protection()
    verify: Verify | None = None
    hook: list[Hook] = Field(default_factory=list)
    notify: list[Notify] = Field(default_factory=list)
    drift: DriftSettings = DriftSettings()
    release_variables: list[str] = Field(default_factory=list)  # pinned by every release
    guard: Guard | None = None
    policy: list[Policy] = Field(default_factory=list)
    components: list[str] | None = None  # docs/components.md: default every component

    @field_validator("components")
    @classmethod
    def _component_names(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            _identifier("component", name)
        return value


class TerraformSettings(Strict):
    binary: str | None = None
    lock_timeout: Duration = timedelta(minutes=5)


class Component(Strict):
    """A `component "NAME" { ... }` block of envman.hcl (docs/components.md)."""

    name: str = Field(alias="__label__")
    stack: str
    inputs: dict[str, str] = Field(default_factory=dict)  # variable = "<component>.<output>"
    depends_on: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _identifier("component", value)

    @field_validator("inputs")
    @classmethod
    def _references(cls, value: dict[str, str]) -> dict[str, str]:
        for variable, ref in value.items():
            upstream, dot, output = ref.partition(".")
            if not (upstream and dot and output) or "." in output:
                raise ValueError(
                    f'input {variable} = "{ref}": name an upstream output as "<component>.<output>"'
                )
        return value


class ProjectSettings(Strict):
    """envman.hcl: project-wide settings; environment keys here are defaults for every env."""

    terraform: TerraformSettings = TerraformSettings()
    provider_mirror: str | None = None
    component: list[Component] = Field(default_factory=list)
    defaults: dict[str, Any] = Field(default_factory=dict)


SINGLE_BLOCKS = (
    "backend",
    "aws",
    "promotion",
    "protection",
    "verify",
    "drift",
    "terraform",
    "guard",
)
ENVIRONMENT_KEYS = frozenset(EnvironmentConfig.model_fields)
