"""The package's shape: no import cycles, the emulator extra, pinned dev tools."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from envman.cli import app

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "envman"
# None left; tests/unit/test_layers.py also counts imports under TYPE_CHECKING.
KNOWN_CYCLES: set[frozenset[str]] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node, except those under ``if TYPE_CHECKING:`` (imports for annotations only)."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def import_graph() -> dict[str, set[str]]:
    """Every envman module and the envman modules it imports when it runs (at any depth of
    its code: an import inside a function closes a cycle just as well)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in _runtime_nodes(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = _pop_component(stack, node)
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _pop_component(stack: list[str], root: str) -> frozenset[str]:
    """The modules on the stack down to ROOT: one strongly connected component."""
    component = set()
    while True:
        top = stack.pop()
        component.add(top)
        if top == root:
            return frozenset(component)


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert "envman.notify.message" in graph["envman.notify.slack"]
    unexpected = [sorted(c) for c in cycles(graph) if c not in KNOWN_CYCLES]
    assert unexpected == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]


def test_emulator_without_moto_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # as if moto were not installed
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["emulator", "start", "--port", "4599"])
    assert result.exit_code == 1
    assert "needs moto's server" in result.stderr
    assert "pip install 'envman[emulator]'" in result.stderr
    assert not (tmp_path / ".envman" / "emulator.json").exists()


def test_packaging_metadata() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"  # an SPDX expression, not a table
    extras = project["optional-dependencies"]
    assert any(r.startswith("moto[server]") for r in extras["emulator"])
    assert "envman[emulator]" in extras["dev"]


def test_dev_tools_are_pinned() -> None:
    pinned = {}
    for line in (ROOT / "constraints" / "dev.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[name.lower().replace("_", "-")] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    for requirement in wanted:
        name = requirement.split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip()
        if name != "envman":
            assert pinned.get(name.lower()), f"{name} is not pinned in constraints/dev.txt"
    assert "moto" in pinned and "ruff" in pinned and "mypy" in pinned
    assert "make" not in pinned
    makefile = (ROOT / "Makefile").read_text()
    assert "-c $(CONSTRAINTS)" in makefile and "mypy --strict envman tests bench" in makefile


def test_tests_against_moto_carry_the_aws_marker() -> None:
    """Every test module that starts or uses a moto server is marked ``aws`` (so
    ``-m "not aws"`` runs without one)."""
    unmarked = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        text = path.read_text()
        uses_moto = any(
            word in text for word in ("moto: str", "moto_server", "tls_moto", "start_moto_server")
        )
        if uses_moto and path.name != "test_structure.py" and "pytest.mark.aws" not in text:
            unmarked.append(str(path.relative_to(ROOT)))
    assert unmarked == []


def test_helper_modules_are_not_collected_as_tests() -> None:
    for path in (ROOT / "tests").rglob("test_*.py"):
        text = path.read_text()
        assert "def test_" in text, f"{path} is named like a test file but holds no test"


# Domain code reports through callbacks and return values; commands decide what to print
# (house style). Only these modules write to stdout/stderr themselves, each for a reason:
OUTPUT_MODULES: dict[str, str] = {
    "envman/cli.py": "the typer app: maps errors to exit codes and prints them",
    "envman/commands/": "one module per command: commands decide what to print",
    "envman/errorlog.py": "the one error handler: one line on stderr, the traceback in the log",
    "envman/display.py": "plans, tables and outputs rendered for people",
    "envman/say.py": "say_on_stderr: the Say callback commands hand to domain code",
    "envman/terraform/progress.py": "terraform's live progress and heartbeat lines (its job)",
    "envman/protect/confirm.py": "the confirmation prompt: it asks the person at the terminal",
    "envman/terraform/signals.py": "runs inside the SIGINT handler, where no command can speak",
    "envman/notify/message.py": "a notification never raises: its delivery problems are said "
    "where they happen (a Say through notify() is follow-up work)",
}


def _writes_output(node: ast.AST) -> bool:
    """A call to print(), or to sys.stdout/sys.stderr .write()."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "print"
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "write"
        and ast.unparse(func.value) in ("sys.stdout", "sys.stderr")
    )


def _printing_places(source: str, name: str) -> list[str]:
    tree = ast.parse(source)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    return [f"{name}:{n.lineno}" for n in calls if _writes_output(n)]


def test_domain_code_never_prints() -> None:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if any(name == m or (m.endswith("/") and name.startswith(m)) for m in OUTPUT_MODULES):
            continue
        found += _printing_places(path.read_text(), name)
    assert found == [], "domain code prints; report through a Say callback or a return value"


def test_the_print_finder_finds_prints() -> None:
    source = "import sys\nprint('x')\nsys.stderr.write('y')\nconsole.print('z')\n"
    assert _printing_places(source, "m.py") == ["m.py:2", "m.py:3"]


def test_every_listed_output_module_exists() -> None:
    for name in OUTPUT_MODULES:
        assert (ROOT / name).exists(), name


def test_complexity_and_argument_limits_stay_enabled() -> None:
    """ruff's C901 (complexity <= 10) and PLR0913 (<= 6 arguments) over envman/, no noqa."""
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert {"C901", "PLR0913"} <= set(lint["select"])
    assert not {"C901", "PLR0913"} & set(lint.get("ignore", []))
    assert lint["mccabe"]["max-complexity"] <= 10
    assert lint["pylint"]["max-args"] <= 6
    ignored = {f: set(codes) for f, codes in lint.get("per-file-ignores", {}).items()}
    assert all(f == "envman/cli.py" for f, c in ignored.items() if c & {"C901", "PLR0913"})
    assert ignored.get("envman/cli.py", set()) <= {"PLR0913"}  # typer: one parameter per option
    noqa = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in PACKAGE.rglob("*.py")
        for i, line in enumerate(p.read_text().splitlines(), start=1)
        if "noqa" in line and ("C901" in line or "PLR0913" in line)
    ]
    assert noqa == []
