"""Where an environment's ledger lives: next to its state (docs/releases.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from envman.config.locations import LEDGER_SUFFIX
from envman.config.project import Environment
from envman.errors import ConfigError
from envman.releases.store import LedgerStore
from envman.releases.store_local import LocalStore

SUFFIX = LEDGER_SUFFIX


def store_for(env: Environment) -> LedgerStore:
    """The ledger store of ``env``: ``<key>.releases/`` in S3, ``<path>.releases/`` locally."""
    from envman.releases.known import remember_environment

    remember_environment(env)  # found again once its folder is gone (docs/operations.md)
    backend = env.config.backend
    if backend is None:
        raise _config_error(
            env,
            f"environment '{env.name}' has no backend block; releases need an s3 or local backend",
            'add backend "s3" { bucket = ..., key = ... } or backend "local" { path = ... }',
        )
    values = env.ledger_backend_config()
    if backend.type == "s3":
        bucket, key = values.get("bucket"), values.get("key")
        if not isinstance(bucket, str) or not bucket or not isinstance(key, str) or not key:
            raise _config_error(
                env,
                f"backend \"s3\" of environment '{env.name}' needs bucket and key "
                "to locate its releases",
                'set backend "s3" { bucket = "...", key = "..." }',
            )
        from envman.releases.store_s3 import S3Store

        return S3Store(backend_s3_client(env, values), bucket, key + SUFFIX + "/", env.name)
    if backend.type == "local":
        path = values.get("path")
        if not isinstance(path, str) or not path:
            raise _config_error(
                env,
                f"backend \"local\" of environment '{env.name}' has no path; "
                "releases are stored next to it",
                'set backend "local" { path = ... }',
            )
        return LocalStore(Path(path + SUFFIX))
    raise _config_error(
        env,
        f"environment '{env.name}' uses backend \"{backend.type}\"; "
        "releases need an s3 or local backend",
        'use backend "s3" or backend "local"',
    )


def backend_s3_client(env: Environment, values: dict[str, Any]) -> Any:
    """The S3 client of the environment's identity, in the backend's region unless the
    environment's aws block names one (the ledger and state objects are read with it)."""
    from envman.aws.session import client

    aws = env.config.aws
    region = values.get("region")
    if isinstance(region, str) and region and (aws is None or aws.region is None):
        from envman.config.models import AwsSettings

        aws = (aws or AwsSettings()).model_copy(update={"region": region})
    return client(aws, "s3", env.name)


def _config_error(env: Environment, message: str, hint: str) -> ConfigError:
    return ConfigError(message, path=str(env.config_path), hint=hint)
