"""A plan (an imported list) is dialled only once a supervisor approves it; it can be rejected, or withdrawn
while no call has started; each decision is audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dialer.clock import utcnow
from dialer.model import Attempt, AuditEntry, Database, Task, open_database
from tests.programme.helpers import call_list, cli, cli_json, people

AT = "2026-11-23T10:30:00+08:00"  # a Monday morning window; the claims below happened on 11-20


@pytest.fixture
def url(db: Database, database_url: str) -> str:
    return database_url


def import_claims(url: str, tmp_path: Path, n: int = 3, day: str = "2026-11-20") -> int:
    f = call_list(tmp_path / f"claims-{day}.csv", "结案日期", people(n, day))
    report = cli_json(["import", str(f), "--type", "claim"], url, tmp_path)
    assert report["plan_status"] == "pending"
    return int(report["batch_id"])


def would_dial(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    monkeypatch.setenv(
        "DIALER_MAX_CONCURRENT_CALLS", "10"
    )  # the default (2) would cap the pass, not the plan
    return [c["task_id"] for c in cli_json(["tick", "--dry-run", "--at", AT], url, tmp_path)["calls"]]


def test_a_plan_is_dialled_only_after_approval(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = import_claims(url, tmp_path)
    assert would_dial(url, tmp_path, monkeypatch) == []
    listed = cli_json(["batches", "list"], url, tmp_path)
    assert [(p["id"], p["status"], p["tasks"]) for p in listed] == [(plan, "pending", 3)]
    out = cli(["batches", "approve", str(plan), "--by", "主管王"], url, tmp_path).output
    assert f"回访计划 {plan} 已批准" in out and "主管王" in out
    assert len(would_dial(url, tmp_path, monkeypatch)) == 3
    db = open_database(url)
    with db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "plan_approve")).one()
    db.dispose()
    assert entry.actor == "主管王" and entry.target == f"batch:{plan}"


def test_a_rejected_plan_is_never_dialled_and_cannot_be_approved(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = import_claims(url, tmp_path)
    cli(["batches", "reject", str(plan), "--reason", "名单重复", "--by", "主管王"], url, tmp_path)
    refused = cli(["batches", "approve", str(plan)], url, tmp_path, code=1)
    assert "当前状态为“已驳回”，只有待审批的计划可以批准" in refused.output
    shown = cli_json(["batches", "show", str(plan)], url, tmp_path)
    assert shown["status"] == "rejected" and shown["decision_note"] == "名单重复"
    assert shown["task_statuses"] == {"cancelled": 3}
    assert would_dial(url, tmp_path, monkeypatch) == []


def test_an_approved_plan_is_withdrawn_until_a_call_starts(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = import_claims(url, tmp_path)
    cli(["batches", "approve", str(first)], url, tmp_path)
    cli(["batches", "withdraw", str(first), "--by", "主管王"], url, tmp_path)
    assert would_dial(url, tmp_path, monkeypatch) == []
    second = import_claims(url, tmp_path, 2, day="2026-11-21")
    cli(["batches", "approve", str(second)], url, tmp_path)
    db = open_database(url)
    with db.session() as s, s.begin():
        task = s.scalars(select(Task).where(Task.import_batch_id == second)).first()
        assert task is not None
        s.add(Attempt(task_id=task.id, number=1, to_number=task.customer.phone, script=task.script,
                      status="completed", placed_at=utcnow()))  # fmt: skip
    db.dispose()
    refused = cli(["batches", "withdraw", str(second)], url, tmp_path, code=1)
    assert "已经开始拨打，不能撤回" in refused.output


def test_an_unknown_plan_is_named(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = cli(["batches", "show", "42"], url, tmp_path, code=1)
    assert "没有编号为 42 的回访计划" in refused.output


def test_a_rejection_needs_a_reason(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = import_claims(url, tmp_path)
    refused = cli(["batches", "reject", str(plan), "--reason", " "], url, tmp_path, code=1)
    assert "需要填写原因" in refused.output
