"""Where an environment's stack is a CDK app: the folder terraform runs in for it."""

from __future__ import annotations

from pathlib import Path

from envman.config.hclfile import locate_line
from envman.config.paths import PROJECT_FILE, STATE_DIR
from envman.config.project import Environment
from envman.errors import ConfigError
from envman.synth.app import is_cdk_app
from envman.synth.process import Redact, identity
from envman.synth.select import StackChoice
from envman.synth.synthesise import SynthOptions, SynthTarget, synthesise


def synth_root(env: Environment) -> Path:
    """.envman/envs/<env>/synth: the environment's synthesised outputs."""
    return env.project_root / STATE_DIR / "envs" / env.name / "synth"


def environment_stack_dir(env: Environment, redact: Redact = identity) -> Path:
    """The folder terraform runs in for env: its stack, or its CDK app's synthesised stack."""
    return stack_dir_for(env, env.stack_dir, synth_root(env), redact)


def stack_dir_for(
    env: Environment, stack_dir: Path, out_root: Path, redact: Redact = identity
) -> Path:
    """Where terraform runs for one stack folder of env: the folder itself, or, for a CDK app,
    its stack synthesised for env into out_root (a component passes its own stack and root)."""
    if not is_cdk_app(stack_dir):
        return stack_dir
    target = synth_target(env, out_root)
    return synthesise(stack_dir, target, SynthOptions(redact=redact)).stack_dir


def synth_target(env: Environment, out_root: Path | None = None) -> SynthTarget:
    backend = env.config.backend
    where = str(env.config_path)
    if backend is None:
        raise ConfigError(
            f"the stack {env.stack_dir} is a CDK app and the environment has no backend block: "
            "the app's own local state file is never used",
            path=where,
            hint=f'add backend "local" {{ path = "state/{env.name}.tfstate" }} or backend "s3" {{ ... }}',
        )
    if backend.type == "local" and not isinstance(backend.config.get("path"), str):
        raise ConfigError(
            'backend "local" of a CDK app needs a path (the synthesised folder is not kept)',
            path=where,
            hint=f'add path = "state/{env.name}.tfstate" to the backend block',
        )
    return SynthTarget(
        environment=env.name,
        out_root=out_root or synth_root(env),
        backend_type=backend.type,
        choice=stack_choice(env),
    )


def stack_choice(env: Environment) -> StackChoice:
    """The cdk_stack setting and the file (and line) that sets it."""
    name = env.config.cdk_stack
    if name is None:
        return StackChoice(None, env.config_path)
    for path in (env.config_path, env.project_root / PROJECT_FILE):
        try:
            line = locate_line(path.read_text(encoding="utf-8"), ("cdk_stack",))
        except OSError:
            continue
        if line is not None:
            return StackChoice(name, path, line)
    return StackChoice(name, env.config_path)
