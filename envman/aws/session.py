"""The one place that builds boto3 sessions and clients for an environment."""

from __future__ import annotations

from typing import Any

from envman.aws.environment import is_loopback
from envman.config.models import AwsSettings
from envman.errors import EnvmanError


def boto3_session(aws: AwsSettings | None) -> Any:
    import boto3
    import botocore.exceptions

    settings = aws or AwsSettings()
    kwargs: dict[str, Any] = {}
    if settings.region:
        kwargs["region_name"] = settings.region
    if settings.profile:
        kwargs["profile_name"] = settings.profile
    if is_loopback(settings.endpoint_url):
        import os

        if not os.environ.get("AWS_ACCESS_KEY_ID"):
            kwargs["aws_access_key_id"] = "test"
            kwargs["aws_secret_access_key"] = "test"
    try:
        return boto3.Session(**kwargs)
    except botocore.exceptions.ProfileNotFound:
        raise EnvmanError(
            f"AWS profile '{settings.profile}' not found",
            hint="fix aws.profile or configure it in ~/.aws/config",
        ) from None


def client(aws: AwsSettings | None, service: str) -> Any:
    from botocore.config import Config

    settings = aws or AwsSettings()
    session = boto3_session(settings)
    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5,
                    read_timeout=30)  # fmt: skip
    kwargs: dict[str, Any] = {"config": config}
    if settings.endpoint_url:
        kwargs["endpoint_url"] = settings.endpoint_url
    if settings.region:
        kwargs["region_name"] = settings.region
    elif session.region_name is None:
        kwargs["region_name"] = "us-east-1"
    return session.client(service, **kwargs)
