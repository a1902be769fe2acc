"""Static facts about a stack (root module), read with python-hcl2 from its *.tf files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envman.config.hclfile import LABEL, load_hcl
from envman.errors import ConfigError


@dataclass(frozen=True)
class StackVariable:
    name: str
    required: bool
    sensitive: bool
    type: str | None
    file: Path


@dataclass(frozen=True)
class StackInfo:
    directory: Path
    variables: dict[str, StackVariable] = field(default_factory=dict)
    outputs: dict[str, bool] = field(default_factory=dict)  # name -> sensitive
    backend_type: str | None = None
    module_sources: tuple[str, ...] = ()

    def sensitive_variables(self) -> set[str]:
        return {n for n, v in self.variables.items() if v.sensitive}


def tf_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.tf") if p.is_file())


def read_stack(directory: Path) -> StackInfo:
    files = tf_files(directory)
    if not files:
        raise ConfigError(
            f"stack folder {directory} has no *.tf files",
            hint="point 'stack' at the folder of the root module",
        )
    variables: dict[str, StackVariable] = {}
    outputs: dict[str, bool] = {}
    backend: str | None = None
    sources: list[str] = []
    for path in files:
        data = load_hcl(path).data
        for block in _blocks(data, "variable"):
            name = str(block.get(LABEL))
            variables[name] = StackVariable(
                name=name,
                required="default" not in block,
                sensitive=block.get("sensitive") is True,
                type=_type_text(block.get("type")),
                file=path,
            )
        for block in _blocks(data, "output"):
            outputs[str(block.get(LABEL))] = block.get("sensitive") is True
        for block in _blocks(data, "terraform"):
            for inner in _blocks(block, "backend"):
                backend = str(inner.get(LABEL))
        for block in _blocks(data, "module"):
            sources.append(f"{block.get(LABEL)}={block.get('source')}@{block.get('version', '')}")
    return StackInfo(
        directory=directory,
        variables=variables,
        outputs=outputs,
        backend_type=backend,
        module_sources=tuple(sorted(sources)),
    )


def _blocks(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = data.get(name)
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _type_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    return text


def stack_code_digest(directory: Path) -> str:
    """A digest of the stack's code and of the local modules it reads (for plan staleness)."""
    digest = hashlib.sha256()
    roots = [directory]
    for module_dir in _local_module_dirs(directory):
        roots.append(module_dir)
    seen: set[Path] = set()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path in seen or not path.is_file() or ".terraform" in path.parts:
                continue
            if (
                path.suffix not in (".tf", ".tftpl", ".json", ".hcl")
                and path.name != ".terraform.lock.hcl"
            ):
                continue
            seen.add(path)
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _local_module_dirs(directory: Path, depth: int = 0) -> list[Path]:
    found: list[Path] = []
    if depth > 5:
        return found
    for path in tf_files(directory):
        try:
            data = load_hcl(path).data
        except ConfigError:
            continue
        for block in _blocks(data, "module"):
            source = str(block.get("source", ""))
            if source.startswith(("./", "../")):
                target = (directory / source).resolve()
                if target.is_dir() and target not in found:
                    found.append(target)
                    found.extend(_local_module_dirs(target, depth + 1))
    return found
