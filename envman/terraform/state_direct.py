"""A state's outputs, serial and lineage read straight from the backend's object.

`terraform output` and `terraform state pull` each start terraform and load the backend (about
0.6 s here); a component run needs several (the upstreams' outputs, the serial before and after
an apply). For the backends envman configures itself — `local` (a file) and `s3` with only the
settings below — the state object is read the way the ledger next to it is read (same client,
same identity). Anything else — another backend, backend settings of
its own such as a profile or a role — goes through terraform as before, and so does any error:
terraform then reports it in its own words. The document is terraform's (format 4): its
`outputs` have the shape of `terraform output -json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envman.terraform.models import OutputValue, outputs_from_json, secured_outputs
from envman.terraform.state import StateInfo, read_state_and_outputs, read_state_info, state_info
from envman.workspace import Workspace

S3_SETTINGS = frozenset({"bucket", "key", "region", "use_lockfile", "encrypt", "kms_key_id"})
NO_STATE: dict[str, Any] = {}


def state_document(workspace: Workspace) -> dict[str, Any] | None:
    """The state as terraform stored it ({} when there is none), or None when only terraform
    can read it."""
    # the caller's TF_WORKSPACE never reaches terraform (docs/operations.md): always "default"
    backend = workspace.env.config.backend
    values = workspace.env.backend_config()
    try:
        if backend is not None and backend.type == "local" and set(values) == {"path"}:
            return _parsed(Path(str(values["path"])).read_bytes())
        if backend is not None and backend.type == "s3" and set(values) <= S3_SETTINGS:
            return _s3_document(workspace, values)
    except FileNotFoundError:
        return dict(NO_STATE)
    except (OSError, ValueError):
        return None
    return None


def _s3_document(workspace: Workspace, values: dict[str, Any]) -> dict[str, Any] | None:
    from botocore.exceptions import BotoCoreError, ClientError

    from envman.releases.locate import backend_s3_client

    bucket, key = values.get("bucket"), values.get("key")
    if not isinstance(bucket, str) or not isinstance(key, str):
        return None
    s3 = backend_s3_client(workspace.env, values)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return dict(NO_STATE)
        return None  # denied, throttled, …: terraform says it in its own words
    except BotoCoreError:
        return None
    return _parsed(body)


def _parsed(body: bytes) -> dict[str, Any] | None:
    if not body.strip():
        return dict(NO_STATE)
    data = json.loads(body)
    if not isinstance(data, dict) or data.get("version") != 4:
        return None  # not a state format this reader knows: terraform reads it
    return data


def _outputs(data: dict[str, Any]) -> dict[str, OutputValue]:
    raw = data.get("outputs")
    outputs = outputs_from_json(raw if isinstance(raw, dict) else {})
    return secured_outputs(outputs)


def current_outputs(workspace: Workspace) -> dict[str, OutputValue]:
    """The state's outputs (`terraform output` when the object cannot be read directly)."""
    from envman.terraform.output import read_outputs

    data = state_document(workspace)
    if data is not None:
        return _outputs(data)
    workspace.ensure_init()
    return read_outputs(workspace.terraform)


def current_state_info(workspace: Workspace) -> StateInfo:
    data = state_document(workspace)
    return state_info(data) if data is not None else read_state_info(workspace.terraform)


def current_state_and_outputs(workspace: Workspace) -> tuple[StateInfo, dict[str, OutputValue]]:
    data = state_document(workspace)
    if data is None:
        return read_state_and_outputs(workspace.terraform)
    return state_info(data), _outputs(data)
