"""envman bootstrap ENV [--fix]: create the environment's S3 state bucket, idempotently."""

from __future__ import annotations

from typing import Any

from envman.aws.session import client
from envman.aws.state_bucket import ensure_lock_table, ensure_state_bucket
from envman.commands import AppContext
from envman.config.models import AwsSettings
from envman.config.project import Environment
from envman.errors import EXIT_OK, ConfigError


def run_bootstrap(ctx: AppContext, name: str, fix: bool) -> int:
    env = ctx.project.environment(name)
    values = env.backend_config()
    bucket = _bucket(env, values)
    aws = env.config.aws or AwsSettings()
    region = values.get("region")
    if isinstance(region, str) and region and aws.region is None:
        aws = aws.model_copy(update={"region": region})
    console = ctx.console()
    plain_http = (aws.endpoint_url or "").lower().startswith("http://")
    s3 = client(aws, "s3", env.name)
    result = ensure_state_bucket(s3, bucket, aws.region, fix, tls_policy=not plain_http)
    if result.created:
        console.print(f"Created bucket s3://{bucket}" + (f" in {aws.region}" if aws.region else ""))
    for change in result.changes:
        console.print(f"  {change}")
    if plain_http:
        console.print(
            f"note: TLS-only bucket policy not applied: the endpoint {aws.endpoint_url} is plain "
            "HTTP and the policy would deny every request made through it",
            markup=False,
        )
    table = values.get("dynamodb_table")
    table_created = False
    if isinstance(table, str) and table:
        table_created = ensure_lock_table(client(aws, "dynamodb", env.name), table)
        if table_created:
            console.print(f"Created DynamoDB lock table {table}")
    if not result.changed and not table_created:
        console.print(
            f"s3://{bucket} is already versioned, encrypted and private"
            + ("" if plain_http else " and TLS-only")
            + ": nothing to change."
        )
    elif not result.created and result.changes:
        console.print(f"Fixed s3://{bucket}.")
    else:
        console.print(f"s3://{bucket} is ready for the state of '{name}'.")
    return EXIT_OK


def _bucket(env: Environment, values: dict[str, Any]) -> str:
    """The state bucket of an environment with an S3 backend; a ConfigError otherwise."""
    backend = env.config.backend
    if backend is None or backend.type != "s3":
        kind = f'backend "{backend.type}"' if backend else "no backend block"
        raise ConfigError(
            f"bootstrap creates S3 state buckets, but environment '{env.name}' has {kind}",
            path=str(env.config_path),
            hint='use backend "s3" { bucket = ..., key = ..., region = ... }',
        )
    bucket = values.get("bucket")
    if not isinstance(bucket, str) or not bucket:
        raise ConfigError(
            f"backend \"s3\" of environment '{env.name}' has no bucket",
            path=str(env.config_path),
            hint='set bucket = "..."',
        )
    return bucket
