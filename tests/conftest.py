"""Shared fixtures: fixture projects, the CLI, the provider mirror and a moto server.

Tests that need terraform (or the AWS provider mirror) skip when it is missing on a
developer machine, but when CI is set the whole run fails loudly instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Cli, copy_fixture, need_terraform
from tests.moto_server import reset as reset_moto
from tests.moto_server import start_moto_server

DEFAULT_MIRROR = "/opt/tf-plugins"


MOTO_FIXTURES = frozenset({"moto", "moto_server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the moto server is an `aws` test, whatever its file says."""
    for item in items:
        if MOTO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.aws)


def _mirror() -> Path | None:
    path = Path(os.environ.get("ENVMAN_PROVIDER_MIRROR", DEFAULT_MIRROR))
    return path if (path / "registry.terraform.io" / "hashicorp" / "aws").is_dir() else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI nothing skips silently: a skipped test (a missing tool, a missing checkout) fails
    with its reason."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (CI runs everything): {report.longrepr}"


def pytest_sessionstart(session: pytest.Session) -> None:
    if not os.environ.get("CI"):
        return
    problems = []
    if shutil.which(os.environ.get("ENVMAN_TERRAFORM", "terraform")) is None:
        problems.append("terraform is not on PATH")
    if _mirror() is None:
        problems.append(
            "the AWS provider mirror is missing (set ENVMAN_PROVIDER_MIRROR; default /opt/tf-plugins)"
        )
    if problems:
        pytest.exit("CI requires real parts: " + "; ".join(problems), returncode=3)


@pytest.fixture(scope="session")
def provider_mirror() -> Path:
    mirror = _mirror()
    if mirror is None:
        pytest.skip("AWS provider mirror missing (CI fails instead of skipping)")
    return mirror


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache = tmp_path_factory.getbasetemp() / "plugin-cache"
    cache.mkdir(exist_ok=True)
    monkeypatch.setenv("ENVMAN_PLUGIN_CACHE_DIR", str(cache))
    monkeypatch.setenv("ENVMAN_ACTOR", "tester")
    # the parse cache's per-user key and envman's error log outside a project: never the real home's
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    for name in (
        "ENVMAN_PROJECT",
        "ENVMAN_NOW",
        "TF_LOG",
        "ENVMAN_PROVIDER_MIRROR",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_ACTIONS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tmp_path_factory.getbasetemp() / "missing.tfrc"))


@pytest.fixture
def basic_project(tmp_path: Path) -> Path:
    need_terraform()
    return copy_fixture("basic", tmp_path)


@pytest.fixture
def cli(basic_project: Path) -> Cli:
    return Cli(basic_project)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    url, stop = start_moto_server()
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def moto(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A clean moto server for this test, with static credentials in the environment."""
    reset_moto(moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return moto_server
