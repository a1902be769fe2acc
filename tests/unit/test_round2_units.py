"""Pure parts of the second adversarial round: flags as terraform reads them, finite --set
numbers, the caller's terraform variables, envman's own folders and private files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from envman.errors import UsageError
from envman.inputs import convert_value
from envman.operate.effect import apply_steps
from envman.operate.tfargs import classify, flag_value
from envman.secrets.files import NotOwnFolder, own_folder, write_private
from envman.terraform.runner import ignored_variables


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-destroy=false", "-destroy"], True),
        (["-destroy", "-destroy=false"], False),
        (["-target", "x", "--destroy"], True),
        (["-destroy=T"], True),
        (["-destroy=0"], False),
        (["plan.tfplan", "-destroy"], False),  # after a positional: not a flag
        (["--", "-destroy"], False),
    ],
)
def test_the_last_of_repeated_flags_wins(args: list[str], expected: bool) -> None:
    assert flag_value(args, "destroy") is expected


def test_apply_steps_plan_first_or_take_the_saved_plan(tmp_path: Path) -> None:
    out = tmp_path / "p.tfplan"
    plain = apply_steps(classify(["apply", "-auto-approve", "-no-color", "-var", "a=1"]), out)
    assert plain.plan_args == ("plan", f"-out={out}", "-no-color", "-var", "a=1")
    assert plain.apply_args == ("apply", "-no-color", str(out)) and plain.auto_approve
    saved = apply_steps(classify(["apply", "-lock-timeout=5s", "f.tfplan"]), out)
    assert saved.plan_args is None and saved.plan_file == "f.tfplan"
    assert saved.apply_args == ("apply", "-lock-timeout=5s", "--", "f.tfplan")


@pytest.mark.parametrize("raw", ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", '{"a": 1e400}'])
def test_non_finite_numbers_are_refused_without_their_text(raw: str) -> None:
    with pytest.raises(UsageError) as caught:
        convert_value(raw, "number", "replicas")
    assert str(caught.value).startswith("--set replicas: not a finite number")
    assert raw not in str(caught.value)


def test_finite_values_pass() -> None:
    assert convert_value("1.5e3", "number") == 1500.0
    assert convert_value("NaN", "string") == "NaN"


def test_ignored_variables_are_named() -> None:
    environ = {
        "TF_CLI_ARGS": "-x",
        "TF_CLI_ARGS_plan": "-destroy",
        "TF_LOG_PROVIDER": "trace",
        "TF_WORKSPACE": "w",
        "TF_DATA_DIR": "d",
        "TF_VAR_image_tag": "v1",
        "TF_TOKEN_app_terraform_io": "t",
    }
    assert ignored_variables(environ) == [
        "TF_CLI_ARGS",
        "TF_CLI_ARGS_plan",
        "TF_DATA_DIR",
        "TF_LOG_PROVIDER",
        "TF_WORKSPACE",
    ]


def test_own_folders_are_private_and_never_symlinks(tmp_path: Path) -> None:
    top = tmp_path / ".envman"
    runs = own_folder(top / "envs" / "dev" / "runs", top)
    for folder in (top, top / "envs", top / "envs" / "dev", runs):
        assert stat.S_IMODE(folder.lstat().st_mode) == 0o700
    (top / "envs" / "dev").chmod(0o755)
    own_folder(runs, top)
    assert stat.S_IMODE((top / "envs" / "dev").stat().st_mode) == 0o700
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    (top / "envs" / "qa").symlink_to(elsewhere)
    with pytest.raises(NotOwnFolder, match="qa is a symlink"):
        own_folder(top / "envs" / "qa" / "runs", top)
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o755


def test_private_files_replace_a_symlink_never_its_target(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("keep")
    link = tmp_path / "report.md"
    link.symlink_to(target)
    write_private(link, "text")
    assert target.read_text() == "keep"
    assert not link.is_symlink() and link.read_text() == "text"
    assert stat.S_IMODE(os.stat(link).st_mode) == 0o600
