"""Run terraform on the user's own terminal: stdin, stdout and stderr passed through.

terraform runs in its own session, like every terraform envman starts: Ctrl-C reaches envman
alone, which forwards exactly one interrupt (a second SIGINT would make terraform abandon its
work). When envman's streams are not real files (an embedding caller, a test runner), the
input is handed over and the output copied back instead.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any

from envman.errors import TerraformError
from envman.terraform import signals
from envman.terraform.runner import CHILD_UMASK, Terraform

# Settings for envman's own unattended runs that would get in the way of a person.
_UNATTENDED = ("TF_INPUT", "TF_IN_AUTOMATION")


def passthrough_env(env: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in _UNATTENDED}


def run_passthrough(tf: Terraform, args: Sequence[str]) -> int:
    """terraform's exit code (a signal's death as 128 + signal number)."""
    argv = [tf.binary.path, f"-chdir={tf.stack_dir}", *args]
    env = passthrough_env(tf.env)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    fds = _file_descriptors()
    try:
        child = subprocess.Popen(
            argv,
            stdin=fds[0] if fds else subprocess.PIPE,
            stdout=fds[1] if fds else subprocess.PIPE,
            stderr=fds[2] if fds else subprocess.PIPE,
            env=env,
            start_new_session=True,
            umask=CHILD_UMASK,
        )
    except OSError as exc:
        raise TerraformError(f"cannot start {tf.binary.path}: {exc}") from None
    signals.register(child)
    try:
        if fds is None:
            _relay(child)
        code = child.wait()
    finally:
        if child.poll() is None:
            child.wait()
        signals.unregister(child)
    return code if code >= 0 else 128 - code


def _file_descriptors() -> tuple[int, int, int] | None:
    try:
        return (sys.stdin.fileno(), sys.stdout.fileno(), sys.stderr.fileno())
    except (AttributeError, ValueError, OSError):
        return None


def _relay(child: subprocess.Popen[bytes]) -> None:
    given = _read_all(sys.stdin)
    out, err = child.communicate(given)
    _write(sys.stdout, out)
    _write(sys.stderr, err)


def _read_all(stream: IO[Any] | None) -> bytes:
    if stream is None:
        return b""
    data = stream.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data or b"")


def _write(stream: IO[str], data: bytes) -> None:
    stream.write(data.decode("utf-8", "replace"))
    stream.flush()
