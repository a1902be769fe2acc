"""The terraform CLI configuration envman writes for its child processes."""

from __future__ import annotations

import json
import os
from pathlib import Path


def plugin_cache_dir() -> Path:
    """Where providers are cached: ENVMAN_PLUGIN_CACHE_DIR, else terraform's own
    TF_PLUGIN_CACHE_DIR, else a folder in the user's cache (docs/install.md)."""
    for name in ("ENVMAN_PLUGIN_CACHE_DIR", "TF_PLUGIN_CACHE_DIR"):
        configured = os.environ.get(name)
        if configured:
            return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "envman" / "plugins"


def render_cli_config(mirror: Path | None, cache_dir: Path) -> str:
    lines = [f"plugin_cache_dir = {json.dumps(str(cache_dir))}"]
    lines.append("plugin_cache_may_break_dependency_lock_file = true")
    if mirror is not None:
        lines += [
            "provider_installation {",
            "  filesystem_mirror {",
            f"    path    = {json.dumps(str(mirror))}",
            '    include = ["*/*/*"]',
            "  }",
            "}",
        ]
    return "\n".join(lines) + "\n"


def ensure_cli_config(state_root: Path, mirror: Path | None) -> Path | None:
    """Write .envman/terraformrc when a mirror is configured or the user's config is missing.

    Returns the path to put in TF_CLI_CONFIG_FILE, or None to leave the user's config alone.
    """
    user_config = os.environ.get("TF_CLI_CONFIG_FILE")
    if mirror is None and (not user_config or Path(user_config).is_file()):
        return None
    if mirror is not None and not mirror.is_dir():
        from envman.errors import EnvmanError

        raise EnvmanError(
            f"provider mirror {mirror} is not a folder",
            hint="fix ENVMAN_PROVIDER_MIRROR or provider_mirror in envman.hcl",
        )
    cache = plugin_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    text = render_cli_config(mirror, cache)
    path = state_root / "terraformrc"
    if not path.is_file() or path.read_text() != text:
        state_root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text)
        tmp.replace(path)
    return path
