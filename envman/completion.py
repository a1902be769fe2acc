"""Shell completion: environment names, component names and format choices.

Read cheaply on every <TAB>: folder names under environments/ and `component "NAME"` labels of
envman.hcl found by a regular expression, never an HCL parse or terraform. Only identifiers are
offered: a folder named `$(cmd)` would be put on the command line as it is (the shell does not
quote what completion returns), and no such name is valid anyway. Attached to the
parameters by name (cliutil.tidy), so every command that takes an environment completes one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from envman.config.names import is_identifier
from envman.config.paths import ENVIRONMENT_FILE, ENVIRONMENTS_DIR, PROJECT_FILE

_COMPONENT = re.compile(r'^\s*component\s+"([^"]+)"', re.MULTILINE)
# parameters that name an environment (arguments, and --from / --confirm)
ENVIRONMENT_PARAMS = frozenset({"environment", "environments", "target", "source", "confirm"})
COMPONENT_PARAMS = frozenset({"components", "component"})
# string options whose values are a fixed set (enum-typed options complete on their own)
FORMAT_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("graph", "fmt"): ("text", "mermaid", "dot", "json"),
    ("plan", "fmt"): ("text", "markdown"),
    ("init", "ci"): ("github",),
}


def _project_root(ctx: Any) -> Path | None:
    given = None
    with_root = getattr(ctx, "find_root", None)
    if with_root is not None:
        given = (with_root().params or {}).get("project")
    if given is None and os.environ.get("ENVMAN_PROJECT"):
        given = os.environ["ENVMAN_PROJECT"]
    if given is not None:
        return Path(given).expanduser()
    here = Path.cwd()
    return next((p for p in (here, *here.parents) if (p / ENVIRONMENTS_DIR).is_dir()), None)


def environment_names(root: Path | None) -> list[str]:
    if root is None:
        return []
    try:
        folders = sorted((root / ENVIRONMENTS_DIR).iterdir())
    except OSError:
        return []
    return [p.name for p in folders if is_identifier(p.name) and (p / ENVIRONMENT_FILE).is_file()]


def component_names(root: Path | None) -> list[str]:
    if root is None:
        return []
    try:
        text = (root / PROJECT_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return sorted({name for name in _COMPONENT.findall(text) if is_identifier(name)})


Completer = Callable[[Any, Any, str], list[str]]


def _from(names: Callable[[Path | None], list[str]]) -> Completer:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[str]:
        return [n for n in names(_project_root(ctx)) if n.startswith(incomplete)]

    return complete


def _choices(values: tuple[str, ...]) -> Completer:
    def complete(ctx: Any, param: Any, incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete


def completer_for(command: str, param: str) -> Completer | None:
    """The completion of parameter ``param`` of ``command``, if it has one."""
    if (command, param) in FORMAT_CHOICES:
        return _choices(FORMAT_CHOICES[(command, param)])
    if param in ENVIRONMENT_PARAMS:
        return _from(environment_names)
    if param in COMPONENT_PARAMS:
        return _from(component_names)
    return None


def attach(command: Any) -> None:
    """Give the parameters of a click command their completions (those without one)."""
    for param in getattr(command, "params", []):
        if getattr(param, "_custom_shell_complete", None) is not None or not param.name:
            continue
        found = completer_for(str(command.name), param.name)
        if found is not None:
            param._custom_shell_complete = found
