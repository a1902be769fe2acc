"""Second adversarial round: what envman reads (real terraform, local backend).

Values reaching a subprocess are never options; a broken environment folder blocks no other
environment; var files have a size bound and --set numbers must be finite; a synthesised CDK
stack edited in .envman/ is never applied.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_cdk import need_cdk, synth_runs
from tests.helpers import Cli, copy_fixture, need_terraform


def test_changed_never_reaches_git_as_an_option(tmp_path: Path) -> None:
    need_terraform()
    root = copy_fixture("components", tmp_path)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "0")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    for ref in (f"--output={victim}", "-p", "--no-index"):
        done = Cli(root)("plan", "dev", f"--changed={ref}")
        assert done.exit_code == 1, done.output
        assert "--changed" in done.stderr and "No component to plan" not in done.output
    assert victim.read_text() == "keep me\n"


@pytest.fixture
def basic(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("basic", tmp_path)


@pytest.fixture
def broken(basic: Path) -> Path:
    """Two broken environment folders beside dev, staging and production."""
    root = basic
    broken = root / "environments" / "scratch"
    broken.mkdir()
    (broken / "environment.hcl").write_text('description = "x"\nbackend "local" {\n  path = "s"\n')
    junk = root / "environments" / "junk"
    junk.mkdir()
    (junk / "environment.hcl").write_text('description = "y"\n\ncolour = "blue"\n')
    return root


def test_a_broken_environment_blocks_no_other(broken: Path) -> None:
    cli = Cli(broken)
    assert cli("apply", "staging", "--yes").exit_code == 0
    assert cli("plan", "production").exit_code == 0
    first = cli("apply", "production", "--confirm", "production", "--set", "image_tag=v2")
    assert first.exit_code == 0, first.output
    assert cli("promote", "production", "--confirm", "production").exit_code == 0
    back = cli("rollback", "production", "--confirm", "production")
    assert back.exit_code == 0, back.output
    assert cli("status").exit_code == 0
    for command in ("list", "validate"):
        done = cli(command)
        assert done.exit_code == 1, done.output
        text = " ".join(done.output.split())
        assert "environments/scratch/environment.hcl:2" in text.replace(" ", "")
        assert "environments/junk/environment.hcl:3" in text.replace(" ", "")


def test_a_var_file_above_the_bound_is_refused_before_parsing(basic: Path) -> None:
    big = basic / "environments" / "dev" / "big.auto.tfvars"
    with big.open("w") as handle:
        line = 'padding = "' + "x" * 1000 + '"\n'
        handle.write("# padding\n" + line.replace("padding", "image_tag") + ("#" + line) * 11_000)
    done = Cli(basic)("plan", "dev")
    assert done.exit_code == 1
    assert f"{big}: var file is 10." in done.stderr and "up to 10 MB" in done.stderr


@pytest.mark.parametrize("value", ["1e999", "-1e999", "NaN", "Infinity", "[1, 1e400]"])
def test_non_finite_numbers_are_refused_in_set(basic: Path, value: str) -> None:
    done = Cli(basic)("plan", "dev", "--set", f"replicas={value}")
    assert done.exit_code == 1
    assert "--set replicas: not a finite number" in done.stderr
    assert value not in done.output
    inputs = list((basic / ".envman").rglob("set.tfvars.json"))
    assert all("Infinity" not in p.read_text() and "NaN" not in p.read_text() for p in inputs)


def test_an_edited_synthesis_is_never_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_terraform()
    need_cdk()
    monkeypatch.setenv("SYNTH_COUNTER", str(tmp_path / "synth-runs"))
    root = copy_fixture("cdk_tiny", tmp_path)
    cli = Cli(root)
    assert cli("apply", "dev", "--yes").exit_code == 0
    assert synth_runs(root) == ["dev"]
    synthesised = next(root.glob(".envman/envs/dev/synth/*/stacks/tiny/cdk.tf.json"))
    doc = json.loads(synthesised.read_text())
    text = (
        json.dumps(doc)
        .replace("@dev/", "@evil/")
        .replace('"sensitive": true', '"sensitive": false')
    )
    synthesised.write_text(text)
    plan = cli("plan", "dev", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output  # the app's own stack: nothing to change
    assert synth_runs(root) == ["dev", "dev"]  # synthesised again
    again = next(root.glob(".envman/envs/dev/synth/*/stacks/tiny/cdk.tf.json")).read_text()
    assert "@evil/" not in again
    assert cli("plan", "dev").exit_code == 0 and synth_runs(root) == ["dev", "dev"]  # cached
