"""The README's quickstart, run as written (files from its heredocs, then its commands)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.helpers import Cli, need_terraform
from tests.readme import README


def quickstart() -> tuple[dict[str, str], list[str]]:
    text = README.read_text()
    section = text.split("## Quickstart", 1)[1]
    block = section.split("```", 2)[1]
    files = {
        path: body for path, body in re.findall(r"cat > (\S+) <<'EOF'\n(.*?)\nEOF\n", block, re.S)
    }
    commands = [
        line.split("  #")[0].strip() for line in block.splitlines() if line.startswith("envman ")
    ]
    return files, commands


def test_the_quickstart_works_as_written(tmp_path: Path) -> None:
    need_terraform()
    files, commands = quickstart()
    assert set(files) == {"terraform/main.tf", "environments/dev/environment.hcl"}
    assert len(commands) >= 6
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body + "\n")
    cli = Cli(tmp_path)
    seen = {}
    for command in commands:
        result = cli(*shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}"
        seen[command] = result.stdout
    assert seen["envman outputs dev greeting --raw"] == "hi\n"
    assert "in_sync" in seen["envman drift dev"]
