"""The one place that builds boto3 sessions and clients for an environment.

Region, profile and endpoint come from the environment's ``aws`` block. With ``role_arn`` the
role is assumed once per process through STS (``RoleSessionName = envman-<env>``) and the same
temporary credentials serve boto3 (``client``) and terraform's child process
(``terraform_credentials_env``), so both act as the same identity against the same endpoint.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from envman.aws.environment import is_loopback, terraform_aws_env
from envman.aws.errors import aws_call, translate
from envman.config.models import AwsSettings

if TYPE_CHECKING:
    from envman.config.project import Environment

_REFRESH_MARGIN = timedelta(minutes=5)
_LOCK = threading.Lock()
_CLIENT_LOCK = threading.Lock()


@dataclass(frozen=True)
class TemporaryCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime

    def fresh(self, at: datetime) -> bool:
        return self.expiration - _REFRESH_MARGIN > at


_ASSUMED: dict[tuple[str | None, ...], TemporaryCredentials] = {}


def session_name(environment: str | None) -> str:
    """``envman-<env>``, within STS's limits (2-64 characters of [\\w+=,.@-])."""
    name = f"envman-{environment}" if environment else "envman"
    return "".join(c if c.isalnum() or c in "+=,.@-_" else "-" for c in name)[:64]


def _base_session(settings: AwsSettings) -> Any:
    import boto3

    kwargs: dict[str, Any] = {}
    if settings.region:
        kwargs["region_name"] = settings.region
    if settings.profile:
        kwargs["profile_name"] = settings.profile
    if is_loopback(settings.endpoint_url) and not os.environ.get("AWS_ACCESS_KEY_ID"):
        # An emulator on this machine: static test credentials, never real ones.
        kwargs["aws_access_key_id"] = "test"
        kwargs["aws_secret_access_key"] = "test"
    try:
        return boto3.Session(**kwargs)
    except Exception as exc:  # ProfileNotFound and friends: one line
        from botocore.exceptions import BotoCoreError

        if isinstance(exc, BotoCoreError):
            raise translate("start an AWS session", exc) from None
        raise


def _client_kwargs(settings: AwsSettings, session: Any) -> dict[str, Any]:
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30
    )
    kwargs: dict[str, Any] = {"config": config}
    if settings.endpoint_url:
        kwargs["endpoint_url"] = settings.endpoint_url
    if settings.region:
        kwargs["region_name"] = settings.region
    elif session.region_name is None:
        kwargs["region_name"] = "us-east-1"
    return kwargs


def assumed_credentials(aws: AwsSettings, environment: str | None = None) -> TemporaryCredentials:
    """Credentials of ``aws.role_arn`` (cached until 5 minutes before they expire)."""
    if not aws.role_arn:
        raise ValueError("assumed_credentials() needs aws.role_arn")
    name = session_name(environment)
    key = (aws.role_arn, aws.profile, aws.region, aws.endpoint_url, name)
    with _LOCK:
        cached = _ASSUMED.get(key)
        if cached is not None and cached.fresh(datetime.now(UTC)):
            return cached
        base = _base_session(aws)
        sts = base.client("sts", **_client_kwargs(aws, base))
        role = aws.role_arn
        response = aws_call(
            f"assume role {role}", lambda: sts.assume_role(RoleArn=role, RoleSessionName=name)
        )
        raw = response["Credentials"]
        expiration = raw.get("Expiration")
        if not isinstance(expiration, datetime):
            expiration = datetime.now(UTC) + timedelta(hours=1)
        creds = TemporaryCredentials(
            access_key_id=str(raw["AccessKeyId"]),
            secret_access_key=str(raw["SecretAccessKey"]),
            session_token=str(raw["SessionToken"]),
            expiration=expiration if expiration.tzinfo else expiration.replace(tzinfo=UTC),
        )
        _ASSUMED[key] = creds
        return creds


def boto3_session(aws: AwsSettings | None, environment: str | None = None) -> Any:
    """A boto3 session: the profile's (or default chain's) identity, or the assumed role's."""
    settings = aws or AwsSettings()
    if not settings.role_arn:
        return _base_session(settings)
    import boto3

    creds = assumed_credentials(settings, environment)
    return boto3.Session(
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        aws_session_token=creds.session_token,
        region_name=settings.region,
    )


# Creating a client costs ~0.1 s (botocore loads the service's model), and drift asks for one
# per environment, plan for two: clients are thread-safe, so one per identity is reused. The
# key holds everything that decides the identity and endpoint, AWS_* variables included.
_CLIENTS: dict[str, Any] = {}
_IDENTITY_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


def _client_key(settings: AwsSettings, service: str, environment: str | None) -> str:
    parts = [service, settings.model_dump_json()]
    if settings.role_arn:
        parts += [environment or "", assumed_credentials(settings, environment).access_key_id]
    parts += [f"{k}={os.environ.get(k, '')}" for k in _IDENTITY_VARIABLES]
    parts += sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("AWS_ENDPOINT_URL"))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def client(aws: AwsSettings | None, service: str, environment: str | None = None) -> Any:
    """A boto3 client for SERVICE with the environment's region, identity and endpoint."""
    settings = aws or AwsSettings()
    key = _client_key(settings, service, environment)
    with _CLIENT_LOCK:
        cached = _CLIENTS.get(key)
        if cached is None:
            session = boto3_session(settings, environment)
            cached = _CLIENTS[key] = session.client(service, **_client_kwargs(settings, session))
    return cached


def env_client(env: Environment, service: str) -> Any:
    """``client`` for an environment (its role session is named ``envman-<env>``)."""
    return client(env.config.aws, service, env.name)


def terraform_credentials_env(env: Environment) -> dict[str, str]:
    """AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN of the assumed role; {} without ``role_arn``."""
    aws = env.config.aws
    if aws is None or not aws.role_arn:
        return {}
    creds = assumed_credentials(aws, env.name)
    return {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_SESSION_TOKEN": creds.session_token,
    }


def terraform_child_env(env: Environment) -> dict[str, str]:
    """Everything AWS a child process (terraform, hooks) needs: settings + role credentials.

    With an assumed role the profile is dropped: the temporary credentials already are the
    identity, and AWS_PROFILE next to them would make some SDKs prefer the profile.
    """
    values = terraform_aws_env(env.config.aws)
    creds = terraform_credentials_env(env)
    if creds:
        values.pop("AWS_PROFILE", None)
        values.update(creds)
    return values


def clear_cache() -> None:
    """Forget assumed-role credentials (tests, or after a credentials error)."""
    with _LOCK:
        _ASSUMED.clear()
