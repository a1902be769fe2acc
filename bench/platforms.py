"""Throwaway copies of the example platform for the AWS benchmarks, on a moto server.

Two shapes of the same platform, built from the repository's `local` environment (the emulator
settings: emulator_compat, smallest sizes, no cache):

- the single stack of before the split (bench/platform_single_stack), every variable of the
  environment's tfvars files merged into one terraform.tfvars;
- the split platform: envman.hcl's components under terraform/, `{component}` backend keys and
  the per-component tfvars files as they are.

Each environment gets its own AWS region (`Env.region`): moto gives every RDS instance of a
region the same DbiResourceId, so two databases must not share one (scripts/demo.py does the
same).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

LOCAL = Path("environments") / "local"
SINGLE_STACK = Path("bench") / "platform_single_stack"
IGNORE = shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl")


@dataclass(frozen=True)
class Env:
    """One environment of a throwaway platform project."""

    name: str
    region: str = "us-east-1"
    extra_hcl: str = ""  # appended to environment.hcl (e.g. a promotion block)


@dataclass(frozen=True)
class Platform:
    """Where a throwaway platform project goes and what it talks to."""

    repo: Path  # the envman repository (its terraform/, modules/, environments/local)
    url: str  # the moto server
    bucket: str = "envman-local-tfstate"
    project_name: str = ""  # terraform variable `project` (resource name prefix); "" = default


def environment_hcl(platform: Platform, env: Env, key: str, stack: str = "") -> str:
    """The local environment's environment.hcl for ``env``: its key, region, bucket, stack."""
    text = (platform.repo / LOCAL / "environment.hcl").read_text()
    text = text.replace("http://127.0.0.1:4566", platform.url)
    text = text.replace('"envman-local-tfstate"', f'"{platform.bucket}"')
    text = re.sub(r'(\n\s*key\s*=\s*)"[^"]*"', rf'\g<1>"{key}"', text, count=1)
    text = re.sub(
        r'(aws \{\s*region\s*=\s*)"[^"]*"', rf'\g<1>"{env.region}"', text, count=1, flags=re.S
    )
    if stack:
        text = text.replace("\nbackend ", f'\nstack = "{stack}"\n\nbackend ', 1)
    return text + env.extra_hcl


def shared_tfvars(platform: Platform, env: Env) -> str:
    """The local environment's terraform.tfvars, renamed to ``env`` in its region."""
    text = (platform.repo / LOCAL / "terraform.tfvars").read_text()
    text = text.replace('environment = "local"', f'environment = "{env.name}"')
    text = text.replace('aws_region  = "us-east-1"', f'aws_region  = "{env.region}"')
    if platform.project_name:
        text += f'project = "{platform.project_name}"\n'
    return text


def copy_code(platform: Platform, project: Path, parts: tuple[Path, ...]) -> None:
    for part in (*parts, Path("modules")):
        shutil.copytree(platform.repo / part, project / part, ignore=IGNORE)


def single_stack_project(platform: Platform, project: Path, envs: tuple[Env, ...]) -> Path:
    """The platform as one stack (bench/platform_single_stack) with ``envs``."""
    copy_code(platform, project, (SINGLE_STACK,))
    component_tfvars = sorted(
        p for p in (platform.repo / LOCAL).glob("*.tfvars") if p.name != "terraform.tfvars"
    )
    for env in envs:
        folder = project / "environments" / env.name
        folder.mkdir(parents=True)
        key = f"{env.name}/terraform.tfstate"
        stack = f"../../{SINGLE_STACK.as_posix()}"
        (folder / "environment.hcl").write_text(environment_hcl(platform, env, key, stack))
        merged = [shared_tfvars(platform, env), *(p.read_text() for p in component_tfvars)]
        (folder / "terraform.tfvars").write_text("\n".join(merged))
    return project


def split_project(platform: Platform, project: Path, envs: tuple[Env, ...]) -> Path:
    """The platform as envman.hcl's components (terraform/<component>) with ``envs``."""
    copy_code(platform, project, (Path("terraform"),))
    shutil.copy(platform.repo / "envman.hcl", project / "envman.hcl")
    for env in envs:
        folder = project / "environments" / env.name
        folder.mkdir(parents=True)
        key = f"{env.name}/{{component}}/terraform.tfstate"
        (folder / "environment.hcl").write_text(environment_hcl(platform, env, key))
        (folder / "terraform.tfvars").write_text(shared_tfvars(platform, env))
        for tfvars in (platform.repo / LOCAL).glob("*.tfvars"):
            if tfvars.name != "terraform.tfvars":
                shutil.copy(tfvars, folder / tfvars.name)
    return project
