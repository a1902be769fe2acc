"""A ledger store under an S3 prefix: ``s3://<bucket>/<key>.releases/`` (docs/releases.md).

``create`` is a conditional write (``If-None-Match: *``): S3 refuses it with 412 when the key
exists, so two writers can never both create the same name, and S3 never exposes a partial
object. Updates and deletes of an existing object are conditional on its ETag (``If-Match``).
A conditional write whose response was lost is retried by botocore and comes back 412: the
object is then read back, and a write that left exactly our bytes is accepted as ours.
Every botocore failure becomes one ``EnvmanError`` line naming the bucket and key.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

from envman.errors import EnvmanError
from envman.releases.store import Versioned, check_name

_CONFLICT_RETRIES = 5
_ABSENT = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Store:
    def __init__(
        self, client: Any, bucket: str, prefix: str, environment: str | None = None
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.environment = environment  # named in hints: `envman bootstrap ENV`

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def _key(self, name: str) -> str:
        return self.prefix + check_name(name)

    def list_names(self, prefix: str = "", start_after: str = "") -> list[str]:
        names: list[str] = []
        full = self.prefix + prefix
        extra = {"StartAfter": self.prefix + start_after} if start_after else {}
        with self._errors("list", full):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full, **extra):
                for item in page.get("Contents", []):
                    names.append(str(item["Key"])[len(self.prefix) :])
        return sorted(names)

    def read(self, name: str) -> bytes | None:
        key = self._key(name)
        try:
            with self._errors("read", key, absent_ok=True):
                response = self.client.get_object(Bucket=self.bucket, Key=key)
                body: bytes = response["Body"].read()
                return body
        except _Absent:
            return None

    def read_versioned(self, name: str) -> Versioned | None:
        key = self._key(name)
        try:
            with self._errors("read", key, absent_ok=True):
                response = self.client.get_object(Bucket=self.bucket, Key=key)
                body: bytes = response["Body"].read()
                return Versioned(body, str(response["ETag"]))
        except _Absent:
            return None

    def create(self, name: str, data: bytes) -> bool:
        return self._conditional("create", name, data, {"IfNoneMatch": "*"})

    def replace_if(self, name: str, data: bytes, version: str) -> bool:
        return self._conditional("write", name, data, {"IfMatch": version})

    def _conditional(self, action: str, name: str, data: bytes, condition: dict[str, str]) -> bool:
        key = self._key(name)
        for attempt in range(_CONFLICT_RETRIES):
            try:
                with self._errors(action, key, conflict_ok=True, absent_ok=True):
                    self.client.put_object(
                        Bucket=self.bucket,
                        Key=key,
                        Body=data,
                        ContentType="application/json",
                        **condition,
                    )
                return True
            except (_Taken, _Absent):
                # 412 may answer our own first try whose response was lost: read it back
                return self.read(name) == data
            except _Conflict:
                # 409 ConditionalRequestConflict: a concurrent write to the key is in flight.
                time.sleep(0.05 * (attempt + 1))
        raise EnvmanError(
            f"cannot {action} s3://{self.bucket}/{key}: concurrent writes kept conflicting (409)",
            hint="retry the command",
        )

    def delete_if(self, name: str, version: str) -> bool:
        key = self._key(name)
        for attempt in range(_CONFLICT_RETRIES):
            try:
                with self._errors("delete", key, conflict_ok=True, absent_ok=True):
                    self.client.delete_object(Bucket=self.bucket, Key=key, IfMatch=version)
                return True
            except _Absent:
                return True
            except _Taken:
                # 412: another version is there now, or our lost delete was followed by a create
                return self.read(name) is None
            except _Conflict:
                time.sleep(0.05 * (attempt + 1))
        raise EnvmanError(
            f"cannot delete s3://{self.bucket}/{key}: concurrent writes kept conflicting (409)",
            hint="retry the command",
        )

    def replace(self, name: str, data: bytes) -> None:
        key = self._key(name)
        with self._errors("write", key):
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType="application/json"
            )

    def delete(self, name: str) -> None:
        key = self._key(name)
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    @contextlib.contextmanager
    def _errors(
        self, action: str, key: str, *, absent_ok: bool = False, conflict_ok: bool = False
    ) -> Iterator[None]:
        where = f"s3://{self.bucket}/{key}"
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if absent_ok and (code in _ABSENT or status == 404) and code != "NoSuchBucket":
                raise _Absent from None
            if conflict_ok and (code == "PreconditionFailed" or status == 412):
                raise _Taken from None
            if conflict_ok and (code == "ConditionalRequestConflict" or status == 409):
                raise _Conflict from None
            message = _one_line(str(error.get("Message", "") or code or exc))
            raise EnvmanError(
                f"cannot {action} {where}: {code or status}: {message}",
                hint=_hint_for(code, self.bucket, self.environment),
            ) from None
        except (NoCredentialsError, PartialCredentialsError):
            raise EnvmanError(
                f"cannot {action} {where}: no AWS credentials found",
                hint="set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or aws.profile",
            ) from None
        except EndpointConnectionError:
            endpoint = getattr(getattr(self.client, "meta", None), "endpoint_url", "")
            raise EnvmanError(
                f"cannot {action} {where}: cannot connect to the S3 endpoint {endpoint}".rstrip(),
                hint=unreachable_hint(str(endpoint or "")),
            ) from None
        except BotoCoreError as exc:
            raise EnvmanError(
                f"cannot {action} {where}: {_one_line(str(exc))}",
                hint="check the AWS settings of this environment, then retry",
            ) from None


class _Absent(Exception):
    pass


class _Taken(Exception):
    pass


class _Conflict(Exception):
    pass


def _one_line(text: str) -> str:
    return " ".join(text.split())


def unreachable_hint(endpoint: str) -> str:
    """What to do when an endpoint does not answer: the local emulator is started by envman."""
    from envman.emulator.ports import is_local_endpoint

    if is_local_endpoint(endpoint):
        return "start the local AWS emulator with `envman emulator start`, or fix aws.endpoint_url"
    return "check aws.endpoint_url / aws.region and the network, then retry"


def _hint_for(code: str, bucket: str, environment: str | None) -> str:
    if code == "NoSuchBucket":
        return (
            f"create the bucket with `envman bootstrap {environment or 'ENV'}`, "
            "or fix the backend's bucket"
        )
    if code in ("AccessDenied", "AllAccessDisabled", "Forbidden", "403"):
        return (
            f"grant s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject "
            f"on bucket '{bucket}' to the identity envman runs as"
        )
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"):
        return "refresh the AWS credentials (profile, SSO login or environment variables)"
    return "check the backend's bucket, region and credentials, then retry"
