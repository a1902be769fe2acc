"""Third adversarial round, against what the last round added: `envman init`'s files, the
emulator's pid file and port, and `tf` help flags (real terraform where terraform runs).

Each test failed on the main it was written against: an internal error (a traceback) for a
symlink or a file where init writes, init writing through a symlink outside the project, a
config init wrote that `validate` refuses, `emulator stop` killing a process whose command line
merely says "moto", `--port 65536` an internal error, and `tf -- apply -- -h` applying a saved
destroy plan named `-h` as if it were a help request (no destroy flow, no audit).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from envman.errors import EnvmanError
from tests.helpers import Cli, copy_fixture, need_terraform

STACK = 'terraform {\n  backend "local" {}\n}\nresource "terraform_data" "a" {}\n'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A plain terraform repository: one stack folder, no envman yet."""
    root = tmp_path / "repo"
    (root / "stack").mkdir(parents=True)
    (root / "stack" / "main.tf").write_text(STACK)
    return root


def refused_cleanly(done: object, *names: str) -> None:
    output = getattr(done, "output", "")
    assert getattr(done, "exit_code", None) == 1, output
    assert "internal error" not in output and "Traceback" not in output, output
    for name in names:
        assert name in output, output


def test_init_refuses_a_dangling_symlink_where_it_writes(repo: Path, tmp_path: Path) -> None:
    (repo / "environments" / "dev").mkdir(parents=True)
    (repo / "environments" / "dev" / "environment.hcl").symlink_to(tmp_path / "missing")
    done = Cli(repo)("init", "dev")
    refused_cleanly(done, "environments/dev/environment.hcl is a symlink")
    assert not (tmp_path / "missing").exists()
    assert not (repo / ".gitignore").exists()  # refused before anything was written


def test_init_refuses_a_file_where_the_environment_folder_belongs(repo: Path) -> None:
    (repo / "environments").mkdir()
    (repo / "environments" / "dev").write_text("not a folder")
    refused_cleanly(Cli(repo)("init", "dev"), "environments/dev is not a folder")


def test_init_never_writes_through_a_symlinked_folder_or_gitignore(
    repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "environments").mkdir()
    (repo / "environments" / "dev").symlink_to(outside)
    refused_cleanly(Cli(repo)("init", "dev"), "environments/dev is a symlink")
    assert list(outside.iterdir()) == []
    (repo / "environments" / "dev").unlink()
    ignore = tmp_path / "someone-elses-ignore"
    ignore.write_text("mine\n")
    (repo / ".gitignore").symlink_to(ignore)
    refused_cleanly(Cli(repo)("init", "dev"), ".gitignore is a symlink")
    assert ignore.read_text() == "mine\n"


def test_init_says_appended_and_takes_each_name_once(repo: Path) -> None:
    (repo / ".gitignore").write_text("node_modules/")
    done = Cli(repo)("init", "dev", "prod", "dev", "--ci", "github")
    assert done.exit_code == 0, done.output
    assert "appended .gitignore" in done.stdout and "appendd" not in done.stdout
    assert done.stdout.count("created environments/dev/environment.hcl") == 1
    workflow = (repo / ".github" / "workflows" / "envman.yml").read_text()
    assert 'env: ["dev", "prod"]' in workflow
    assert (repo / ".gitignore").read_text().startswith("node_modules/\n# envman")


def test_init_refuses_a_stack_or_a_state_outside_the_project(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "main.tf").write_text(STACK)
    refused_cleanly(Cli(repo)("init", "dev", "--stack", str(other)), "outside the project")
    assert not (repo / "environments").exists()
    state = tmp_path / "kept.tfstate"
    state.write_text("{}")
    (repo / "stack" / "main.tf").write_text(
        STACK.replace('"local" {}', f'"local" {{\n    path = "{state}"\n  }}')
    )
    refused_cleanly(Cli(repo)("init", "dev"), "is outside the project")
    assert not (repo / "environments").exists()


S3_STACK = """terraform {
  backend "s3" {
    bucket = "team-state"
    key    = "app/\\"q\\"\\n.tfstate"
    region = REGION
  }
}
"""


def test_init_writes_configuration_that_parses_from_odd_s3_values(repo: Path) -> None:
    main = repo / "stack" / "main.tf"
    main.write_text(S3_STACK.replace("REGION", '["us-east-1"]'))
    refused_cleanly(Cli(repo)("init", "dev"), "setting region is not a literal string")
    main.write_text(S3_STACK.replace("REGION", '"us-east-1"'))
    cli = Cli(repo)
    assert cli("init", "dev", "prod").exit_code == 0
    checked = cli("validate")
    assert checked.exit_code == 0, checked.output  # the key's line break stayed in its string


def test_init_in_a_project_of_components_refuses_rather_than_writes_an_invalid_one(
    tmp_path: Path,
) -> None:
    project = copy_fixture("components", tmp_path)
    done = Cli(project)("init", "qa2", "--stack", "stacks/data")
    refused_cleanly(done, "envman.hcl declares components")
    assert not (project / "environments" / "qa2").exists()


def test_a_file_that_appeared_meanwhile_is_one_clear_error(tmp_path: Path) -> None:
    from envman.adopt.changes import Action, FileChange, write_change

    target = tmp_path / "environment.hcl"
    target.write_text("theirs")
    with pytest.raises(EnvmanError, match="appeared while envman init ran"):
        write_change(FileChange(target, Action.CREATE, "ours", "environment dev"))
    assert target.read_text() == "theirs"


# ---- the emulator ----------------------------------------------------------------------------


@pytest.fixture
def bystander() -> Iterator[subprocess.Popen[bytes]]:
    """A process that is not moto's server although its command line says "moto"."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)", "moto", "motorbike-game"]
    )
    try:
        yield child
    finally:
        child.kill()
        child.wait()


def test_emulator_stop_never_signals_a_process_that_is_not_the_emulator(
    tmp_path: Path, bystander: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".envman").mkdir()
    pid_file = tmp_path / ".envman" / "emulator.json"
    pid_file.write_text(json.dumps({"pid": bystander.pid, "port": 4566}))
    cli = Cli(tmp_path)
    stopped = cli("emulator", "stop")
    assert stopped.exit_code == 0, stopped.output
    assert "No emulator was running" in stopped.stdout
    assert bystander.poll() is None  # still running: never signalled
    assert not pid_file.exists()  # the stale pid file is gone


@pytest.mark.parametrize("port", ["0", "65536", "-1", "many"])
def test_emulator_port_out_of_range_is_a_usage_error(tmp_path: Path, port: str) -> None:
    done = Cli(tmp_path)("emulator", "status", f"--port={port}")
    refused_cleanly(done, "Invalid value for '--port'")


# ---- tf: a help flag after `--` is not a help request ------------------------------------------


def test_tf_apply_of_a_plan_file_named_like_a_help_flag_is_judged(tmp_path: Path) -> None:
    need_terraform()
    project = copy_fixture("operate", tmp_path)
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0
    state = project / "state" / "dev.tfstate"
    before = json.loads(state.read_text())["resources"]
    saved = cli("tf", "dev", "--", "plan", "-destroy", "-out=-h")
    assert saved.exit_code == 0, saved.output
    done = cli("tf", "dev", "--", "apply", "--", "-h")
    assert done.exit_code != 0, done.output
    assert "only destroys" in done.output
    assert json.loads(state.read_text())["resources"] == before  # nothing destroyed


@pytest.mark.aws  # starts moto's server
def test_emulator_pid_file_is_never_written_through_a_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".envman").mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / ".envman" / "emulator.json").symlink_to(victim)
    (tmp_path / ".envman" / "emulator.log").symlink_to(victim)
    cli = Cli(tmp_path)
    refused = cli("emulator", "start", "--port", str(_free_port()))
    refused_cleanly(refused, "emulator.log")
    (tmp_path / ".envman" / "emulator.log").unlink()
    try:
        started = cli("emulator", "start", "--port", str(_free_port()))
        assert started.exit_code == 0, started.output
        pid_file = tmp_path / ".envman" / "emulator.json"
        assert not pid_file.is_symlink() and json.loads(pid_file.read_text())["pid"] > 0
        assert pid_file.stat().st_mode & 0o077 == 0
    finally:
        assert cli("emulator", "stop").exit_code == 0
    assert victim.read_text() == "precious\n"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---- unlock: a lock id is a value ---------------------------------------------------------------


def test_unlock_never_passes_an_option_as_the_lock_id(tmp_path: Path) -> None:
    need_terraform()
    project = copy_fixture("components", tmp_path)
    done = Cli(project)("unlock", "dev", "--confirm", "dev", "-c", "data", "--", "-help")
    refused_cleanly(done, "'-help' is not a lock id")
    assert "Released" not in done.output


def test_unlock_component_option_on_a_single_stack_project_is_one_clear_line(
    tmp_path: Path,
) -> None:
    project = copy_fixture("basic", tmp_path)
    done = Cli(project)("unlock", "dev", "abc", "-c", "data", "--confirm", "dev")
    refused_cleanly(done, "components are not configured in this project")


# ---- status: a tf command that moved the state makes the drift result stale ---------------------


def test_status_drift_is_stale_after_a_tf_apply_moved_the_state(tmp_path: Path) -> None:
    need_terraform()
    project = copy_fixture("operate", tmp_path)
    cli = Cli(project)
    assert cli("apply", "dev", "--yes").exit_code == 0
    assert cli("drift", "dev").exit_code == 0

    def stale() -> bool:
        done = cli("status", "dev", "--json")
        assert done.exit_code == 0, done.output
        return bool(json.loads(done.stdout)["environments"][0]["drift"]["stale"])

    assert cli("tf", "dev", "--", "state", "list").exit_code == 0  # reads: the result holds
    assert stale() is False
    moved = cli("tf", "dev", "--", "apply", "-auto-approve", "-var", "image_tag=v9")
    assert moved.exit_code == 0, moved.output
    assert stale() is True


@pytest.mark.parametrize(
    "args",
    [
        ["destroy", "-var", "image_tag=x"],
        ["destroy", "-var-file=other.tfvars"],
        ["destroy", "-refresh=false"],
        ["apply", "-auto-approve", "-destroy", "saved.tfplan"],
    ],
)
def test_tf_destroy_refuses_arguments_the_destroy_flow_would_drop(args: list[str]) -> None:
    """`tf -- destroy` runs as `envman destroy` (its inputs, every resource): an argument it
    would silently ignore is refused instead."""
    from envman.errors import UsageError
    from envman.operate.tfargs import classify

    with pytest.raises(UsageError, match="would be ignored"):
        classify(args)


def test_tf_destroy_keeps_the_flags_that_change_nothing() -> None:
    from envman.operate.tfargs import classify, is_destroy

    command = classify(["destroy", "-auto-approve", "-input=false", "-lock-timeout=5s"])
    assert is_destroy(command.args)


# ---- completion offers only names envman accepts ------------------------------------------------


def test_completion_never_offers_a_name_that_is_not_an_identifier(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shell puts a completion on the command line unquoted: `$(cmd)` would run on Enter."""
    from typer.testing import CliRunner

    from envman.cli import app

    for name in ("dev", "$(touch pwned)", "Dev"):
        (repo / "environments" / name).mkdir(parents=True)
        (repo / "environments" / name / "environment.hcl").write_text('stack = "../../stack"\n')
    (repo / "envman.hcl").write_text('component "net" {}\ncomponent "$(id)" {}\n')
    monkeypatch.chdir(repo)
    offered = {}
    for words in ("envman plan ", "envman plan dev -c "):
        env = {
            "_ENVMAN_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split(" ")) - 1),
        }
        result = CliRunner().invoke(app, [], env=env, prog_name="envman")
        offered[words] = set(result.stdout.split())
    assert offered == {"envman plan ": {"dev"}, "envman plan dev -c ": {"net"}}


def test_a_port_holder_is_named_without_its_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else's command line may carry a secret: the holder is its program only."""
    monkeypatch.chdir(tmp_path)
    port = _free_port()
    listen = (
        "import socket, sys, time\n"
        f"s = socket.socket(); s.bind(('127.0.0.1', {port})); s.listen()\n"
        "print('ready', flush=True); time.sleep(60)\n"
    )
    script = tmp_path / "holder.py"
    script.write_text(listen)
    child = subprocess.Popen(
        [sys.executable, str(script), "--password=hunter2-not-for-logs"], stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
        status = Cli(tmp_path)("emulator", "status", "--port", str(port))
    finally:
        child.kill()
        child.wait()
    assert f"in use by pid {child.pid} (python" in status.stdout, status.output
    assert "hunter2" not in status.output


def test_a_pid_file_with_an_impossible_pid_is_stale_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".envman").mkdir()
    pid_file = tmp_path / ".envman" / "emulator.json"
    pid_file.write_text(json.dumps({"pid": 10**20, "port": 4566}))
    cli = Cli(tmp_path)
    status = cli("emulator", "status", "--port", str(_free_port()))
    assert status.exit_code == 1 and status.stdout.strip() == "not running", status.output
    stopped = cli("emulator", "stop")
    assert stopped.exit_code == 0 and "No emulator was running" in stopped.stdout, stopped.output
    assert not pid_file.exists()
