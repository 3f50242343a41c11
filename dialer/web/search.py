"""The calls list (the compliance search): its filters, sort keys and spreadsheet, for the shared list helper."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import exists, func, select

from dialer.model import Attempt, Customer, Escalation, ProblemCase, Task
from dialer.web.helpers import local_time, show_phone
from dialer.web.lists import COMMON, Column, ListSpec, Query, agent_id, by_dates, by_task
from dialer.web.words import OUTCOMES, word

FIELDS = ("customer", "phone", "script", "outcome", "problem", *COMMON)
LIMIT = 200  # the recordings-failed page still shows at most this many
PROBLEM = exists().where(ProblemCase.attempt_id == Attempt.id)
WHEN = func.coalesce(Attempt.placed_at, Attempt.created_at)


def _query() -> Query:
    return (
        select(Attempt, Task, Customer, PROBLEM.label("has_problem"))
        .join(Task, Task.id == Attempt.task_id)
        .join(Customer, Customer.id == Task.customer_id)
    )


def narrow(q: Query, f: Mapping[str, str], errors: list[str]) -> Query:
    """Narrow the calls by customer, phone, dates, script, task type, department, outcome, problem and agent."""
    if f.get("customer"):
        q = q.where(Customer.name.contains(f["customer"], autoescape=True))
    if f.get("phone"):
        digits = re.sub(r"\D", "", f["phone"])
        if digits:
            q = q.where(Customer.phone.contains(digits))
        else:
            errors.append("电话号码只能包含数字，请检查后重新查询。")
    q = by_task(by_dates(q, f, errors, WHEN), f)
    if f.get("script"):
        q = q.where(Attempt.script == f["script"])
    outcome = f.get("outcome") or f.get("status")
    if outcome:
        q = q.where(Attempt.outcome == outcome)
    if f.get("problem") == "yes":
        q = q.where(PROBLEM)
    elif f.get("problem") == "no":
        q = q.where(~PROBLEM)
    who = agent_id(f, errors)
    if who is not None:
        q = q.where(exists().where(Escalation.attempt_id == Attempt.id, Escalation.agent_id == who))
    return q


CALLS = ListSpec(
    name="calls", title="通话记录", query=_query, fields=FIELDS, narrow=narrow,
    sorts={"when": WHEN, "customer": Customer.name, "duration": Attempt.duration, "outcome": Attempt.outcome,
           "type": Task.type},
    default_sort="when", tiebreak=Attempt.id,
    columns=(
        Column("通话编号", lambda r: r[0].id),
        Column("拨打时间", lambda r: local_time(r[0].placed_at or r[0].created_at, "%Y-%m-%d %H:%M:%S")),
        Column("客户", lambda r: r[2].name), Column("电话", lambda r: show_phone(r[2].phone)),
        Column("任务类型", lambda r: word(r[1].type, "task_type")),
        Column("话术", lambda r: word(r[0].script, "script")),
        Column("部门", lambda r: r[1].department or ""),
        Column("时长（秒）", lambda r: r[0].duration),
        Column("结果", lambda r: OUTCOMES.get(r[0].outcome or "", "进行中")),
        Column("问题件", lambda r: "有" if r[3] else "无"),
    ),
)  # fmt: skip
