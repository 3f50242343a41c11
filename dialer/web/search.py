"""The compliance call search: one query built from the form's filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from dialer.model import Attempt, Customer, Escalation, ProblemCase, Task, User

FIELDS = ("customer", "phone", "date_from", "date_to", "script", "type", "outcome", "problem", "agent")
LIMIT = 200


def _day(raw: str) -> date | None:
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        return None


def build_query(f: Mapping[str, str], tz: ZoneInfo, session: Session) -> tuple[Any, list[str]]:
    """Return the search query for the filters `f`, and the problems with the filters, in words."""
    problem_exists = exists().where(ProblemCase.attempt_id == Attempt.id)
    q = (
        select(Attempt, Task, Customer, problem_exists.label("has_problem"))
        .join(Task, Task.id == Attempt.task_id)
        .join(Customer, Customer.id == Task.customer_id)
    )
    errors: list[str] = []
    when = func.coalesce(Attempt.placed_at, Attempt.created_at)
    if f.get("customer"):
        q = q.where(Customer.name.contains(f["customer"].strip(), autoescape=True))
    if f.get("phone"):
        digits = re.sub(r"\D", "", f["phone"])
        if digits:
            q = q.where(Customer.phone.contains(digits))
        else:
            errors.append("电话号码只能包含数字。")
    for key, op in (("date_from", 0), ("date_to", 1)):
        if f.get(key):
            day = _day(f[key])
            if day is None:
                errors.append(f"日期格式应为 年-月-日，例如 2026-01-31（{f[key]}）。")
                continue
            edge = datetime.combine(day + timedelta(days=op), time(0), tz)
            q = q.where(when >= edge) if op == 0 else q.where(when < edge)
    for key, col in (("script", Attempt.script), ("type", Task.type), ("outcome", Attempt.outcome)):
        if f.get(key):
            q = q.where(col == f[key])
    if f.get("problem") == "yes":
        q = q.where(problem_exists)
    elif f.get("problem") == "no":
        q = q.where(~problem_exists)
    if f.get("agent"):
        agent_id = session.scalar(select(User.id).where(User.username == f["agent"].strip()))
        q = q.where(
            exists().where(Escalation.attempt_id == Attempt.id, Escalation.agent_id == (agent_id or -1))
        )
    return q.order_by(when.desc(), Attempt.id.desc()).limit(LIMIT), errors
