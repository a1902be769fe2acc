"""Reading tfvars files (HCL or JSON) into plain values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envman.config.hclfile import cached_parse, parse_hcl_text, read_hcl_text
from envman.config.tfvars_plain import plain_tfvars
from envman.errors import ConfigError

# Var files above this size are refused before they are parsed (docs/operations.md): a var
# file that large is a mistake, and parsing it would take minutes and gigabytes.
MAX_VAR_FILE_BYTES = 10 * 1024 * 1024


def check_var_file_size(path: Path) -> None:
    """Refuse a var file above MAX_VAR_FILE_BYTES (one line naming it and the limit)."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # reading it reports the problem
    if size > MAX_VAR_FILE_BYTES:
        raise ConfigError(
            f"var file is {size / 1048576:.1f} MB; envman reads var files up to "
            f"{MAX_VAR_FILE_BYTES // 1048576} MB",
            path=str(path),
            hint="keep large data out of tfvars; read it in the stack with file()",
        )


def read_tfvars(path: Path) -> dict[str, Any]:
    check_var_file_size(path)
    if path.name.endswith(".json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise ConfigError("cannot read file: not UTF-8 text", path=str(path)) from None
        except OSError as exc:
            raise ConfigError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from None
        except json.JSONDecodeError as exc:  # exc.msg names the kind only, never the text
            raise ConfigError(
                f"invalid JSON: {exc.msg}", path=str(path), line=exc.lineno, column=exc.colno
            ) from None
        if not isinstance(data, dict):
            raise ConfigError("a tfvars JSON file must hold an object", path=str(path), line=1)
        return data
    text = read_hcl_text(path)
    plain = plain_tfvars(text)  # most var files: without loading python-hcl2's grammar
    return plain if plain is not None else dict(parse_hcl_text(text, path))


NAMES_KIND = "tfvars-names-1"


def _names_only(data: dict[str, Any]) -> dict[str, Any]:
    return {"names": sorted(data)}


def tfvars_names(path: Path, cache_dir: Path | None = None) -> set[str]:
    """The variables a tfvars file sets. With ``cache_dir``, HCL files are read through the
    parse cache, which keeps the names only: tfvars values may be secrets."""
    check_var_file_size(path)
    if cache_dir is None or path.name.endswith(".json"):
        return set(read_tfvars(path))
    facts = cached_parse(read_hcl_text(path), path, cache_dir, NAMES_KIND, _names_only)
    return {str(name) for name in facts["names"]}
