"""AWS verify checks: ECS services stable (boto3 waiter), CloudFront invalidation."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

from envman.aws.errors import aws_errors
from envman.aws.session import env_client
from envman.config.models import Verify
from envman.config.project import Environment
from envman.errors import EnvmanError
from envman.terraform.models import OutputValue

CLUSTER_OUTPUT = "ecs_cluster_name"
SERVICE_OUTPUT = "ecs_service_name"
DISTRIBUTION_OUTPUT = "cloudfront_distribution_id"
FRONTEND_OUTPUT = "frontend_release"


def _plain(outputs: Mapping[str, OutputValue], name: str) -> tuple[Any, str]:
    output = outputs.get(name)
    if output is None:
        return None, f"output '{name}' does not exist"
    if output.sensitive:
        return None, f"output '{name}' is sensitive; envman does not read it"
    return output.value, ""


def ecs_stable(
    env: Environment, config: Verify, outputs: Mapping[str, OutputValue]
) -> dict[str, Any]:
    result: dict[str, Any] = {"name": "ecs", "kind": "ecs_stable", "ok": False}
    cluster, problem = _plain(outputs, CLUSTER_OUTPUT)
    services, problem2 = _plain(outputs, SERVICE_OUTPUT)
    if problem or problem2:
        result["detail"] = problem or problem2
        return result
    names = [services] if isinstance(services, str) else services
    if (
        not isinstance(cluster, str)
        or not isinstance(names, list)
        or not names
        or not all(isinstance(n, str) for n in names)
    ):
        result["detail"] = (
            f"outputs '{CLUSTER_OUTPUT}' and '{SERVICE_OUTPUT}' must be a "
            "cluster name and a service name (or list of names)"
        )
        return result
    result.update(cluster=cluster, services=names)
    timeout = config.ecs_timeout.total_seconds()
    delay = int(min(15, max(1, timeout // 20)))
    attempts = max(1, math.ceil(timeout / delay))
    started = time.monotonic()
    try:
        ecs = env_client(env, "ecs")
        waiter = ecs.get_waiter("services_stable")
        with aws_errors(f"wait for ECS services {', '.join(names)} in {cluster}"):
            _wait(waiter, cluster, names, delay, attempts)
    except _NotStable as exc:
        result["detail"] = f"not stable after {time.monotonic() - started:.0f}s: {exc}"
        return result
    except EnvmanError as exc:
        result["detail"] = str(exc)
        return result
    result.update(
        ok=True, detail=f"{len(names)} service(s) stable in {time.monotonic() - started:.0f}s"
    )
    return result


class _NotStable(Exception):
    pass


def _wait(waiter: Any, cluster: str, names: list[str], delay: int, attempts: int) -> None:
    from botocore.exceptions import WaiterError

    try:
        waiter.wait(
            cluster=cluster, services=names, WaiterConfig={"Delay": delay, "MaxAttempts": attempts}
        )
    except WaiterError as exc:
        raise _NotStable(_describe(dict(exc.last_response or {}))) from None


def _describe(response: dict[str, Any]) -> str:
    error = response.get("Error")
    if isinstance(error, dict) and error.get("Code"):
        return f"{error.get('Code')}: {error.get('Message', '')}".strip()
    parts = []
    for service in response.get("services") or []:
        parts.append(
            f"{service.get('serviceName')} {service.get('status', '?')} "
            f"running {service.get('runningCount', '?')}/{service.get('desiredCount', '?')}, "
            f"{len(service.get('deployments') or [])} deployment(s)"
        )
    for failure in response.get("failures") or []:
        parts.append(f"{failure.get('arn', '?')}: {failure.get('reason', '?')}")
    return "; ".join(parts) or "no answer"


def frontend_changed(
    outputs: Mapping[str, OutputValue], previous_outputs: Mapping[str, Any] | None
) -> tuple[bool, Any, Any]:
    """(changed, old, new) of the frontend release between the previous and these outputs."""
    new, problem = _plain(outputs, FRONTEND_OUTPUT)
    if problem or previous_outputs is None or FRONTEND_OUTPUT not in previous_outputs:
        return False, None, new
    old = previous_outputs[FRONTEND_OUTPUT]
    if isinstance(old, dict) and old.get("sensitive") is True:
        return False, None, new
    return old != new, old, new


def cloudfront_invalidation(
    env: Environment, outputs: Mapping[str, OutputValue], old: Any, new: Any, reference: str
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "name": "cloudfront",
        "kind": "cloudfront_invalidation",
        "ok": False,
        "paths": ["/*"],
    }
    distribution, problem = _plain(outputs, DISTRIBUTION_OUTPUT)
    if problem or not isinstance(distribution, str) or not distribution:
        result["detail"] = problem or f"output '{DISTRIBUTION_OUTPUT}' is not an id"
        return result
    result["distribution_id"] = distribution
    batch = {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": reference}
    try:
        cloudfront = env_client(env, "cloudfront")
        with aws_errors(f"invalidate CloudFront distribution {distribution}"):
            response = cloudfront.create_invalidation(
                DistributionId=distribution, InvalidationBatch=batch
            )
    except EnvmanError as exc:
        result["detail"] = str(exc)
        return result
    invalidation = response.get("Invalidation") or {}
    result.update(
        ok=True,
        invalidation_id=invalidation.get("Id"),
        detail=f"invalidated /* on {distribution} ({FRONTEND_OUTPUT} {old} → {new})",
    )
    return result
