"""Static facts about a stack (root module), read with python-hcl2 from its *.tf files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envman.config.hclfile import LABEL, cached_parse, load_hcl, read_hcl_text
from envman.errors import ConfigError


@dataclass(frozen=True)
class StackVariable:
    name: str
    required: bool
    sensitive: bool
    type: str | None
    file: Path
    default_null: bool = False  # `default = null`: no value to keep secret (a value-free fact)


@dataclass(frozen=True)
class StackInfo:
    directory: Path
    variables: dict[str, StackVariable] = field(default_factory=dict)
    outputs: dict[str, bool] = field(default_factory=dict)  # name -> sensitive
    backend_type: str | None = None
    module_sources: tuple[str, ...] = ()
    cache_dir: Path | None = field(default=None, compare=False)  # the parse cache it came from

    def sensitive_variables(self) -> set[str]:
        return {n for n, v in self.variables.items() if v.sensitive}

    def is_sensitive(self, name: str) -> bool:
        """Whether terraform treats variable ``name`` as sensitive (unsure: yes)."""
        variable = self.variables.get(name)
        return variable is not None and variable.sensitive


# What `sensitive = ...` can say that is statically false; anything else (true, "true", an
# expression envman cannot evaluate, a value terraform would reject) counts as sensitive.
NOT_SENSITIVE = (False, "false", "0")


def sensitive_flag(block: dict[str, Any]) -> bool:
    """``sensitive`` of a variable or output block, as terraform sees it, failing closed."""
    if "sensitive" not in block:
        return False
    value = block["sensitive"]
    return not any(
        value is flag or (isinstance(value, str) and value == flag) for flag in NOT_SENSITIVE
    )


def tf_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.tf") if p.is_file())


def tf_json_files(directory: Path) -> list[Path]:
    """*.tf.json files (a synthesised CDK stack), override files last as terraform merges them."""
    files = sorted(p for p in directory.glob("*.tf.json") if p.is_file())
    return sorted(files, key=lambda p: p.name.endswith("_override.tf.json"))


FACTS_KIND = "stack-facts-4"


def file_facts(data: dict[str, Any]) -> dict[str, Any]:
    """What envman reads from one parsed *.tf file: names, flags and sources, never a value."""
    variables = [
        {
            "name": str(block.get(LABEL)),
            "required": "default" not in block,
            "default_null": "default" in block and block["default"] is None,
            "sensitive": sensitive_flag(block),
            "type": _type_text(block.get("type")),
        }
        for block in _blocks(data, "variable")
    ]
    outputs = {str(b.get(LABEL)): sensitive_flag(b) for b in _blocks(data, "output")}
    backend: str | None = None
    for block in _blocks(data, "terraform"):
        for inner in _blocks(block, "backend"):
            backend = str(inner.get(LABEL))
    modules = [
        {
            "name": str(b.get(LABEL)),
            "source": str(b.get("source", "")),
            "version": str(b.get("version", "")),
        }
        for b in _blocks(data, "module")
    ]
    return {"variables": variables, "outputs": outputs, "backend": backend, "modules": modules}


DEFAULTS_KIND = "stack-defaults-1"


def public_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """The defaults of the variables of one parsed *.tf file that are not sensitive (the
    ledger records those values too); a sensitive variable's default is never kept."""
    return {
        "defaults": {
            str(block.get(LABEL)): block["default"]
            for block in _blocks(data, "variable")
            if "default" in block and not sensitive_flag(block)
        }
    }


def read_public_defaults(path: Path, cache_dir: Path | None = None) -> dict[str, Any]:
    """``public_defaults`` of one *.tf file, through the parse cache when given one: a warm
    plan does not load python-hcl2 to learn them."""
    if cache_dir is None:
        return public_defaults(load_hcl(path).data)["defaults"]  # type: ignore[no-any-return]
    facts = cached_parse(read_hcl_text(path), path, cache_dir, DEFAULTS_KIND, public_defaults)
    return facts["defaults"]  # type: ignore[no-any-return]


def read_file_facts(path: Path, cache_dir: Path | None = None) -> dict[str, Any]:
    if cache_dir is None:
        return file_facts(load_hcl(path).data)
    return cached_parse(read_hcl_text(path), path, cache_dir, FACTS_KIND, file_facts)


def read_stack(directory: Path, cache_dir: Path | None = None) -> StackInfo:
    files = tf_files(directory) + tf_json_files(directory)
    if not files:
        raise ConfigError(
            f"stack folder {directory} has no *.tf or *.tf.json files",
            hint="point 'stack' at the folder of the root module",
        )
    variables: dict[str, StackVariable] = {}
    outputs: dict[str, bool] = {}
    backend: str | None = None
    sources: list[str] = []
    for path in files:
        if path.name.endswith(".tf.json"):
            facts = read_json_facts(path)
        else:
            facts = read_file_facts(path, cache_dir)
        for var in facts["variables"]:
            variables[var["name"]] = StackVariable(
                name=var["name"],
                required=var["required"],
                sensitive=var["sensitive"],
                type=var["type"],
                file=path,
                default_null=bool(var.get("default_null", False)),
            )
        outputs.update(facts["outputs"])
        backend = facts["backend"] or backend
        sources.extend(f"{m['name']}={m['source']}@{m['version']}" for m in facts["modules"])
    return StackInfo(
        directory=directory,
        variables=variables,
        outputs=outputs,
        backend_type=backend,
        module_sources=tuple(sorted(sources)),
        cache_dir=cache_dir,
    )


def read_json_facts(path: Path) -> dict[str, Any]:
    """The facts of a *.tf.json file (terraform's JSON syntax), as file_facts gives them."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"invalid JSON: {exc}", path=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError("invalid terraform JSON: not an object", path=str(path))
    shaped: dict[str, Any] = {}
    for kind in ("variable", "output", "module"):
        shaped[kind] = [
            {**body, LABEL: name}
            for group in _json_objects(data.get(kind))
            for name, body in group.items()
            if name != "//" and isinstance(body, dict)
        ]
    shaped["terraform"] = [
        {"backend": [{**body, LABEL: kind} for kind, body in backend.items() if kind != "//"]}
        for block in _json_objects(data.get("terraform"))
        for backend in _json_objects(block.get("backend"))
    ]
    return file_facts(shaped)


def _json_objects(value: Any) -> list[dict[str, Any]]:
    """A JSON-syntax block: one object or a list of objects."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


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


def stack_code_digest(directory: Path, cache_dir: Path | None = None) -> str:
    """A digest of the stack's code and of the local modules it reads (for plan staleness)."""
    digest = hashlib.sha256()
    roots = [directory]
    for module_dir in _local_module_dirs(directory, cache_dir):
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


def _local_module_dirs(directory: Path, cache_dir: Path | None, depth: int = 0) -> list[Path]:
    found: list[Path] = []
    if depth > 5:
        return found
    for path in tf_files(directory):
        try:
            modules = read_file_facts(path, cache_dir)["modules"]
        except ConfigError:
            continue
        for module in modules:
            source = module["source"]
            if source.startswith(("./", "../")):
                target = (directory / source).resolve()
                if target.is_dir() and target not in found:
                    found.append(target)
                    found.extend(_local_module_dirs(target, cache_dir, depth + 1))
    return found


def local_module_dirs(directory: Path, cache_dir: Path | None = None) -> list[Path]:
    """The folders of the local modules (`./`, `../` sources) the stack calls, at any depth."""
    return _local_module_dirs(directory, cache_dir)
