"""docs/reference/ is generated from the code (scripts/gen_reference.py) and kept up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from pydantic import BaseModel
from typer.core import TyperGroup
from typer.main import get_command

from envman.cli import app
from envman.config import models

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_reference.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()


def _rendered() -> dict[Path, str]:
    rendered: dict[Path, str] = GEN.render_all()
    return rendered


def test_the_reference_files_are_up_to_date() -> None:
    for path, text in _rendered().items():
        on_disk = (ROOT / path).read_text() if (ROOT / path).exists() else ""
        assert on_disk == text, f"{path} is out of date: run scripts/gen_reference.py"


def _command_paths() -> list[str]:
    root = get_command(app)
    found: list[str] = []
    todo: list[tuple[str, object]] = [("envman", root)]
    while todo:
        path, command = todo.pop()
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                if not sub.hidden:
                    found.append(f"{path} {name}")
                    todo.append((f"{path} {name}", sub))
    return found


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    text = _rendered()[GEN.CLI_MD]
    paths = _command_paths()
    assert {"envman plan", "envman drift check"} <= set(paths)
    for path in paths:
        assert f"## {path}\n" in text, f"{path} missing from the command-line reference"
    apply = get_command(app).commands["apply"]  # type: ignore[attr-defined]
    for param in apply.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("-") and opt != "--help":
                assert f"`{opt}`" in text


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for name, field in model.model_fields.items():
        key = field.alias if field.alias and field.alias != "__label__" else name
        keys.append(prefix + key)
        inner = GEN.reference_config._model_in(field.annotation)
        if inner is not None and inner is not models.Backend:
            keys.extend(_keys(inner, f"{prefix}{key}."))
    return keys


def test_every_configuration_key_is_in_the_config_reference() -> None:
    text = _rendered()[GEN.CONFIG_MD]
    keys = _keys(models.EnvironmentConfig) + [
        k for k in _keys(models.ProjectSettings) if k != "defaults"
    ]
    assert {"promotion.from", "protection.freeze.to", "component.inputs"} <= set(keys)
    for key in keys:
        assert f"| `{key}` |" in text, f"{key} missing from the configuration reference"


def test_defaults_and_types_come_from_the_models() -> None:
    text = _rendered()[GEN.CONFIG_MD]
    assert '| `verify.on_failure` | one of `"rollback"`, `"fail"` | `"fail"` |' in text
    assert '| `hook.timeout` | duration | `"30m"` |' in text
    assert "| `promotion.from` | string | required |" in text


def test_stale_names_a_file_that_differs(tmp_path: Path) -> None:
    for path, text in _rendered().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert GEN.stale(tmp_path) == []
    (tmp_path / GEN.CONFIG_MD).write_text("old\n")
    assert GEN.stale(tmp_path) == [GEN.CONFIG_MD]
