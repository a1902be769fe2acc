"""Layers that hold: every envman module imports only from its own layer or the layers below.

Every import counts: at module level, inside functions, and under ``if TYPE_CHECKING:`` (an
annotation-only import still couples the code). The layers, top to bottom, and what each
holds, are documented in docs/contributing/layers.md; LAYERS below is that map. A module
belongs to the layer of the longest prefix that names it, so a module can sit in another layer
than its package (the flow modules still kept under releases/, for instance).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.unit.test_structure import cycles

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "envman"

# Top to bottom. A module may import its own layer and any layer below it, never above.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cli", ("envman.cli", "envman.cliutil", "envman.completion", "envman.__main__")),
    ("commands", ("envman.commands",)),
    (
        "flow",
        (
            "envman.flow",
            "envman.graph",
            "envman.planning",
            "envman.workspace",
            "envman.inputs",
            "envman.input_values",
            "envman.input_report",
            "envman.display",
            # the one flow of a run, still under releases/ (the ledger is below)
            "envman.releases.promote",
            "envman.releases.rollback",
            "envman.releases.gate",
            "envman.releases.promotion_checks",
            "envman.releases.record",
            "envman.releases.versions",
            # flow steps kept beside the package they serve: each runs terraform through a
            # Workspace (or reviews a PlannedRun), which is the flow's
            "envman.drift.detect",
            "envman.drift.absorbed",
            "envman.operate.effect",
            "envman.terraform.planfile",
            "envman.guard.review",
            "envman.guard.report",
            "envman.operate.destroy",
            "envman.runs.session",
            "envman.terraform.state_direct",
            # diff, changelog, metrics, dashboard: read ledgers and the component graph
            "envman.insight",
        ),
    ),
    (
        "services",
        (
            "envman.releases",
            "envman.runs",
            "envman.guard",
            "envman.drift",
            "envman.verify",
            "envman.notify",
            "envman.hooks",
            "envman.protect",
            "envman.operate",
            "envman.emulator",
            "envman.adopt",  # envman init: reads a terraform repository, writes the first files
        ),
    ),
    ("terraform", ("envman.terraform", "envman.synth")),
    ("config", ("envman.config", "envman.aws", "envman.secrets", "envman.errorlog")),
    (
        "leaves",
        (
            "envman.errors",
            "envman.say",
            "envman.timeutil",
            "envman.lease",  # facts about processes and time
            "envman.secrets.redactor",  # the one redactor: every layer feeds and uses it
            "envman.secrets.streams",
            "envman.secrets.files",  # envman's own files and folders: modes, no symlinks
            "envman.emulator.ports",  # is an endpoint the local emulator (stdlib only)
            "envman",  # __version__
        ),
    ),
)

# Imports that climb today, in files being merged into the one flow; each pair is
# (importing module, imported module). This list only shrinks: a pair that no longer occurs
# fails the test until it is removed here.
KNOWN_CLIMBS: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """The index in LAYERS of the longest prefix naming ``module``."""
    best, index = -1, -1
    for position, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, index = len(prefix), position
    if index < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return index


def _imported(module: str, is_package: bool, tree: ast.AST) -> Iterator[str]:
    """Every envman name imported anywhere in ``tree``: module level, functions and
    ``if TYPE_CHECKING:`` alike; relative imports resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """envman module -> the envman modules it imports (a name imported from a package that is
    not a module of it counts as the package)."""
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = _imported(name, path.name == "__init__.py", tree)
        graph[name] = {t for t in found if t in paths and t != name}
    return graph


def climbs(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """(importer, imported) pairs where the imported module sits in a higher layer."""
    return {
        (name, target)
        for name, targets in graph.items()
        for target in targets
        if layer_of(target) < layer_of(name)
    }


def package_of(module: str) -> str:
    """The unit of the package cycle check: the longest prefix in LAYERS naming ``module``
    (envman.releases for the ledger, envman.releases.promote for that flow module)."""
    named = [p for _, ps in LAYERS for p in ps if module == p or module.startswith(p + ".")]
    return max(named, key=len)


def package_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Pairs of packages (in one layer) that import each other, each pair sorted."""
    edges = {
        (package_of(a), package_of(b))
        for a, targets in graph.items()
        for b in targets
        if package_of(a) != package_of(b) and (a, b) not in KNOWN_CLIMBS
    }
    return sorted(sorted(pair) for pair in edges if pair[0] < pair[1] and pair[::-1] in edges)


def test_every_module_is_in_a_layer() -> None:
    for name in import_graph():
        layer_of(name)  # raises for a module no prefix names


def test_no_module_imports_upward() -> None:
    found = climbs(import_graph())
    new = sorted(found - KNOWN_CLIMBS)
    assert new == [], "imports that climb to a higher layer (see docs/contributing/layers.md)"
    gone = sorted(KNOWN_CLIMBS - found)
    assert gone == [], "these climbs are gone: remove them from KNOWN_CLIMBS"


def test_no_two_packages_import_each_other() -> None:
    assert package_cycles(import_graph()) == []


def test_no_module_cycle_even_through_annotations() -> None:
    """No two modules import each other, counting imports under TYPE_CHECKING and inside
    functions (config.project and secrets.sources did; terraform.errors and runner did)."""
    assert [sorted(c) for c in cycles(import_graph())] == []


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import envman.errors\n"
        "from envman.config import models\n"
        "from . import sibling\n"
        "if TYPE_CHECKING:\n"
        "    from envman.commands.plan import PlanRequest\n"
        "def later() -> None:\n"
        "    from ..releases import ledger\n"
    )
    found = set(_imported("envman.guard.rules", False, ast.parse(source)))
    expected = {
        "envman.errors",
        "envman.config.models",
        "envman.guard.sibling",
        "envman.commands.plan",
        "envman.releases.ledger",
    }
    assert expected <= found


def test_the_checks_find_climbs_and_cycles() -> None:
    graph = {
        "envman.config.project": {"envman.secrets.sources"},
        "envman.secrets.sources": {"envman.config.project"},
        "envman.terraform.runner": {"envman.commands.plan"},
        "envman.commands.plan": set(),
    }
    assert climbs(graph) == {("envman.terraform.runner", "envman.commands.plan")}
    assert package_cycles(graph) == [["envman.config", "envman.secrets"]]
    assert layer_of("envman.releases.promote") < layer_of("envman.releases.ledger")
