"""Reading tfvars files (HCL or JSON) into plain values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envman.config.hclfile import load_hcl
from envman.errors import ConfigError


def read_tfvars(path: Path) -> dict[str, Any]:
    if path.name.endswith(".json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read file: {exc}", path=str(path)) from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"invalid JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
        if not isinstance(data, dict):
            raise ConfigError("a tfvars JSON file must hold an object", path=str(path), line=1)
        return data
    return dict(load_hcl(path).data)
