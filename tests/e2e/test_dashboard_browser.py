"""The dashboard in a real browser: headless Chromium (Debian's ``chromium``, installed by
`make setup`) opens the pages `envman report --html` wrote, from file://, over the DevTools
protocol (tests/browser.py). It checks what was rendered, that nothing was fetched and nothing
logged an error, that the keyboard reaches the content, and saves a screenshot (docs/dashboard.md
shows it: set ENVMAN_UPDATE_SCREENSHOT=1 to write docs/dashboard.png).

The ledger is the synthetic one of the metrics golden test (tests/synthetic_ledger.py), with a
label, a drift result (one finding sensitive) and names that would run as HTML if not escaped.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import DevTools, PageVisit, browser, chromium_binary, evaluate, visit
from tests.helpers import Cli, copy_fixture
from tests.synthetic_ledger import DEV, NOW, PRODUCTION, STAGING, audit, write

ROOT = Path(__file__).resolve().parents[2]
CANARY = "drift-canary-5e1f"  # a sensitive finding's value: never on a page
HOSTILE = '<img src="x" onerror="console.error(1)">'


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = chromium_binary()
    if binary is None:
        message = "chromium is not installed (make setup installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


def _drift(folder: Path) -> None:
    findings = [
        {"address": "terraform_data.app", "attribute": "input.replicas", "expected": 1,
         "actual": 3, "fingerprint": "f1", "new": True, "actionable": True, "sensitive": False,
         "change": "changed"},
        {"address": "terraform_data.secret", "attribute": "input", "expected": CANARY,
         "actual": CANARY + "x", "fingerprint": "f2", "new": False, "actionable": True,
         "sensitive": True, "change": "changed"},
    ]  # fmt: skip
    doc = {
        "schema": 1, "environment": "production", "status": "drifted",
        "checked_at": "2026-11-30T00:00:00Z", "error": None,
        "counts": {"findings": 2, "new": 1, "actionable": 2, "acknowledged": 0, "ignored": 0,
                   "normalised": 0},
        "findings": findings, "acknowledged": [], "notified": [],
    }  # fmt: skip
    (folder / "drift").mkdir(exist_ok=True)
    (folder / "drift" / "last.json").write_text(json.dumps(doc))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("dashboard")
    root = copy_fixture("basic", base)
    config = root / "environments" / "production" / "environment.hcl"
    config.write_text(config.read_text().replace('"Live system"', '"Live <b>system</b> & co"'))
    production = [dict(r) for r in PRODUCTION]
    production[7]["label"] = "v1.4.1"
    production[6]["actor"] = HOSTILE
    folder = write(root, "production", production)
    audit(folder, 2)
    _drift(folder)
    write(root, "staging", STAGING)
    write(root, "dev", DEV)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ENVMAN_NOW", NOW)
        result = Cli(root)("report", "--html", str(base / "site"), "--since", "30d")
    assert result.exit_code == 0, result.output
    assert f"Dashboard written to {base / 'site' / 'index.html'}" in result.stdout
    yield base / "site"


@pytest.fixture(scope="module")
def tools(chromium: str) -> Iterator[DevTools]:
    with browser(chromium) as found:
        yield found


def _clean(page: PageVisit, url: str) -> None:
    assert page.requests == [url], "the page fetched something besides itself"
    assert page.errors == []


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_index_renders_the_matrix_and_charts_offline(
    site: Path, tools: DevTools, tmp_path: Path
) -> None:
    url = (site / "index.html").as_uri()
    shot = (
        ROOT / "docs" / "dashboard.png"
        if os.environ.get("ENVMAN_UPDATE_SCREENSHOT")
        else tmp_path / "dashboard.png"
    )
    page = visit(tools, url, screenshot=shot)
    _clean(page, url)
    rows = evaluate(
        tools,
        "[...document.querySelectorAll('table')[0].tBodies[0].rows].map(r => r.innerText)",
    )
    production = next(r for r in rows if r.startswith("production"))
    assert "#8 apply v1.4.1" in production
    assert "image_tag = v8" in production
    assert "newest #10 apply:" in production and "interrupted" in production
    assert "drifted 2 finding(s)" in production
    assert "image_tag v8 → v4 (from staging)" in production  # pending promotion
    assert "5d15h" in production  # age: 2026-12-01 minus the real time of #8
    dev = next(r for r in rows if r.startswith("dev"))
    assert "destroyed" in dev
    charts = evaluate(
        tools,
        "Object.fromEntries([...document.querySelectorAll('figure')].map(f => "
        "[f.querySelector('figcaption').textContent, [...f.querySelectorAll('g.week')]"
        ".map(g => g.dataset.deployments + '/' + g.dataset.failed)]))",
    )
    assert charts["production"] == ["1/0", "1/1", "3/2", "2/1", "0/0"]
    assert charts["staging"] == ["1/0", "1/0", "2/0", "0/0", "0/0"]
    dora = _text(page.dom)
    assert "57% · band low 4 of 7 deployment(s) failed" in dora
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_environment_page_timeline_changelog_and_findings(site: Path, tools: DevTools) -> None:
    url = (site / "env-production.html").as_uri()
    page = visit(tools, url)
    _clean(page, url)  # the hostile actor name is text, not an image to fetch
    assert HOSTILE in evaluate(tools, "document.body.innerText")
    assert evaluate(tools, "document.querySelector('h1 + p').innerText").startswith(
        "Live <b>system</b> & co"
    )
    captions = evaluate(tools, "[...document.querySelectorAll('caption')].map(c => c.innerText)")
    timeline = captions.index("Release timeline, newest first")
    rows = evaluate(
        tools,
        f"[...document.querySelectorAll('table')[{timeline}].tBodies[0].rows]"
        ".map(r => [...r.cells].map(c => c.innerText).join('|'))",
    )
    assert [r.split("|")[0] for r in rows] == [f"#{n}" for n in range(10, 0, -1)]
    assert rows[1].startswith("#9|2026-11-28T10:03:00Z|apply|-|") and "failed" in rows[1]
    assert "to #3" in rows[5]  # the rollback by hand
    changelog = evaluate(
        tools, "[...document.querySelectorAll('#changelog + ol li')].map(l => l.innerText)"
    )
    assert any(item.startswith("#4 promote") and "image_tag v1 → v3" in item for item in changelog)
    findings = captions.index("Drift findings of the last check")
    cells = evaluate(tools, f"document.querySelectorAll('table')[{findings}].tBodies[0].innerText")
    assert "input.replicas" in cells and "1 → 3" in cells and "(sensitive)" in cells
    for html in site.glob("*.html"):
        assert CANARY not in html.read_text()


def test_keyboard_reaches_the_content_first(site: Path, tools: DevTools) -> None:
    url = (site / "index.html").as_uri()
    visit(tools, url)
    for kind in ("keyDown", "keyUp"):
        tools.call(
            "Input.dispatchKeyEvent", type=kind, key="Tab", code="Tab", windowsVirtualKeyCode=9
        )
    assert evaluate(tools, "document.activeElement.getAttribute('href')") == "#main"


def test_pages_are_self_contained(site: Path) -> None:
    """No script, nothing that could be fetched (every src/href local), table semantics."""
    for html in site.glob("*.html"):
        text = html.read_text()
        assert "<script" not in text
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), html.name
        assert "<caption>" in text and 'scope="col"' in text and "@media print" in text
        assert html.stat().st_mode & 0o077 == 0  # owner-only, as every report
