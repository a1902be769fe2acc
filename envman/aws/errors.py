"""One-line errors for envman's own AWS calls: never a botocore traceback.

Use ``aws_call("read versioning of s3://b", lambda: s3.get_bucket_versioning(Bucket="b"))``
or ``with aws_errors("describe ECS services"): ...``. Missing or expired credentials, an
unreachable endpoint and API errors all become one ``EnvmanError`` naming what was attempted.
``ClientError`` codes the caller wants to handle itself can be let through with ``passthrough``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, TypeVar

from envman.errors import EnvmanError

if TYPE_CHECKING:  # botocore is imported when an AWS call is made, not by every command
    from botocore.exceptions import ClientError

T = TypeVar("T")

EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
)
INVALID_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "AuthFailure",
    }
)
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "Forbidden", "403"})
_REFRESH = "refresh the AWS credentials (aws sso login, the profile, or AWS_* variables)"


class AwsError(EnvmanError):
    """A failed AWS call; ``code`` is the AWS error code when there is one."""

    def __init__(self, message: str, *, code: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


def error_code(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "") or "")
    if not code:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = str(status or "")
    return code


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def translate(what: str, exc: Exception) -> AwsError:
    """The one-line error for an exception raised by botocore while doing WHAT."""
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        return _client_error(what, exc)
    return _botocore_error(what, exc)


def _client_error(what: str, exc: ClientError) -> AwsError:
    """An error AWS answered with: expired or invalid credentials, denied, or another code."""
    code = error_code(exc)
    message = one_line(str(exc.response.get("Error", {}).get("Message", "") or code))
    if code in EXPIRED_CODES:
        return AwsError(
            f"cannot {what}: the AWS credentials have expired", code=code, hint=_REFRESH
        )
    if code in INVALID_CODES:
        return AwsError(
            f"cannot {what}: the AWS credentials are not valid ({code})",
            code=code,
            hint=_REFRESH,
        )
    if code in DENIED_CODES:
        return AwsError(
            f"cannot {what}: access denied ({message})",
            code=code,
            hint="grant the permission to the identity envman runs as",
        )
    return AwsError(f"cannot {what}: {code}: {message}", code=code)


def _botocore_error(what: str, exc: Exception) -> AwsError:
    """An error botocore raised before or without an answer from AWS."""
    from botocore.exceptions import (
        BotoCoreError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
        ReadTimeoutError,
        SSOTokenLoadError,
        TokenRetrievalError,
        UnauthorizedSSOTokenError,
    )

    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return AwsError(
            f"cannot {what}: no AWS credentials found",
            hint="set aws.profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        )
    if isinstance(exc, SSOTokenLoadError | UnauthorizedSSOTokenError | TokenRetrievalError):
        return AwsError(f"cannot {what}: the AWS SSO session has expired", hint=_REFRESH)
    if isinstance(exc, ProfileNotFound):
        return AwsError(
            f"cannot {what}: {one_line(str(exc))}",
            hint="fix aws.profile or configure it in ~/.aws/config",
        )
    if isinstance(exc, NoRegionError):
        return AwsError(
            f"cannot {what}: no AWS region configured",
            hint="set aws.region in environment.hcl or AWS_REGION",
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        endpoint = getattr(exc, "kwargs", {}).get("endpoint_url", "")
        where = f" {endpoint}" if endpoint else ""
        from envman.emulator.ports import is_local_endpoint

        hint = (
            "start the local AWS emulator with `envman emulator start`, or fix aws.endpoint_url"
            if is_local_endpoint(str(endpoint))
            else "check aws.endpoint_url / aws.region and the network"
        )
        return AwsError(f"cannot {what}: cannot reach the AWS endpoint{where}", hint=hint)
    if isinstance(exc, BotoCoreError):
        return AwsError(f"cannot {what}: {one_line(str(exc))}")
    raise TypeError(f"not a botocore error: {type(exc).__name__}")


@contextlib.contextmanager
def aws_errors(what: str, passthrough: Collection[str] = ()) -> Iterator[None]:
    """Turn botocore errors raised inside the block into one-line ``AwsError``s."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        if error_code(exc) in passthrough:
            raise
        raise translate(what, exc) from None
    except BotoCoreError as exc:
        raise translate(what, exc) from None


def aws_call(what: str, fn: Callable[[], T], passthrough: Collection[str] = ()) -> T:
    """Call FN; botocore errors become one ``AwsError`` line that says WHAT failed."""
    with aws_errors(what, passthrough):
        return fn()
