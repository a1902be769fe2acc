"""Names that reach a path or a state key are identifiers, and configured paths stay inside the
project: each refusal is a config error naming the file and the line (or the folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envman.config.contained import inside
from envman.config.names import identifier_problem, is_identifier
from tests.helpers import Cli, copy_fixture

BAD_NAMES = ["../staging/edge", "a b", "x/y", ".", "..", "Edge", "9lives", "-x", "", "a" * 64]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_fixture("components", tmp_path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


@pytest.mark.parametrize("name", ["a", "edge", "data-2", "app_v2", "a" * 63])
def test_identifiers_pass(name: str) -> None:
    assert is_identifier(name) and identifier_problem("component", name) is None


@pytest.mark.parametrize("name", [*BAD_NAMES, "a\nb", "é"])
def test_anything_else_is_refused(name: str) -> None:
    assert not is_identifier(name)
    problem = identifier_problem("component", name)
    assert problem is not None and "is not an identifier" in problem
    assert "\n" not in problem and len(problem) < 200  # one line, even for 250 characters


@pytest.mark.parametrize("name", ["../staging/edge", "a b", "x/y", ".", "a" * 250])
def test_a_component_name_that_is_no_identifier_is_a_config_error(project: Path, name: str) -> None:
    hcl = project / "envman.hcl"
    edit(hcl, 'component "edge"', f'component "{name}"')
    edit(hcl, 'depends_on = ["edge"]', f'depends_on = ["{name}"]')
    line = line_of(hcl, f'component "{name}"')
    for command in (("validate",), ("plan", "dev"), ("apply", "dev", "--yes")):
        result = Cli(project)(*command)
        assert result.exit_code == 1, result.output
        assert f"envman.hcl:{line}: component name '" in result.output
        assert "is not an identifier" in result.output
        assert "Traceback" not in result.output and "internal error" not in result.output
    assert not (project / "state").exists() and not (project / ".envman" / "envs").exists()


def test_an_environment_taking_a_bad_component_name_names_its_line(project: Path) -> None:
    hcl = project / "environments" / "qa" / "environment.hcl"
    edit(hcl, 'components  = ["network", "data"]', 'components  = ["network", "x/y"]')
    result = Cli(project)("validate", "qa")
    assert result.exit_code == 1
    line = line_of(hcl, "components")
    assert f"qa/environment.hcl:{line}: components: component name 'x/y' is not an" in (
        result.output
    )


@pytest.mark.parametrize("folder", ["Dev", "dev.old", "dev copy"])
def test_an_environment_folder_that_is_no_identifier_is_a_config_error(
    project: Path, folder: str
) -> None:
    (project / "environments" / "dev").rename(project / "environments" / folder)
    result = Cli(project)("plan", folder)
    assert result.exit_code == 1
    assert f"environments/{folder}: environment name '{folder}' is not an identifier" in (
        result.output
    )
    assert "rename the folder" in result.output


def test_a_state_path_outside_the_project_is_refused(project: Path) -> None:
    hcl = project / "environments" / "dev" / "environment.hcl"
    edit(hcl, '"state/dev/{component}/terraform.tfstate"', '"../elsewhere/{component}.tfstate"')
    result = Cli(project)("plan", "dev")
    assert result.exit_code == 1
    line = line_of(hcl, "elsewhere")
    assert f"dev/environment.hcl:{line}: state path '../elsewhere/{{component}}.tfstate' is " in (
        result.output
    )
    assert "outside the project" in result.output
    assert not (project.parent / "elsewhere").exists()


def test_a_component_stack_outside_the_project_is_refused(project: Path) -> None:
    hcl = project / "envman.hcl"
    edit(hcl, 'stack = "stacks/edge"', 'stack = "../../stacks/edge"')
    result = Cli(project)("validate")
    assert result.exit_code == 1
    line = line_of(hcl, "../../stacks/edge")
    assert f"envman.hcl:{line}: component stack '../../stacks/edge' is outside the project" in (
        result.output
    )


def test_a_stack_folder_outside_the_project_is_refused(tmp_path: Path) -> None:
    project = copy_fixture("basic", tmp_path)
    hcl = project / "environments" / "dev" / "environment.hcl"
    text = hcl.read_text()
    stack_line = next(line for line in text.splitlines() if line.startswith("stack"))
    hcl.write_text(text.replace(stack_line, 'stack = "../../../stack"'))
    result = Cli(project)("plan", "dev")
    assert result.exit_code == 1
    assert f"dev/environment.hcl:{line_of(hcl, 'stack')}: stack folder '../../../stack' is " in (
        result.output
    )


def test_a_stack_up_from_the_environment_but_inside_the_project_is_fine(tmp_path: Path) -> None:
    project = copy_fixture("basic", tmp_path)
    result = Cli(project)("validate", "dev")
    assert result.exit_code == 0, result.output
    assert '"../../' in (project / "environments" / "dev" / "environment.hcl").read_text()


def test_inside_is_lexical() -> None:
    root = Path("/p/root")
    assert inside(root, root / "state/dev.tfstate")
    assert inside(root, root / "environments/dev/../../terraform")
    assert not inside(root, root / "../staging/edge")
    assert not inside(root, Path("/p/rootless/x"))
    assert not inside(root, Path("/etc/passwd"))
