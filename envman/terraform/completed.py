"""What a finished terraform command left: its exit code, output and diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field

from envman.secrets.redactor import redact


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    summary: str
    detail: str = ""
    filename: str | None = None
    line: int | None = None

    def one_line(self) -> str:
        where = f" ({self.filename}:{self.line})" if self.filename and self.line else ""
        detail = redact(" ".join(self.detail.split()))  # before cutting: never half a secret
        if len(detail) > 300:
            detail = detail[:297] + "..."
        return f"{self.summary}{': ' + detail if detail else ''}{where}"


@dataclass
class Completed:
    args: list[str]
    returncode: int
    stdout: bytes = b""
    stderr: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]
