"""应回访 counts only tasks of approved plans; tasks left out by the sample, or whose plan awaits approval, are
counted apart and named in the report's 口径说明, its analysis, its workbook and its drill-down."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlalchemy import update

from dialer.model import Answer, Attempt, Customer, Database, ImportBatch, Task, TaskStatus
from dialer.model.batches import PlanStatus
from dialer.model.facts import backfill_report_facts
from dialer.reports import build_report, workbook_bytes
from dialer.reports.figures import Scope, drill_tasks
from tests.reports.conftest import november
from tests.reports.golden import NOW, SH, Golden, at

# Four more November tasks of type 新契约, each in its own plan:
#   A1  plan pending approval, task pending      -> 计划待批准, not due
#   A2  plan approved, left out by the sample     -> 抽样未选中, not due
#   A3  plan approved, succeeded (q1 yes, q2 yes) -> due, succeeded, timely
#   A4  plan rejected, its task cancelled         -> 已撤销, not due
PLANS = (("A1", PlanStatus.PENDING, TaskStatus.PENDING), ("A2", PlanStatus.APPROVED, TaskStatus.NOT_SAMPLED),
         ("A3", PlanStatus.APPROVED, TaskStatus.SUCCEEDED), ("A4", PlanStatus.REJECTED, TaskStatus.CANCELLED))  # fmt: skip


def _seed_plans(db: Database) -> dict[str, int]:
    ids = {}
    with db.session() as s, s.begin():
        for n, (key, plan_status, status) in enumerate(PLANS):
            plan = ImportBatch(
                filename=f"{key}.xlsx", sha256="0" * 64, task_type="new_policy", status=plan_status
            )
            closed = None if status == TaskStatus.PENDING else at(11, 15)
            t = Task(customer=Customer(name=f"客户{key}", phone=f"+86139100{n:05d}"), type="new_policy",
                     script="new_policy", event_at=at(11, 12 + n), earliest_at=at(11, 12 + n),
                     deadline_at=at(11, 27), status=status, department="个险部", seller="陈", closed_at=closed)  # fmt: skip
            s.add(plan)
            s.flush()
            t.import_batch_id = plan.id
            s.add(t)
            s.flush()
            if status == TaskStatus.SUCCEEDED:
                a = Attempt(task_id=t.id, number=1, status="completed", outcome="succeeded", to_number="+861",
                            script="new_policy", placed_at=at(11, 15))  # fmt: skip
                s.add(a)
                s.flush()
                s.add_all(
                    [
                        Answer(attempt_id=a.id, question_id=q, question_text=q, label="yes")
                        for q in ("q1", "q2")
                    ]
                )
            ids[key] = t.id
        s.flush()
        backfill_report_facts(s.connection())
    return ids


def _report(db: Database) -> dict[str, Any]:
    with db.session() as s:
        return build_report(s, november(), NOW)


def test_unapproved_and_unsampled_tasks_are_not_due_and_are_counted_apart(
    db: Database, golden: Golden
) -> None:
    ids = _seed_plans(db)
    r = _report(db)
    t = r["total"]
    # Golden November: 9 due, 6 succeeded, 5 timely, 1 withdrawn. Plus A3 (due, succeeded, timely) and A4.
    assert (t["tasks"], t["succeeded"], t["timely"], t["withdrawn"]) == (9 + 1, 6 + 1, 5 + 1, 1 + 1)
    assert (t["not_sampled"], t["awaiting_approval"], t["open"]) == (1, 1, 1)  # open: T5 only, not A1
    assert t["success_rate"] == 7 / 10
    new_policy = next(x for x in r["by_type"] if x["key"] == "new_policy")
    assert (new_policy["tasks"], new_policy["not_sampled"], new_policy["awaiting_approval"]) == (6, 1, 1)
    q1 = next(q for q in r["by_question"] if q["question_id"] == "q1")
    assert q1["answered"] == 3 + 1 and q1["yes"] == 4  # T1, T2, T3 and A3
    assert "另有抽样未选中 1 件、所属回访计划尚未批准 1 件，均不计入应回访件数。" in r["analysis"]
    assert any("抽样未选中" in d and "计划待批准" in d and "不计入应回访件数" in d for d in r["definitions"])
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(r, NOW)))
    overview = {row[0]: row[1:3] for row in wb["总览"].iter_rows(min_row=2, values_only=True)}
    assert (
        overview["抽样未选中"] == (1, 0)
        and overview["计划待批准"] == (1, 0)
        and overview["应回访件数"] == (10, 3)
    )
    m = november().month
    scope = Scope(m.previous().start(SH), m.start(SH), m.end(SH))
    with db.session() as s:
        assert [x.id for x in drill_tasks(s, scope, "total", "", "awaiting_approval")] == [ids["A1"]]
        assert [x.id for x in drill_tasks(s, scope, "total", "", "not_sampled")] == [ids["A2"]]
        assert ids["A1"] not in {x.id for x in drill_tasks(s, scope, "total", "", "tasks")}


def test_a_plan_approved_later_brings_its_tasks_into_the_month(db: Database, golden: Golden) -> None:
    ids = _seed_plans(db)
    with db.session() as s, s.begin():
        plan_id = s.get(Task, ids["A1"]).import_batch_id  # type: ignore[union-attr]
        s.execute(update(ImportBatch).where(ImportBatch.id == plan_id).values(status=PlanStatus.APPROVED))
    t = _report(db)["total"]
    assert (t["tasks"], t["open"], t["awaiting_approval"]) == (9 + 2, 2, 0)
