"""Property-based tests: properties that must hold for every input, not just "no exception".

- a parse of valid HCL gives back exactly what was written (round trip);
- a configuration error names the file and the line of the mistake;
- plan models keep their invariants, and the streaming reader agrees with the model.
"""

from __future__ import annotations

import io
import json
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envman.config.hclfile import load_hcl
from envman.config.project import load_project
from envman.errors import ConfigError, TerraformError
from envman.terraform.models import Actions, Plan
from envman.terraform.plan_reader import read_plan

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# -- HCL round trip ------------------------------------------------------------------------

names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
texts = st.text(alphabet=string.ascii_letters + string.digits + " -_./:@,", max_size=20)
scalars = st.one_of(texts, st.integers(min_value=0, max_value=10**9), st.booleans())
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.dictionaries(names, scalars, max_size=3),
)


@st.composite
def bodies(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    attributes = draw(st.dictionaries(names, values, max_size=4))
    blocks: dict[str, list[dict[str, Any]]] = {}
    if depth < 2:
        for name in draw(st.lists(names, max_size=2, unique=True)):
            if name in attributes:
                continue
            labelled = draw(st.booleans())
            items = []
            for label in draw(st.lists(names, min_size=1, max_size=2, unique=True)):
                body = draw(bodies(depth + 1))
                items.append({"__label__": label, **body} if labelled else body)
            blocks[name] = items if labelled else items[:1]
    return {**attributes, **blocks}


def render_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    return "{\n" + "".join(f"  {k} = {render_value(v)}\n" for k, v in value.items()) + "}"


def render(body: dict[str, Any], indent: str = "") -> str:
    """HCL text for ``body``: a list of objects is a block (attribute lists hold scalars)."""
    out = []
    for key, value in body.items():
        if isinstance(value, list) and value and all(isinstance(b, dict) for b in value):
            for block in value:
                label = f' "{block["__label__"]}"' if "__label__" in block else ""
                inner = {k: v for k, v in block.items() if k != "__label__"}
                out.append(f"{indent}{key}{label} {{\n{render(inner, indent + '  ')}{indent}}}\n")
            continue
        out.append(f"{indent}{key} = {render_value(value)}\n")
    return "".join(out)


@FAST
@given(body=bodies())
def test_valid_hcl_round_trips(tmp_path: Path, body: dict[str, Any]) -> None:
    path = tmp_path / "x.hcl"
    path.write_text(render(body))
    assert load_hcl(path).data == body


# -- configuration errors name file and line -----------------------------------------------

ENV_LINES = [
    'description = "generated"',
    'stack = "../../stack"',
    'backend "local" {\n  path = "s.tfstate"\n}',
    "protection {\n  confirm = true\n}",
    'drift {\n  ignore = ["aws_instance.*.tags"]\n}',
]


@FAST
@given(
    statements=st.lists(st.sampled_from(ENV_LINES), min_size=1, max_size=5, unique=True),
    position=st.integers(min_value=0, max_value=5),
    key=names.filter(lambda n: n not in {"description", "stack", "backend", "protection"}),
)
def test_an_unknown_key_is_named_with_file_and_line(
    tmp_path: Path, statements: list[str], position: int, key: str
) -> None:
    wrong = f"x_{key} = 1"
    position = min(position, len(statements))
    pieces = [*statements[:position], wrong, *statements[position:]]
    text = "\n".join(pieces) + "\n"
    line = _line_of(pieces, position)
    project = _project(tmp_path, text)
    try:
        load_project(project).environment("dev")
    except ConfigError as exc:
        message = str(exc)
    else:
        raise AssertionError("an unknown key was accepted")
    path = project / "environments" / "dev" / "environment.hcl"
    assert message.startswith(f"{path}:{line}: "), message
    assert f"x_{key}" in message


@FAST
@given(
    statements=st.lists(st.sampled_from(ENV_LINES), min_size=1, max_size=5, unique=True),
    position=st.integers(min_value=0, max_value=5),
    breaker=st.sampled_from(["oops {", 'bad = "unterminated', "}", "x = [1, 2"]),
)
def test_a_syntax_error_is_named_with_file_and_line(
    tmp_path: Path, statements: list[str], position: int, breaker: str
) -> None:
    position = min(position, len(statements))
    pieces = [*statements[:position], breaker, *statements[position:]]
    text = "\n".join(pieces) + "\n"
    line = _line_of(pieces, position)
    project = _project(tmp_path, text)
    try:
        load_project(project).environment("dev")
    except ConfigError as exc:
        message = str(exc)
    else:
        raise AssertionError("a syntax error was accepted")
    path = project / "environments" / "dev" / "environment.hcl"
    assert message.startswith(f"{path}:{line}: invalid HCL: "), message
    assert "Token(" not in message


def _line_of(pieces: list[str], position: int) -> int:
    return 1 + sum(piece.count("\n") + 1 for piece in pieces[:position])


def _project(tmp_path: Path, text: str) -> Path:
    root = tmp_path / f"p{abs(hash(text))}"
    folder = root / "environments" / "dev"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "environment.hcl").write_text(text)
    (root / "stack").mkdir(exist_ok=True)
    return root


# -- plan models ---------------------------------------------------------------------------

ACTION_LISTS = st.sampled_from(
    [
        ["no-op"],
        ["create"],
        ["read"],
        ["update"],
        ["delete"],
        ["delete", "create"],
        ["create", "delete"],
        ["forget"],
    ]
)


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    changes = []
    for index, actions in enumerate(draw(st.lists(ACTION_LISTS, max_size=12))):
        mode = draw(st.sampled_from(["managed", "managed", "data"]))
        changes.append(
            {
                "address": f"terraform_data.r{index}",
                "mode": mode,
                "type": "terraform_data",
                "name": f"r{index}",
                "change": {"actions": actions, "before": {"i": index}, "after": {"i": -index}},
            }
        )
    outputs = {
        name: {"actions": actions, "before": 1, "after": 2}
        for name, actions in draw(st.dictionaries(names, ACTION_LISTS, max_size=3)).items()
    }
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": changes,
        "output_changes": outputs,
    }


@FAST
@given(document=plans())
def test_plan_summary_invariants(document: dict[str, Any]) -> None:
    plan = Plan.from_json(document)
    summary = plan.summary()
    managed = [rc for rc in plan.resource_changes if rc.mode == "managed"]
    assert summary.replace <= min(summary.add, summary.destroy)
    assert summary.replace == sum(1 for rc in managed if rc.change.actions.replace())
    assert summary.add + summary.change + summary.destroy - summary.replace <= len(managed)
    changing = [rc for rc in managed if not rc.change.actions.noop()]
    outputs = [c for c in plan.output_changes.values() if not c.actions.noop()]
    counted = summary.add + summary.change + summary.destroy
    assert (counted > 0) == any(
        a.create() or a.delete() or a.update() or a.replace()
        for a in (rc.change.actions for rc in changing)
    )
    assert summary.has_changes == (counted > 0 or bool(outputs))
    assert summary.outputs_changed == len(outputs)


@FAST
@given(document=plans())
def test_the_streaming_reader_agrees_with_the_model(document: dict[str, Any]) -> None:
    streamed = read_plan(io.BytesIO(json.dumps(document).encode()))
    whole = Plan.from_json(document)
    assert streamed.summary() == whole.summary()
    assert [(rc.address, rc.change.actions) for rc in streamed.resource_changes] == [
        (rc.address, rc.change.actions) for rc in whole.resource_changes
    ]
    for rc in streamed.resource_changes:  # values are never read for a no-op
        assert (rc.change.before is None) == rc.change.actions.noop()


@FAST
@given(
    data=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=20,
    ),
    key=st.sampled_from(["resource_changes", "resource_drift", "output_changes", "variables"]),
)
def test_any_document_is_a_plan_or_a_terraform_error(data: object, key: str) -> None:
    """A document of the wrong shape is reported as terraform's (TerraformError); any other
    exception would be a bug in envman and fails this test instead of being disguised."""
    document = {"format_version": "1.2", key: data}
    readers: list[Callable[[], Plan]] = [
        lambda: Plan.from_json(document),
        lambda: read_plan(io.BytesIO(json.dumps(document).encode())),
    ]
    for read in readers:
        try:
            plan = read()
        except TerraformError as exc:
            assert "plan JSON" in str(exc)
        else:
            assert all(
                isinstance(a, str)
                for rc in plan.resource_changes
                for a in rc.change.actions.actions
            )


def test_actions_of_a_streamed_word_and_a_list_agree() -> None:
    assert Actions.of("replace").replace() and Actions.of(["delete", "create"]).replace()
