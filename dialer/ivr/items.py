"""A call's required items as the customer hears them, and which of them are still open.

Used by the conversation when a call handed to a person leaves the queue, by the agent's answer form, and by
the demo's summary: one definition of "every required item has a 是/否".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dialer.ivr.script import Question, Script
from dialer.ivr.values import CallContext, honorific_for
from dialer.ivr.wording import script_values
from dialer.model import Task
from dialer.model.answers import item_answers
from dialer.policy.rules import TaskTypeRules
from dialer.policy.verdicts import Verdict, latest_answers, open_items, verdict
from dialer.settings import Settings


@dataclass(frozen=True)
class Item:
    """One required question, worded with this call's values."""

    question: Question
    text: str


@dataclass(frozen=True)
class Standing:
    """The task's verdict from all its answers, and the required items still open."""

    verdict: Verdict
    open: tuple[Item, ...]


def call_context(
    settings: Settings,
    types: Mapping[str, TaskTypeRules],
    task: Task,
    now: datetime,
    *,
    keys_only: bool = False,
) -> CallContext:
    """Return what the script's placeholders need for a call to this task's customer."""
    customer = task.customer
    extra = json.loads(task.extra) if task.extra else {}
    local = task.event_at.astimezone(settings.tz)
    honorific = honorific_for(customer.gender)
    return CallContext(
        customer_name=customer.name,
        honorific=honorific if honorific != "您" else "",  # "请问是张伟本人吗" reads well
        **script_values(settings, types.get(task.type), extra),
        event_date=f"{local.month}月{local.day}日",
        age=customer.age_at(now.year),
        elderly_age=settings.elderly_age,
        keys_only=keys_only,
        record_keys=settings.profile.record_digits,
        timeout=settings.record_timeout,
    )


def required_items(script: Script, ctx: CallContext) -> list[Item]:
    """Return the questions this call must have answered, in script order, in the words the customer hears."""
    return [Item(q, ctx.fill(q.text)) for q in script.questions if q.required and ctx.holds(q.when)]


def standing(s: Session, script: Script, ctx: CallContext, task: Task, *, problem: bool = False) -> Standing:
    """Return the task's verdict from every answer of its calls, and its open items."""
    items = required_items(script, ctx)
    answers = item_answers(s, task.id)
    required = [i.question.id for i in items]
    still_open = set(open_items(required, latest_answers(answers)))
    found = verdict(required, answers, problem=problem)
    return Standing(found, tuple(i for i in items if i.question.id in still_open))
