"""Environment variables for terraform's AWS provider and S3 backend."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from envman.config.models import AwsSettings

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_loopback(url: str | None) -> bool:
    if not url:
        return False
    host = urlparse(url).hostname or ""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def terraform_aws_env(aws: AwsSettings | None) -> dict[str, str]:
    """AWS_* variables for the child process (credentials of an assumed role come separately)."""
    if aws is None:
        return {}
    env: dict[str, str] = {}
    if aws.region:
        env["AWS_REGION"] = aws.region
        env["AWS_DEFAULT_REGION"] = aws.region
    if aws.profile:
        env["AWS_PROFILE"] = aws.profile
    if aws.endpoint_url:
        env["AWS_ENDPOINT_URL"] = aws.endpoint_url
        if is_loopback(aws.endpoint_url) and not os.environ.get("AWS_ACCESS_KEY_ID"):
            # An emulator on this machine: static test credentials, never real ones.
            env["AWS_ACCESS_KEY_ID"] = "test"
            env["AWS_SECRET_ACCESS_KEY"] = "test"
    return env
