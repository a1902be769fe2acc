"""Pure parts of CDK app synthesis: source digest, stack choice, backend override, errors,
and the stack facts read from terraform's JSON syntax (no synthesis runs here)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from envman.config.stack import read_stack
from envman.errors import ConfigError
from envman.synth.app import read_app
from envman.synth.digest import app_digest
from envman.synth.process import AppRun, SynthError, app_environment, failure
from envman.synth.select import (
    OVERRIDE_FILE,
    StackChoice,
    choose_stack,
    put_backend,
    synthesised_stacks,
)
from envman.synth.synthesise import _remove_dead_temps

SYNTHESISED = {
    "//": {"metadata": {"backend": "local", "stackName": "tiny"}},
    "variable": {
        "release": {"type": "string", "default": "r1"},
        "token": {"type": "string", "sensitive": True},
        "sizes": {"type": "${list(number)}", "default": []},
    },
    "output": {
        "marker": {"value": "${terraform_data.m.output}"},
        "token": {"value": "${var.token}", "sensitive": True},
    },
    "resource": {"terraform_data": {"m": {"input": "${var.release}"}}},
    "terraform": {"backend": {"local": {"path": "/somewhere/app/terraform.tiny.tfstate"}}},
    "module": {"net": {"source": "terraform-aws-modules/vpc/aws", "version": "5.0.0"}},
}


def write_stack(folder: Path, data: dict[str, object] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cdk.tf.json").write_text(json.dumps(data or SYNTHESISED))
    return folder


def test_stack_facts_from_synthesised_json(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "stacks" / "tiny")
    put_backend(stack, "s3", tmp_path / "environment.hcl")
    info = read_stack(stack)
    assert {n: (v.required, v.sensitive, v.type) for n, v in info.variables.items()} == {
        "release": (False, False, "string"),
        "token": (True, True, "string"),
        "sizes": (False, False, "list(number)"),
    }
    assert info.outputs == {"marker": False, "token": True}
    assert info.backend_type == "s3"  # the override file is read last, as terraform merges it
    assert info.module_sources == ("net=terraform-aws-modules/vpc/aws@5.0.0",)


def test_json_syntax_lists_of_blocks(tmp_path: Path) -> None:
    data = {"variable": [{"a": {}}, {"b": {"default": 1}}], "terraform": [{"backend": {"s3": {}}}]}
    info = read_stack(write_stack(tmp_path, data))
    assert {n: v.required for n, v in info.variables.items()} == {"a": True, "b": False}
    assert info.backend_type == "s3"


def test_invalid_json_names_the_file(tmp_path: Path) -> None:
    tmp_path.joinpath("main.tf.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"main\.tf\.json: invalid JSON"):
        read_stack(tmp_path)


def test_backend_override_replaces_local_and_refuses_another_type(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "tiny")
    put_backend(stack, "local", tmp_path / "env.hcl")
    written = (stack / OVERRIDE_FILE).stat().st_mtime_ns
    assert json.loads((stack / OVERRIDE_FILE).read_text()) == {
        "terraform": {"backend": {"local": {}}}
    }
    put_backend(stack, "local", tmp_path / "env.hcl")  # unchanged: not rewritten
    assert (stack / OVERRIDE_FILE).stat().st_mtime_ns == written

    gcs = write_stack(tmp_path / "gcs", {"terraform": {"backend": {"gcs": {"bucket": "b"}}}})
    with pytest.raises(ConfigError, match=r'env\.hcl: .*declares backend "gcs".*"s3"'):
        put_backend(gcs, "s3", tmp_path / "env.hcl")
    assert not (gcs / OVERRIDE_FILE).exists()
    put_backend(gcs, "gcs", tmp_path / "env.hcl")  # the same type: the environment's values win


def test_choose_stack(tmp_path: Path) -> None:
    for name in ("b", "a"):
        write_stack(tmp_path / "stacks" / name)
    stacks = synthesised_stacks(tmp_path)
    assert list(stacks) == ["a", "b"]
    env = tmp_path / "environment.hcl"
    with pytest.raises(ConfigError, match=r"several stacks \(a, b\) and no cdk_stack"):
        choose_stack(tmp_path, stacks, StackChoice(None, env))
    with pytest.raises(ConfigError, match=r'environment\.hcl:4: cdk_stack "c" is not a stack'):
        choose_stack(tmp_path, stacks, StackChoice("c", env, 4))
    assert choose_stack(tmp_path, stacks, StackChoice("b", env)) == tmp_path / "stacks" / "b"
    assert choose_stack(tmp_path, {"a": stacks["a"]}, StackChoice(None, env)) == stacks["a"]
    with pytest.raises(SynthError, match="synthesised no stack"):
        choose_stack(tmp_path, {}, StackChoice(None, env))


def test_digest_covers_sources_and_environment_only(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text("print(1)\n")
    (app / "cdktf.json").write_text('{"app": "python3 main.py"}')
    base = app_digest(app, "dev")
    assert app_digest(app, "staging") != base
    for ignored in (
        ".venv/lib/x.py",
        "node_modules/a/b.js",
        "__pycache__/main.pyc",
        "cdktf.out/m.json",
    ):
        (app / ignored).parent.mkdir(parents=True, exist_ok=True)
        (app / ignored).write_text("anything")
    (app / "terraform.tiny.tfstate").write_text("{}")
    assert app_digest(app, "dev") == base
    (app / "out").mkdir()
    (app / "out" / "x").write_text("1")
    assert app_digest(app, "dev") != base
    assert app_digest(app, "dev", frozenset({"out"})) == base
    (app / "main.py").write_text("print(2)\n")
    assert app_digest(app, "dev") != base


def test_read_app_errors(tmp_path: Path) -> None:
    (tmp_path / "cdktf.json").write_text('{"language": "python"}')
    with pytest.raises(ConfigError, match=r"cdktf\.json: 'app' is missing"):
        read_app(tmp_path)
    (tmp_path / "cdktf.json").write_text('{\n  "app": ,\n}')
    with pytest.raises(ConfigError, match=r"cdktf\.json:2: invalid JSON"):
        read_app(tmp_path)


def run_for(tmp_path: Path) -> AppRun:
    (tmp_path / "cdktf.json").write_text('{"app": "python3 main.py", "context": {"k": "v"}}')
    return AppRun(read_app(tmp_path), tmp_path / "out", "dev")


BANNER = "b'!!  Node 20 is end-of-life and not supported anymore by this software.  !!\\n'"


def test_failure_messages(tmp_path: Path) -> None:
    run = run_for(tmp_path)
    stderr = "\n".join(
        [
            "Traceback (most recent call last):",
            '  File "main.py", line 3, in <module>',
            "    raise RuntimeError('password=hunter2')",
            "RuntimeError: password=hunter2",
            BANNER,
        ]
    )
    error = failure(run, 1, stderr, redact=lambda s: s.replace("hunter2", "***"))
    assert "failed (exit 1): RuntimeError: password=***" in str(error)
    assert "hunter2" not in str(error) and "Node 20" not in str(error)
    assert "\n" not in str(error)

    plain = failure(run, 2, "first\nsecond\nthird\nfourth\n" + BANNER)
    assert "(exit 2): second | third | fourth" in str(plain)
    assert "no output on stderr" in str(failure(run, 3, BANNER))

    for module in ("cdktn", "cdktf"):
        missing = failure(run, 1, f"ModuleNotFoundError: No module named '{module}'")
        assert f"cannot import '{module}'" in str(missing)
        assert "pip install 'envman[cdk]'" in str(missing)


def test_app_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_HCL_OUTPUT", "true")
    monkeypatch.setenv("CDKTF_TARGET_STACK_ID", "other")
    env = app_environment(run_for(tmp_path))
    assert env["CDKTF_OUTDIR"] == str(tmp_path / "out")
    assert env["ENVMAN_ENVIRONMENT"] == "dev"
    assert json.loads(env["CDKTF_CONTEXT_JSON"]) == {"k": "v"}
    assert "SYNTH_HCL_OUTPUT" not in env and "CDKTF_TARGET_STACK_ID" not in env


def test_temporary_outputs_of_dead_runs_are_removed(tmp_path: Path) -> None:
    mine = tmp_path / f".tmp-{os.getpid()}-abcd"
    dead = tmp_path / ".tmp-999999999-abcd"
    for folder in (mine, dead):
        folder.mkdir()
    _remove_dead_temps(tmp_path)
    assert mine.exists() and not dead.exists()


SCRIPT = """\
echo run >> "$RUNS"
mkdir -p "$CDKTF_OUTDIR/stacks/s"
printf '{"variable": {"v": {}}, "output": {"o": {"value": "%s"}}}' "$ENVMAN_ENVIRONMENT" \
  > "$CDKTF_OUTDIR/stacks/s/cdk.tf.json"
printf '{"stacks": {"s": {"synthesizedStackPath": "stacks/s/cdk.tf.json"}}}' \
  > "$CDKTF_OUTDIR/manifest.json"
"""


def shell_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An app whose `app` command is a shell script writing what cdktn writes (the cache's
    logic without the ~2 s of a real synthesis; tests/e2e/test_cdk.py runs real ones)."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "cdktf.json").write_text('{"app": "sh synth.sh"}')
    (app / "synth.sh").write_text(SCRIPT)
    runs = tmp_path / "runs"
    monkeypatch.setenv("RUNS", str(runs))
    return app, runs


def test_cache_reuse_rebuild_lock_files_and_pruning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from envman.synth.synthesise import SynthOptions, SynthTarget, synthesise

    app, runs = shell_app(tmp_path, monkeypatch)
    target = SynthTarget("dev", tmp_path / "synth", "local", StackChoice(None, tmp_path / "e.hcl"))
    told: list[Path] = []
    options = SynthOptions(on_synth=told.append, keep=2)
    first = synthesise(app, target, options)
    assert not first.cached and told == [app] and first.name == "s"
    assert (first.stack_dir / OVERRIDE_FILE).is_file()
    (first.stack_dir / ".terraform.lock.hcl").write_text("# locked by terraform init\n")
    again = synthesise(app, target, options)
    assert again.cached and again.stack_dir == first.stack_dir
    assert runs.read_text().count("run") == 1

    outputs = []
    for n in range(3):
        (app / "main.py").write_text(f"edit {n}\n")
        outputs.append(synthesise(app, target, options))
    assert runs.read_text().count("run") == 4
    assert all((o.stack_dir / ".terraform.lock.hcl").is_file() for o in outputs[-2:])  # carried
    kept = sorted(p.name for p in (tmp_path / "synth").iterdir())
    assert kept == sorted(o.out_dir.name for o in outputs[-2:])  # keep=2, most recent
    assert not list((tmp_path / "synth").glob(".tmp-*"))


def test_concurrent_synthesis_of_one_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from envman.synth.synthesise import SynthTarget, synthesise

    app, _ = shell_app(tmp_path, monkeypatch)
    target = SynthTarget("dev", tmp_path / "synth", "s3", StackChoice(None, tmp_path / "e.hcl"))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: synthesise(app, target), range(4)))
    assert len({r.stack_dir for r in results}) == 1
    assert [p.name for p in (tmp_path / "synth").iterdir()] == [results[0].out_dir.name]
    assert read_stack(results[0].stack_dir).backend_type == "s3"


def test_a_failed_or_interrupted_synthesis_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    from envman.errors import Interrupted
    from envman.synth.synthesise import SynthTarget, synthesise

    app, _ = shell_app(tmp_path, monkeypatch)
    target = SynthTarget("dev", tmp_path / "synth", "local", StackChoice(None, tmp_path / "e.hcl"))
    script = app / "synth.sh"
    script.write_text(SCRIPT + 'echo "Error: half-way" >&2\nexit 3\n')
    with pytest.raises(SynthError, match=r"failed \(exit 3\): .*Error: half-way"):
        synthesise(app, target)
    assert list((tmp_path / "synth").iterdir()) == []

    script.write_text(SCRIPT + "sleep 5\n")

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(Interrupted):
            synthesise(app, target)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert list((tmp_path / "synth").iterdir()) == []
