"""HTTP verify checks: GET the URL until it answers the expected status or time runs out."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from envman.config.models import HttpCheck
from envman.terraform.models import OutputValue

_MAX_ATTEMPT_SECONDS = 10.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect's own status instead of following it (like curl without -L)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def shown_url(url: str) -> str:
    """The URL without credentials, query or fragment (they may hold secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def resolve_url(check: HttpCheck, outputs: Mapping[str, OutputValue]) -> tuple[str | None, str]:
    """(url, problem): the literal URL, or the value of the output it names."""
    if check.url is not None:
        return check.url, ""
    name = str(check.url_output)
    output = outputs.get(name)
    if output is None:
        return None, f"output '{name}' (url_output) does not exist"
    if output.sensitive:
        return None, f"output '{name}' (url_output) is sensitive; envman does not use it as a URL"
    if not isinstance(output.value, str) or not output.value.startswith(("http://", "https://")):
        return None, f"output '{name}' (url_output) is not an http(s) URL"
    return output.value, ""


def probe(url: str, timeout: float) -> tuple[int | None, str]:
    """(status, problem) of one GET."""
    request = urllib.request.Request(url, headers={"User-Agent": "envman-verify"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return int(exc.code), ""
    except urllib.error.URLError as exc:
        return None, f"cannot connect ({_reason(exc.reason)})"
    except (TimeoutError, OSError) as exc:
        return None, f"cannot connect ({_reason(exc)})"


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    if isinstance(reason, TimeoutError):
        return "timed out"
    return " ".join(str(reason).split()) or type(reason).__name__


def run_http_check(
    check: HttpCheck,
    outputs: Mapping[str, OutputValue],
    log: Callable[[str], None],
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "name": check.name,
        "kind": "http",
        "ok": False,
        "expect_status": check.expect_status,
    }
    url, problem = resolve_url(check, outputs)
    if url is None:
        result["detail"] = problem
        return result
    result["url"] = shown_url(url)
    timeout = check.timeout.total_seconds()
    interval = max(check.interval.total_seconds(), 0.1)
    started = clock()
    deadline = started + timeout
    attempts = 0
    last = ""
    while True:
        attempts += 1
        remaining = max(deadline - clock(), 0.5)
        status, problem = probe(url, min(remaining, _MAX_ATTEMPT_SECONDS))
        if status == check.expect_status:
            result.update(
                ok=True,
                status=status,
                attempts=attempts,
                detail=f"HTTP {status} after {attempts} attempt(s)",
            )
            return result
        last = f"HTTP {status}" if status is not None else problem
        result["status"] = status
        if clock() + interval >= deadline:
            break
        log(f"http {check.name}: {last}, expected {check.expect_status}; retrying in {interval:g}s")
        time.sleep(interval)
    elapsed = clock() - started
    result.update(
        attempts=attempts,
        detail=f"expected HTTP {check.expect_status}, got {last} "
        f"({attempts} attempt(s) in {elapsed:.0f}s)",
    )
    return result
