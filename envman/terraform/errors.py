"""terraform's failures, typed in one place (docs/releases.md).

terraform reports errors as diagnostics (``summary`` + ``detail``, from its ``-json`` stream or
its human output). This module is the only place that reads their words to tell what went
wrong; everything else catches the types:

- ``StateLocked``: the state lock stayed held by someone else (names the holder and the lock id);
- ``InitRequired``: the backend, a provider or a module is not initialised (or changed);
- ``MissingVariable``: a required variable has no value (names it);
- ``UndeclaredVariable``: a value was given for a variable the stack does not declare;
- ``StalePlan``: a saved plan no longer matches the state;
- ``MalformedPlan``: ``show -json`` wrote something that is not a plan document;
- ``RegistryUnreachable``: a provider could not be installed because its registry is out of
  reach (says what to set: a provider mirror or a plugin cache);
- ``InvalidSetValue``: a ``--set`` value (or a pinned one) terraform refuses: names the flag or
  the pin, never the var file envman wrote in the run's folder;
- ``LocalEndpointDown``: nothing answers on a local endpoint (the AWS emulator is not running);
- ``LegacyStateInStack``: terraform found its default state file in the stack folder and asks
  to migrate it into the environment's backend (envman never migrates state);
- otherwise a plain ``TerraformError`` with terraform's first error.

All are ``TerraformError``s (exit code 1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from envman.errors import TerraformError
from envman.secrets.redactor import redact

if TYPE_CHECKING:
    from envman.terraform.completed import Completed, Diagnostic

LOCK_SUMMARY = "Error acquiring the state lock"
_LOCK_FIELDS = {
    "ID": "id",
    "Path": "path",
    "Operation": "operation",
    "Who": "who",
    "Version": "version",
    "Created": "created",
    "Info": "info",
}
_INIT_SUMMARIES = (
    "Backend initialization required",
    "Backend configuration changed",
    "Required plugins are not installed",
    "Missing required provider",
    "Inconsistent dependency lock file",
    "Module not installed",
    "Module source has changed",
)
_QUOTED = re.compile(r'"([^"]+)"')
_REGISTRY_SUMMARIES = ("Failed to query available provider packages", "Failed to install provider")
_UNREACHABLE = re.compile(
    r"could not connect to ([\w.-]+)|(?:dial tcp|lookup) ([\w.-]+)|Failed to request discovery "
    r"document",
    re.IGNORECASE,
)
_PROVIDER = re.compile(r"provider ([\w.-]+/[\w.-]+(?:/[\w.-]+)?)")
MIGRATION_SUMMARY = "Can't ask approval for state migration"
_LOCAL_REFUSED = re.compile(
    r"dial tcp (127\.\d+\.\d+\.\d+|localhost|\[::1\]):(\d+): connect: connection refused"
)
INVALID_VALUE_SUMMARY = "Invalid value for input variable"
_VAR_REF = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)")
# the var files envman writes into a run's folder (envman.inputs): who gave their values
RUN_VAR_FILES = {
    "set.tfvars.json": "--set",
    "pinned.tfvars.json": "the current release's pin of",
}


class StateLocked(TerraformError):
    """The state lock stayed held by someone else for the whole lock timeout."""

    def __init__(
        self,
        lock: dict[str, str],
        waited: str | None = None,
        *,
        environment: str | None = None,
        component: str | None = None,
    ) -> None:
        who = lock.get("who") or "an unknown holder"
        what = ", ".join(f"{k} {lock[k]}" for k in ("operation", "created") if lock.get(k))
        env = environment or "ENV"
        where = f" -c {component}" if component else ""
        super().__init__(
            f"state is locked by {who}"
            + (f" ({what})" if what else "")
            + (f"; waited {waited}" if waited else "")
            + (f"; lock ID {lock['id']}" if lock.get("id") else ""),
            hint=f"wait for that run to finish; if it is stale: envman unlock {env} "
            f"{lock.get('id') or 'LOCK_ID'}{where} --confirm {env}",
        )
        self.lock = lock


class InitRequired(TerraformError):
    """The backend, a provider or a module needs `terraform init` (envman runs it itself)."""


class MissingVariable(TerraformError):
    """A required variable has no value."""

    def __init__(self, message: str, variable: str | None) -> None:
        hint = (
            f"give it in the environment's terraform.tfvars or with --set {variable}=VALUE"
            if variable
            else "give it in the environment's terraform.tfvars or with --set NAME=VALUE"
        )
        super().__init__(message, hint=hint)
        self.variable = variable


class UndeclaredVariable(TerraformError):
    """A value was given for a variable that the stack does not declare."""

    def __init__(self, message: str, variable: str | None) -> None:
        super().__init__(message, hint="remove it, or declare it in the stack's variables.tf")
        self.variable = variable


class MalformedPlan(TerraformError):
    """A ``show -json`` document that is not JSON, or not of the shape terraform writes."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"malformed plan JSON from terraform show: {problem}",
            hint="is the plan file from a compatible terraform version?",
        )


class StalePlan(TerraformError):
    """A saved plan no longer matches the state it was made from."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="plan again")


class RegistryUnreachable(TerraformError):
    """terraform could not reach a provider registry to install a provider."""

    def __init__(self, host: str, provider: str | None) -> None:
        what = f" to install {provider}" if provider else ""
        super().__init__(
            f"terraform cannot reach the provider registry {host}{what}",
            hint="set ENVMAN_PROVIDER_MIRROR, or provider_mirror in envman.hcl, to a folder "
            "made by `terraform providers mirror DIR`; see docs/install.md",
        )
        self.host = host
        self.provider = provider


class InvalidSetValue(TerraformError):
    """terraform refused a value envman passed from ``--set`` or from a release's pins."""

    def __init__(self, origin: str, variable: str, detail: str) -> None:
        name = variable or "NAME"
        if origin == "--set":
            where, hint = f"--set {name}", f"give --set {name}=VALUE of the type the stack declares"
        else:
            where = f"{origin} {name}"
            hint = f"--set {name}=VALUE to replace it, or --unpin {name} to take the code's value"
        super().__init__(f"{where}: {detail}", hint=hint)
        self.variable = variable


def invalid_run_value(diagnostic: Diagnostic) -> InvalidSetValue | None:
    """A value from a var file in the run's folder: blame the flag or the pin, not the file."""
    if not diagnostic.summary.startswith(INVALID_VALUE_SUMMARY) or not diagnostic.filename:
        return None
    origin = RUN_VAR_FILES.get(diagnostic.filename.replace("\\", "/").rsplit("/", 1)[-1])
    if origin is None:
        return None
    found = _VAR_REF.search(diagnostic.detail)
    detail = redact(" ".join(diagnostic.detail.split()))
    return InvalidSetValue(origin, found.group(1) if found else "", detail)


class LocalEndpointDown(TerraformError):
    """terraform (its AWS provider or S3 backend) found nothing listening on a local endpoint."""

    def __init__(self, label: str, endpoint: str) -> None:
        super().__init__(
            f"{label} failed: cannot connect to {endpoint} (connection refused)",
            hint="start the local AWS emulator with `envman emulator start`, or fix aws.endpoint_url",
        )
        self.endpoint = endpoint


def local_endpoint_down(label: str, diagnostic: Diagnostic) -> LocalEndpointDown | None:
    found = _LOCAL_REFUSED.search(f"{diagnostic.summary} {diagnostic.detail}")
    if found is None:
        return None
    return LocalEndpointDown(label, f"http://{found.group(1)}:{found.group(2)}")


class LegacyStateInStack(TerraformError):
    """The stack folder holds terraform's default state file, which terraform offers to
    migrate into the environment's backend."""

    def __init__(self, environment: str | None) -> None:
        env = environment or "this environment"
        super().__init__(
            f"the stack folder holds a terraform.tfstate that terraform would migrate into "
            f"{env}'s backend; envman never migrates state",
            hint="move that file out of the stack folder and point the backend path of the "
            "environment it belongs to at its new place (docs/adopting.md)",
        )


def registry_problem(diagnostic: Diagnostic) -> RegistryUnreachable | None:
    """A provider install that failed because the registry was out of reach."""
    if not diagnostic.summary.startswith(_REGISTRY_SUMMARIES):
        return None
    text = diagnostic.detail or diagnostic.summary
    found = _UNREACHABLE.search(text)
    if found is None:
        return None
    host = found.group(1) or found.group(2) or "registry.terraform.io"
    provider = _PROVIDER.search(text)
    return RegistryUnreachable(host.rstrip(".:"), provider.group(1) if provider else None)


def lock_info(diagnostic: Diagnostic) -> dict[str, str]:
    """The ``Lock Info:`` block of terraform's lock diagnostic."""
    info: dict[str, str] = {}
    in_block = False
    for line in diagnostic.detail.splitlines():
        if line.strip() == "Lock Info:":
            in_block = True
            continue
        if in_block:
            key, sep, value = line.strip().partition(":")
            if not sep or key not in _LOCK_FIELDS:
                if info:
                    break
                continue
            info[_LOCK_FIELDS[key]] = value.strip()
    return info


def failure_message(label: str, done: Completed) -> str:
    """One line: terraform's first error (and how many more), or the tail of its stderr, with
    the run's sensitive values redacted (terraform's diagnostics can echo them, e.g. a
    function error on a sensitive value)."""
    return redact(_failure_message(label, done))


def _failure_message(label: str, done: Completed) -> str:
    errors = done.errors()
    if errors:
        first = errors[0].one_line()
        more = f" (+{len(errors) - 1} more errors)" if len(errors) > 1 else ""
        return f"{label} failed: {first}{more}"
    tail = [line for line in done.stderr.strip().splitlines() if line.strip()][-1:]
    return f"{label} failed (exit {done.returncode})" + (f": {tail[0]}" if tail else "")


def terraform_error(
    label: str,
    done: Completed,
    *,
    environment: str | None = None,
    waited: str | None = None,
    component: str | None = None,
) -> TerraformError:
    """The typed error for a failed terraform run."""
    message = failure_message(label, done)
    typed = classify(
        message, done.errors(), environment=environment, waited=waited, component=component
    )
    return typed or TerraformError(message)


def classify(
    message: str,
    errors: Sequence[Diagnostic],
    *,
    environment: str | None = None,
    waited: str | None = None,
    component: str | None = None,
) -> TerraformError | None:
    """The typed error named by the first recognised diagnostic, if any (``environment`` and
    ``component``: whose terraform it was, for the unlock hint)."""
    for diagnostic in errors:
        summary = diagnostic.summary
        if summary == LOCK_SUMMARY:
            lock = lock_info(diagnostic)
            return StateLocked(lock, waited, environment=environment, component=component)
        if summary.startswith(_INIT_SUMMARIES):
            return InitRequired(message, hint="run the command again: envman initialises itself")
        if summary.startswith("No value for required variable"):
            return MissingVariable(message, _variable(diagnostic))
        if summary.startswith("Value for undeclared variable"):
            return UndeclaredVariable(message, _variable(diagnostic))
        if summary.startswith("Saved plan is stale"):
            return StalePlan(message)
        if summary.startswith(MIGRATION_SUMMARY):
            return LegacyStateInStack(environment)
        found = (
            registry_problem(diagnostic)
            or invalid_run_value(diagnostic)
            or local_endpoint_down(message.split(" failed", 1)[0], diagnostic)
        )
        if found is not None:
            return found
    return None


def _variable(diagnostic: Diagnostic) -> str | None:
    """The variable a diagnostic names (``variable "x"`` in its detail or summary)."""
    for text in (diagnostic.detail, diagnostic.summary):
        found = _QUOTED.search(text)
        if found:
            return found.group(1)
    return None
