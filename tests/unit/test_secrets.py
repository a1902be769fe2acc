"""The redactor, sensitivity as terraform sees it, and errors that never carry a value."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from envman.config.hclfile import parse_hcl_text
from envman.config.stack import read_stack, sensitive_flag
from envman.config.tfvars import read_tfvars
from envman.errors import ConfigError, UsageError
from envman.inputs import parse_set
from envman.secrets import redactor
from envman.secrets.redactor import redact, redact_document, redact_stored, remember
from envman.secrets.streams import RedactingStream


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    redactor.forget_all()
    yield
    redactor.forget_all()


def test_known_values_are_replaced_in_every_spelling() -> None:
    remember("hunter2-long")
    remember({"nested": ["multi\nline-secret-value"], "n": 123456})
    remember('quote"d-secret')
    assert redact("token is hunter2-long!") == "token is <sensitive>!"
    assert redact("second line: line-secret-value") == "second line: <sensitive>"
    assert redact_stored("id 123456 given") == "id <sensitive> given"
    assert redact('{"id": 123456}') == '{"id": 123456}'  # a JSON document stays one
    assert redact(json.dumps({"v": 'quote"d-secret'})) == '{"v": "<sensitive>"}'


def test_short_values_show_in_terminal_text_but_never_in_what_is_stored_or_sent() -> None:
    remember("ab1")
    remember(True)  # one bit, never redacted: "true" would vanish from every document
    assert redact("value ab1 rejected") == "value ab1 rejected"
    assert redact_stored("value ab1 rejected") == "value <sensitive> rejected"
    assert redact_stored("table1 cab12") == "table1 cab12"  # only where it is a word
    doc = redact_document({"environment": "ab1", "error": "bad ab1", "lines": ["ab1"]})
    assert doc == {"environment": "ab1", "error": "bad <sensitive>", "lines": ["<sensitive>"]}
    assert redact_document({"environment": "ab1"}, strict=True) == {"environment": "<sensitive>"}
    assert redact_stored("true and false") == "true and false"
    remember("ab1x")
    kept = redact_document({"inputs": {"a": "ab1x"}, "error": "ab1x"}, keep=frozenset({"inputs"}))
    assert kept == {"inputs": {"a": "ab1x"}, "error": "<sensitive>"}


def test_the_stream_holds_a_line_until_it_is_whole() -> None:
    remember("split-secret-value")
    inner = io.StringIO()
    stream = RedactingStream(inner)
    stream.write("a split-sec")
    assert inner.getvalue() == ""
    stream.write("ret-value here\nnext ")
    assert inner.getvalue() == "a <sensitive> here\n"
    stream.flush()
    assert inner.getvalue().endswith("next ")


@pytest.mark.parametrize(
    ("text", "sensitive"),
    [
        ("true", True),
        ('"true"', True),
        ("false", False),
        ('"false"', False),
        ("var.secret_flag", True),  # an expression: envman cannot evaluate it, so sensitive
        ("local.on ? true : false", True),
        ('"${true}"', True),
        ("null", True),
        ('"yes"', True),  # terraform rejects it; envman fails closed
    ],
)
def test_sensitive_in_every_form_terraform_accepts(text: str, sensitive: bool) -> None:
    data = parse_hcl_text(f'variable "v" {{\n  sensitive = {text}\n}}\n', Path("x.tf"))
    assert sensitive_flag(data["variable"][0]) is sensitive
    assert sensitive_flag({"__label__": "w"}) is False  # not given: not sensitive


def test_the_stack_predicate(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "a" {\n  sensitive = "true"\n}\nvariable "b" {}\n'
        'output "o" {\n  value = 1\n  sensitive = "true"\n}\n'
    )
    stack = read_stack(tmp_path)
    assert stack.is_sensitive("a") and not stack.is_sensitive("b")
    assert not stack.is_sensitive("undeclared")
    assert stack.outputs == {"o": True}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("token = <<EOT\nheredoc-canary-91ab\n", "t.tfvars:1:9"),
        ('a = 1\ntoken = "quote-canary-55d1\nb = 2\n', "t.tfvars:"),
        ("token = {quote-canary-55d1 = }\n", "t.tfvars:1:"),
    ],
)
def test_parse_errors_name_file_line_column_never_the_text(
    tmp_path: Path, text: str, where: str
) -> None:
    path = tmp_path / "t.tfvars"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_tfvars(path)
    message = str(caught.value)
    assert "canary" not in message and "EOT" not in message
    assert where in message and "invalid HCL" in message, message
    assert "\n" not in message


def test_json_tfvars_errors_name_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "x.auto.tfvars.json"
    path.write_text('{"token": "json-canary-0d1e"\n "x": 1}')
    with pytest.raises(ConfigError) as caught:
        read_tfvars(path)
    assert "x.auto.tfvars.json:2:2: invalid JSON" in str(caught.value)
    assert "canary" not in str(caught.value)


@pytest.mark.parametrize("item", ["set-canary-value", "=set-canary-value", "a b=set-canary"])
def test_an_invalid_set_item_is_not_echoed(item: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_set(["ok=1", item])
    assert "canary" not in str(caught.value) and "item #2" in str(caught.value)


def test_a_long_diagnostic_is_cut_after_redaction_never_through_a_secret() -> None:
    from envman.terraform.runner import Completed, Diagnostic, failure_message

    secret = "cut-canary-" + "9" * 30
    remember(secret)
    detail = "x" * 260 + f" invalid CIDR address: {secret}."  # straddles the cut
    done = Completed(
        ["apply"], 1, diagnostics=[Diagnostic("error", "Error in function call", detail)]
    )
    message = failure_message("terraform apply", done)
    assert "cut-canary" not in message and "9999" not in message


def test_every_source_of_a_sensitive_value_is_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from envman.secrets.sources import remember_inputs

    stack_dir = tmp_path / "stack"
    stack_dir.mkdir()
    (stack_dir / "main.tf").write_text(
        "".join(f'variable "{n}" {{\n  sensitive = "true"\n}}\n' for n in "abcde")
        + 'variable "plain" {}\n'
        + 'variable "f" {\n  sensitive = true\n  default = "default-secret"\n}\n'
        + 'variable "g" {\n  default = "plain-default"\n}\n'
    )
    (stack_dir / "terraform.tfvars").write_text('a = "stack-folder-secret"\n')
    env_file = tmp_path / "terraform.tfvars"
    env_file.write_text('b = "env-file-secret"\nplain = "not-a-secret"\n')
    monkeypatch.setenv("TF_VAR_c", "tf-var-secret")
    remember_inputs(read_stack(stack_dir), [env_file], ({"d": "pin-secret"}, {"e": ["set-secret"]}))
    found = redactor.known()
    for value in ("stack-folder-secret", "env-file-secret", "tf-var-secret", "pin-secret"):
        assert value in found
    assert "set-secret" in found and "default-secret" in found
    assert "not-a-secret" not in found and "plain-default" not in found


def test_a_null_sensitive_default_costs_no_parse_and_a_real_one_is_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts cache says which defaults are null (value-free), so a stack whose sensitive
    variables default to null is never parsed again on a plan (start-up cost)."""
    from envman.config import hclfile
    from envman.secrets.sources import remember_defaults

    (tmp_path / "null.tf").write_text(
        'variable "pw" {\n  default   = null\n  sensitive = true\n}\n'
    )
    (tmp_path / "real.tf").write_text(
        'variable "tok" {\n  default   = "default-canary-77aa"\n  sensitive = true\n}\n'
    )
    stack = read_stack(tmp_path, tmp_path / "facts")
    assert stack.variables["pw"].default_null and not stack.variables["tok"].default_null
    parsed: list[Path] = []
    real_load = hclfile.load_hcl

    def counting_load(path: Path) -> hclfile.HclDocument:
        parsed.append(path)
        return real_load(path)

    monkeypatch.setattr(hclfile, "load_hcl", counting_load)
    remember_defaults(stack)  # parses in the background: redacting waits for it
    assert "default-canary-77aa" not in redact_stored("echo default-canary-77aa")
    assert parsed == [tmp_path / "real.tf"]


def test_values_learnt_in_the_background_are_waited_for_and_errors_surface() -> None:
    """remember_soon: a reader of the registry waits for the background values (none leak
    while they are learnt), and an error of the learning is raised to that reader."""
    import threading

    from envman.secrets.redactor import forget_all, known, redact, remember_soon

    forget_all()
    release = threading.Event()

    def slow() -> list[str]:
        release.wait(5)
        return ["background-secret-91c2"]

    remember_soon(slow)
    threading.Timer(0.2, release.set).start()
    assert redact("x background-secret-91c2 y") == "x <sensitive> y"

    def broken() -> list[str]:
        raise RuntimeError("cannot learn")

    remember_soon(broken)
    with pytest.raises(RuntimeError, match="cannot learn"):
        known()
    assert "background-secret-91c2" in known()  # the error is raised once
    forget_all()


def test_concurrent_readers_each_wait_for_background_values() -> None:
    """Readers in several threads while values are being learnt: none sees a learning that
    has not started (no 'cannot join thread'), and none goes on before the values are known,
    even when another reader is already waiting for the same learning."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from envman.secrets.redactor import forget_all, redact, remember_soon

    for round_ in range(20):
        forget_all()
        release = threading.Event()
        secret = f"concurrent-secret-{round_}-7d1e"

        def slow(value: str = secret, gate: threading.Event = release) -> list[str]:
            gate.wait(5)
            return [value]

        remember_soon(slow)
        threading.Timer(0.01, release.set).start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            text = f"a {secret} b"
            said = list(pool.map(lambda _, t=text: redact(t), range(16)))
        assert said == ["a <sensitive> b"] * 16
    forget_all()
