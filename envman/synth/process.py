"""Running a CDK app's ``app`` command, and turning its failures into one-line errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from envman.errors import EnvmanError, Interrupted
from envman.synth.app import CdkApp

Redact = Callable[[str], str]
STDERR_LINES = 3  # the app's last stderr lines quoted in a failure
_MISSING_LIBRARY = re.compile(r"No module named '(cdktn|cdktf|constructs|jsii)'")
_BANNER = re.compile(r"^(b')?!!")  # jsii's boxed warnings (e.g. "Node 20 is end-of-life")
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")  # a traceback's end
# variables that would make the app synthesise something else than envman reads
_CLEARED = (
    "SYNTH_HCL_OUTPUT",
    "CDKTF_TARGET_STACK_ID",
    "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS",
)


class SynthError(EnvmanError):
    """A CDK app could not be synthesised."""


def identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class AppRun:
    app: CdkApp
    out_dir: Path
    environment: str
    timeout: float = 600.0


def app_environment(run: AppRun) -> dict[str, str]:
    """The app's environment: envman's, its Python first on PATH, the CDK variables set."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    python_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([python_bin, env.get("PATH", "")])
    env["CDKTF_OUTDIR"] = str(run.out_dir)
    env["ENVMAN_ENVIRONMENT"] = run.environment
    env["CDKTF_CONTEXT_JSON"] = json.dumps(run.app.context)
    return env


def run_app(run: AppRun, redact: Redact = identity) -> None:
    """Run the app's command in its folder; raise SynthError (one line) when it fails."""
    if shutil.which("node") is None:
        raise SynthError(
            f"cannot synthesise {run.app.directory}: Node.js ('node') is not on PATH",
            hint="CDK Terrain needs Node.js 20 or later: install it and put 'node' on PATH",
        )
    try:
        done = subprocess.run(
            ["/bin/sh", "-c", run.app.command],
            cwd=run.app.directory,
            env=app_environment(run),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=run.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SynthError(
            f"the CDK app {run.app.directory} did not finish within {run.timeout:.0f} s",
            hint=f"run its command by hand to see why: {run.app.command}",
        ) from None
    except KeyboardInterrupt:
        raise Interrupted(f"synthesis of {run.app.directory} interrupted") from None
    if done.returncode != 0:
        raise failure(run, done.returncode, done.stderr, redact)


def failure(run: AppRun, code: int, stderr: str, redact: Redact = identity) -> SynthError:
    """The one-line error for a failed app run, from its exit code and stderr."""
    missing = _MISSING_LIBRARY.search(stderr)
    if missing:
        module = missing.group(1)
        hint = f"pip install 'envman[cdk]' into {sys.prefix} (or the app's own environment)"
        if module == "cdktf":  # HashiCorp's archived library
            hint = (
                f"pip install 'cdktf>=0.21' into {sys.prefix}, "
                "or pip install 'envman[cdk]' and import cdktn instead"
            )
        return SynthError(
            f"the CDK app {run.app.directory} cannot import '{module}': "
            "the CDK library is not installed for the Python that runs it",
            hint=hint,
        )
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    lines = [line for line in lines if not _BANNER.match(line)]
    raised = [line for line in lines if _EXCEPTION.match(line)]
    tail = raised[-1] if raised else " | ".join(lines[-STDERR_LINES:]) or "no output on stderr"
    return SynthError(
        f"the CDK app {run.app.directory} failed (exit {code}): {redact(tail)}",
        hint=f"fix the app; its command is: {run.app.command}",
    )
