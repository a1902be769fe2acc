"""A clean-room install: the wheel is built from a plain git clone of this checkout (what
`pipx install git+URL` does), installed into a fresh virtualenv outside the checkout, and used
there: `--version`, `--help`, `init` and `validate` on a tiny project, and the getting-started
guide's two environments and promotion (docs/getting-started.md) as a newcomer runs them.

The clone holds the committed state (HEAD), as any install from git does. Dependencies come
from pip's cache or its configured index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_readme_quickstart import GUIDE, Session
from tests.helpers import need_terraform
from tests.readme import steps

ROOT = Path(__file__).resolve().parents[2]
VERSION = re.compile(r"^envman (\d+\.\d+\.\d+\S*)$")


def run(*args: str | Path, cwd: Path | None = None, timeout: int = 600) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVMAN_", "PYTHON"))}
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh virtualenv with envman installed from its wheel."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the version comes from git")
    work = tmp_path_factory.mktemp("install")
    clone = work / "clone"
    run("git", "clone", "--quiet", ROOT, clone)
    dist = work / "dist"
    run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, clone)
    wheels = sorted(dist.glob("envman-*.whl"))
    assert len(wheels) == 1, wheels
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheels[0], cwd=work)
    return venv / "bin"


def test_version_comes_from_git(installed: Path) -> None:
    shown = run(installed / "envman", "--version").strip()
    found = VERSION.match(shown)
    assert found is not None, shown
    described = run("git", "-C", ROOT, "describe", "--tags", "--always").strip()
    assert found.group(1) != "0.0.0+unknown"  # git was read, not the fallback
    assert described.split("-")[0].lstrip("v") in found.group(1) or "dev" in found.group(1)


def test_runs_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = run(installed / "python", "-c", "import envman; print(envman.__file__)", cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(installed.parent)  # the venv's copy, not ours
    assert "Usage: envman" in run(installed / "envman", "--help", cwd=tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    said = run(installed / "envman", "init", "dev", "staging", cwd=project)
    assert "created environments/dev/environment.hcl" in said
    checked = run(installed / "envman", "validate", cwd=project)
    assert "dev" in checked and "staging" in checked
    assert (project / "terraform" / "main.tf").is_file()


def test_the_wheel_carries_the_license(installed: Path) -> None:
    found = run(
        installed / "python",
        "-c",
        "from importlib.metadata import distribution as d; "
        "print(d('envman').metadata['License-Expression']); "
        "print(any(f.name == 'LICENSE' for f in d('envman').files))",
    ).split()
    assert found == ["Apache-2.0", "True"]


def test_the_readme_quickstart_runs_with_the_installed_wheel(
    installed: Path, tmp_path: Path
) -> None:
    """The README's quickstart, as written, in a fresh folder with only the installed envman
    (and terraform) on PATH: a newcomer's first five minutes, against the wheel."""
    from tests.readme import README, sh_blocks

    need_terraform()
    block = sh_blocks(README.read_text())[0]
    script = tmp_path / "quickstart.sh"
    script.write_text("set -euo pipefail\n" + "\n".join(block) + "\n")
    terraform = shutil.which(os.environ.get("ENVMAN_TERRAFORM", "terraform"))
    assert terraform is not None
    env = {
        "PATH": f"{installed}:{Path(terraform).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TF_CLI_CONFIG_FILE": str(tmp_path / "no.tfrc"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        ["bash", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "hi" in done.stdout  # `envman outputs dev greeting --raw`
    assert (tmp_path / "hello" / "state" / "dev.tfstate.releases").is_dir()


def test_the_getting_started_guide_runs_on_the_installed_wheel(
    installed: Path, tmp_path: Path
) -> None:
    need_terraform()
    session = Session(tmp_path, installed=installed / "envman")
    for step in steps(GUIDE[0]) + steps(GUIDE[1]):
        session.run(step)
    assert session.seen["envman outputs prod greeting --raw"].stdout == "bonjour\n"
    assert "from dev#" in session.seen["envman history prod"].stdout
