"""The S3 state bucket of an environment: versioned, encrypted, private, TLS only.

``inspect_bucket`` reads what a bucket has; ``ensure_state_bucket`` creates a missing bucket
with every setting, leaves a compliant one alone (reporting "nothing to change"), and refuses
to touch an existing bucket that lacks a setting unless ``fix`` is given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from envman.aws.errors import aws_call, error_code
from envman.errors import EnvmanError

TLS_SID = "EnvmanDenyInsecureTransport"
_NOT_FOUND = ("404", "NoSuchBucket", "NotFound")
_PUBLIC_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


@dataclass
class BucketState:
    exists: bool
    versioning: str = "off"  # Enabled | Suspended | off
    encryption: str | None = None  # AES256 | aws:kms | aws:kms:dsse | None
    public_access_blocked: bool = False
    tls_only: bool = False
    policy: dict[str, Any] | None = None

    def missing(self, tls_policy: bool = True) -> list[str]:
        gaps = []
        if self.versioning != "Enabled":
            gaps.append(f"versioning is {self.versioning}")
        if self.encryption is None:
            gaps.append("default encryption is off")
        if not self.public_access_blocked:
            gaps.append("public access is not fully blocked")
        if tls_policy and not self.tls_only:
            gaps.append("the bucket policy does not deny non-TLS requests")
        return gaps


@dataclass
class BootstrapResult:
    bucket: str
    created: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


def inspect_bucket(s3: Any, bucket: str) -> BucketState:
    where = f"s3://{bucket}"
    try:
        aws_call(f"look up {where}", lambda: s3.head_bucket(Bucket=bucket), passthrough=_NOT_FOUND)
    except ClientError as exc:
        if error_code(exc) in _NOT_FOUND:
            return BucketState(exists=False)
        raise
    versioning = aws_call(
        f"read versioning of {where}", lambda: s3.get_bucket_versioning(Bucket=bucket)
    )
    state = BucketState(exists=True, versioning=str(versioning.get("Status") or "off"))
    encryption = _optional(
        s3.get_bucket_encryption,
        bucket,
        "read encryption of",
        "ServerSideEncryptionConfigurationNotFoundError",
    )
    if encryption:
        rules = encryption.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        for rule in rules:
            algorithm = rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm")
            if algorithm:
                state.encryption = str(algorithm)
    block = _optional(
        s3.get_public_access_block,
        bucket,
        "read the public access block of",
        "NoSuchPublicAccessBlockConfiguration",
    )
    if block:
        config = block.get("PublicAccessBlockConfiguration", {})
        state.public_access_blocked = all(config.get(k) is True for k in _PUBLIC_BLOCK)
    policy = _optional(s3.get_bucket_policy, bucket, "read the policy of", "NoSuchBucketPolicy")
    if policy:
        try:
            state.policy = json.loads(policy.get("Policy") or "{}")
        except ValueError:
            state.policy = None
        state.tls_only = denies_insecure_transport(state.policy)
    return state


def denies_insecure_transport(policy: dict[str, Any] | None) -> bool:
    """Whether some Deny statement applies when aws:SecureTransport is false."""
    if not policy:
        return False
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
            continue
        condition = statement.get("Condition") or {}
        value = (condition.get("Bool") or {}).get("aws:SecureTransport")
        if str(value).lower() in ("false", "['false']"):
            return True
    return False


def tls_statement(bucket: str) -> dict[str, Any]:
    return {
        "Sid": TLS_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def ensure_state_bucket(
    s3: Any, bucket: str, region: str | None, fix: bool, tls_policy: bool = True
) -> BootstrapResult:
    """Create or check BUCKET. ``tls_policy=False`` (a plain-HTTP endpoint such as a local
    emulator) leaves out the TLS-only policy, which would deny every request made over it."""
    where = f"s3://{bucket}"
    state = inspect_bucket(s3, bucket)
    result = BootstrapResult(bucket=bucket)
    if not state.exists:
        kwargs: dict[str, Any] = {"Bucket": bucket}
        if region and region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        aws_call(f"create {where}", lambda: s3.create_bucket(**kwargs))
        result.created = True
        state = BucketState(exists=True)
    elif state.missing(tls_policy) and not fix:
        raise EnvmanError(
            f"bucket {where} exists but " + "; ".join(state.missing(tls_policy)),
            hint="run `envman bootstrap ENV --fix` to turn the missing settings on",
        )
    if state.versioning != "Enabled":
        aws_call(
            f"turn on versioning of {where}",
            lambda: s3.put_bucket_versioning(
                Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
            ),
        )
        result.changes.append("versioning enabled")
    if state.encryption is None:
        rule = {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": True,
        }
        aws_call(
            f"turn on encryption of {where}",
            lambda: s3.put_bucket_encryption(
                Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]}
            ),
        )
        result.changes.append("default encryption AES256")
    if not state.public_access_blocked:
        aws_call(
            f"block public access to {where}",
            lambda: s3.put_public_access_block(
                Bucket=bucket, PublicAccessBlockConfiguration=dict(_PUBLIC_BLOCK)
            ),
        )
        result.changes.append("all public access blocked")
    if tls_policy and not state.tls_only:
        policy = dict(state.policy or {"Version": "2012-10-17"})
        statements = policy.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        statements = [
            s for s in statements if not (isinstance(s, dict) and s.get("Sid") == TLS_SID)
        ]
        policy["Statement"] = [*statements, tls_statement(bucket)]
        document = json.dumps(policy)
        aws_call(
            f"set the policy of {where}",
            lambda: s3.put_bucket_policy(Bucket=bucket, Policy=document),
        )
        result.changes.append("bucket policy denies non-TLS requests")
    return result


def _optional(fn: Any, bucket: str, what: str, absent: str) -> dict[str, Any] | None:
    try:
        value: dict[str, Any] = aws_call(
            f"{what} s3://{bucket}", lambda: fn(Bucket=bucket), passthrough=(absent,)
        )
        return value
    except ClientError:
        return None


def ensure_lock_table(dynamodb: Any, table: str) -> bool:
    """Create the DynamoDB lock table (hash key LockID) when missing; True when created."""
    try:
        aws_call(
            f"look up DynamoDB table {table}",
            lambda: dynamodb.describe_table(TableName=table),
            passthrough=("ResourceNotFoundException",),
        )
        return False
    except ClientError:
        pass
    aws_call(
        f"create DynamoDB table {table}",
        lambda: dynamodb.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        ),
    )
    return True
