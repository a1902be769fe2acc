"""envman tf arguments, audit entries and the ledger after a destroy (pure, LocalStore)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envman.errors import EnvmanError, UsageError
from envman.operate.audit import audit_row, begin_audit, finish_audit, read_audit
from envman.operate.tfargs import (
    MASK,
    Access,
    build_argv,
    classify,
    is_destroy,
    mask_args,
    positionals,
)
from envman.releases.ledger import Ledger
from envman.releases.models import Status
from envman.releases.store_local import LocalStore
from envman.terraform.state import StateInfo

VAR_FILES = (Path("/w/terraform.tfvars"), Path("/w/pinned.tfvars.json"))


@pytest.mark.parametrize(
    ("args", "name", "access"),
    [
        (["state", "list"], "state list", Access.READ),
        (["state", "show", "x.y"], "state show", Access.READ),
        (["output", "-raw", "image_tag"], "output", Access.READ),
        (["console"], "console", Access.READ),
        (["plan", "-detailed-exitcode"], "plan", Access.READ),
        (["-version"], "-version", Access.READ),
        (["workspace", "list"], "workspace list", Access.READ),
        (["init", "-upgrade"], "init", Access.SETUP),
        (["import", "aws_s3_bucket.b", "name"], "import", Access.MUTATE),
        (["state", "rm", "x.y"], "state rm", Access.MUTATE),
        (["state", "mv", "a.b", "a.c"], "state mv", Access.MUTATE),
        (["state", "push", "f"], "state push", Access.MUTATE),
        (["state", "replace-provider", "a", "b"], "state replace-provider", Access.MUTATE),
        (["taint", "x.y"], "taint", Access.MUTATE),
        (["untaint", "x.y"], "untaint", Access.MUTATE),
        (["force-unlock", "-force", "id"], "force-unlock", Access.MUTATE),
        (["apply", "-auto-approve"], "apply", Access.MUTATE),
        (["refresh"], "refresh", Access.MUTATE),
        (["some-future-command"], "some-future-command", Access.MUTATE),  # unknown: audited
        (["state", "rm", "-help"], "state", Access.READ),
        (["state"], "state", Access.READ),
    ],
)
def test_classify(args: list[str], name: str, access: Access) -> None:
    command = classify(args)
    assert (command.name, command.access) == (name, access)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "no terraform command"),
        (["destroy", "-target=aws_s3_bucket.x"], "targeted destroy"),
        (["apply", "-destroy", "-target", "a.b"], "targeted destroy"),
        (["-chdir=elsewhere", "plan"], "-chdir"),
        (["workspace", "select", "other"], "workspaces"),
        (["workspace", "new", "other"], "workspaces"),
    ],
)
def test_refused_commands(args: list[str], says: str) -> None:
    with pytest.raises(UsageError) as caught:
        classify(args)
    assert says in str(caught.value)


def test_apply_destroy_false_is_an_apply() -> None:
    assert classify(["apply", "-destroy=false"]).access is Access.MUTATE


@pytest.mark.parametrize(
    ("args", "destroys"),
    [
        (["destroy"], True),
        (["apply", "-destroy"], True),
        (["apply", "-destroy=true", "-auto-approve"], True),
        (["apply", "-destroy=false"], False),
        (["plan", "-destroy"], False),  # a plan changes nothing
    ],
)
def test_a_destroy_is_known_by_its_effect(args: list[str], destroys: bool) -> None:
    assert is_destroy(classify(args).args) is destroys


def test_var_files_go_right_after_the_command() -> None:
    argv = build_argv(classify(["import", "-var", "x=1", "a.b", "id"]), VAR_FILES, [])
    assert argv == [
        "import",
        "-var-file=/w/terraform.tfvars",
        "-var-file=/w/pinned.tfvars.json",
        "-var",
        "x=1",
        "a.b",
        "id",
    ]
    for command in ("plan", "refresh", "console", "apply"):
        assert build_argv(classify([command]), VAR_FILES, [])[1].startswith("-var-file=")


def test_no_var_files_for_other_commands_or_a_saved_plan() -> None:
    for args in (["state", "list"], ["output", "-raw", "x"], ["state", "rm", "a.b"]):
        assert build_argv(classify(args), VAR_FILES, []) == args
    # terraform refuses variables with a saved plan
    saved = ["apply", "-lock-timeout", "5s", "plan.tfplan"]
    assert build_argv(classify(saved), VAR_FILES, []) == saved
    assert build_argv(classify(["apply", "-target", "a.b"]), VAR_FILES, [])[1].startswith(
        "-var-file="
    )


def test_init_gets_the_backend_settings() -> None:
    argv = build_argv(classify(["init", "-upgrade"]), VAR_FILES, ["-backend-config=path=/s"])
    assert argv == ["init", "-backend-config=path=/s", "-upgrade"]


def test_positionals_skip_flag_values() -> None:
    assert positionals(["-var", "a=1", "-auto-approve", "p.tfplan"]) == ["p.tfplan"]
    assert positionals(["-var=a=1", "-lock-timeout=3s"]) == []
    assert positionals(["-x", "--", "-odd-name"]) == ["-odd-name"]


def test_mask_args_hides_every_value() -> None:
    masked = mask_args(
        [
            "apply",
            "-var",
            "db_password=hunter2",
            "-var=token=s3cr3t",
            "--var",
            "bare-secret",
            "-var-file=/secrets/prod.tfvars",
            "-lock-timeout=30s",
            "-backend-config",
            "access_key=AKIA",
            "key=value",
            "terraform_data.app",
        ]
    )
    text = " ".join(masked)
    for secret in ("hunter2", "s3cr3t", "bare-secret", "/secrets", "30s", "AKIA", "value"):
        assert secret not in text
    assert masked == [
        "apply",
        "-var",
        f"db_password={MASK}",
        f"-var=token={MASK}",
        "--var",
        MASK,
        f"-var-file={MASK}",
        f"-lock-timeout={MASK}",
        "-backend-config",
        f"access_key={MASK}",
        f"key={MASK}",
        "terraform_data.app",
    ]


def test_audit_entry_is_created_once_and_completed(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "ledger")
    entry = begin_audit(
        store, "dev", ["state", "rm", "a.b"], StateInfo(4, "L"), redact=lambda s: s.upper()
    )
    name = entry.name()
    assert name.startswith("audit/") and name.endswith(".json")
    running = json.loads(store.read(name) or b"{}")
    assert running["status"] == "running"
    assert running["command"] == ["STATE", "RM", "A.B"]  # through the redaction seam
    assert running["state"]["serial_before"] == 4
    # the name is written by exclusive create: a second writer with the same name is refused
    assert store.create(name, b"{}") is False
    finish_audit(store, entry, "succeeded", 0, StateInfo(5, "L"))
    entries, problems = read_audit(store)
    assert problems == []
    assert [(e.status, e.exit_code, e.state.serial_after) for e in entries] == [("succeeded", 0, 5)]
    row = audit_row(entries[0])
    assert row[0] == "audit" and "terraform STATE RM A.B" in row[3] and "4 → 5" in row[4]


def test_audit_entries_newest_first_limited_and_bad_ones_reported(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "ledger")
    ids = [begin_audit(store, "dev", ["taint", f"a.n{i}"], StateInfo(i, "L")).id for i in range(3)]
    store.create("audit/99999999T999999.999999Z-broken.json", b"{not json")
    entries, problems = read_audit(store, limit=2)
    assert [e.id for e in entries] == [ids[2], ids[1]]
    assert len(problems) == 1 and "broken" in problems[0]


def test_audit_entries_are_never_releases(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "ledger")
    ledger = Ledger(store, "dev")
    first = ledger.begin(kind="apply", inputs={"image_tag": "v2"})
    first.status = Status.APPLIED
    ledger.save(first)
    begin_audit(store, "dev", ["import", "a.b", "id"], StateInfo(1, "L"))
    assert ledger.seqs() == [1]
    current = ledger.current()
    assert current is not None and current.seq == 1
    with pytest.raises(EnvmanError):
        ledger.get(2)


def test_no_current_release_after_a_destroy(tmp_path: Path) -> None:
    ledger = Ledger(LocalStore(tmp_path / "ledger"), "dev")
    for kind, status in (("apply", "applied"), ("destroy", "applied")):
        release = ledger.begin(kind=kind, inputs={"image_tag": "v2"})
        release.status = Status(status)
        ledger.save(release)
    assert ledger.current() is None
    last = ledger.last_successful()
    assert last is not None and last.kind == "destroy"
    assert ledger.previous_successful(3) is not None
    assert ledger.previous_successful(3).seq == 1  # type: ignore[union-attr]
    failed = ledger.begin(kind="apply")
    failed.status = Status.FAILED
    ledger.save(failed)
    assert ledger.current() is None  # a failed rebuild changes nothing
    rebuilt = ledger.begin(kind="apply")
    rebuilt.status = Status.APPLIED
    ledger.save(rebuilt)
    assert ledger.current() is not None and ledger.current().seq == 4  # type: ignore[union-attr]


def test_a_failed_destroy_keeps_the_current_release(tmp_path: Path) -> None:
    ledger = Ledger(LocalStore(tmp_path / "ledger"), "dev")
    applied = ledger.begin(kind="apply")
    applied.status = Status.APPLIED
    ledger.save(applied)
    destroy = ledger.begin(kind="destroy")
    destroy.status = Status.FAILED
    ledger.save(destroy)
    current = ledger.current()
    assert current is not None and current.seq == 1


def test_passthrough_lets_terraform_ask() -> None:
    from envman.operate.passthrough import passthrough_env

    env = passthrough_env({"TF_INPUT": "0", "TF_IN_AUTOMATION": "1", "TF_DATA_DIR": "/d"})
    assert env == {"TF_DATA_DIR": "/d"}


def test_history_merge_keeps_release_order_under_a_clock_override() -> None:
    from envman.operate.audit import AuditEntry, merge_newest_first
    from envman.releases.models import Release

    def release(seq: int, at: str) -> Release:
        return Release(environment="dev", seq=seq, kind="apply", status="applied", started_at=at)

    def audit(at: str) -> AuditEntry:
        return AuditEntry(id=at, environment="dev", command=["taint", "a.b"], started_at=at)

    # release #3 ran under ENVMAN_NOW in the past: it still comes before #2
    releases = [release(3, "2026-01-01T00:00:00Z"), release(2, "2026-05-02T00:00:00Z")]
    merged = merge_newest_first(
        releases, [audit("2026-05-03T00:00:00Z"), audit("2026-05-01T00:00:00Z")]
    )
    seqs = [r.seq for r in merged if isinstance(r, Release)]
    assert seqs == [3, 2] and len(merged) == 4
    assert isinstance(merged[0], AuditEntry)  # the newest entry still comes first
