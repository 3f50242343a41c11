"""What the monthly report needs of a task's calls, kept on the task row so a month is counted in one pass.

Three facts: whether any call of the task was answered (`connected`), how many problem cases its calls opened
(`case_count`), and the final answer to each question of each call (`answer_facts`, JSON: a list of
[script version, question id, question text, label, problem]). They are written each time one of the task's
calls ends (`finish_attempt`), so the figures of a task never call again are the figures of its calls; the
migration that added them, and anything that writes calls by hand, fills them with `backfill_report_facts`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, exists, func, select, text
from sqlalchemy.orm import Session

from dialer.model.base import AttemptOutcome
from dialer.model.calls import Answer, Attempt
from dialer.model.cases import ProblemCase
from dialer.model.tasks import Task

# A connected call: someone answered the phone (the customer, or another person who was then not told anything).
CONNECTED = (
    AttemptOutcome.SUCCEEDED,
    AttemptOutcome.PROBLEM,
    AttemptOutcome.OPEN,
    AttemptOutcome.WRONG_PERSON,
    AttemptOutcome.HUNG_UP,
)
AnswerFact = tuple[str, str, str, str, bool]  # script version, question id, question text, label, problem


def encode_answers(rows: Iterable[Any]) -> str | None:
    """Return final answers as the JSON text kept on the task (None when there are none)."""
    facts = sorted([str(s), str(q), str(t), str(label), bool(p)] for s, q, t, label, p in rows)
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":")) if facts else None


def decode_answers(raw: str | None) -> list[AnswerFact]:
    """Return the answers kept on a task (written by `encode_answers` or by the back-fill's SQL)."""
    if not raw:
        return []
    return [(str(s), str(q), str(t), str(label), bool(p)) for s, q, t, label, p in json.loads(raw)]


def refresh_report_facts(session: Session, task: Task) -> None:
    """Work out the task's report facts again from its calls, answers and problem cases."""
    task.connected = bool(
        session.scalar(select(exists().where(Attempt.task_id == task.id, Attempt.outcome.in_(CONNECTED))))
    )
    cases = select(func.count()).select_from(ProblemCase).where(ProblemCase.task_id == task.id)
    task.case_count = int(session.scalar(cases) or 0)
    answers = (
        select(Attempt.script, Answer.question_id, Answer.question_text, Answer.label, Answer.problem)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.task_id == task.id, Answer.final.is_(True))
    )
    task.answer_facts = encode_answers(session.execute(answers).all())


def backfill_statements(dialect: str) -> list[str]:
    """Return the SQL that fills every task's report facts from the rows already stored.

    Each statement joins the tasks to one aggregate (hash joins on PostgreSQL) and touches only the tasks that
    have something to record; the others keep the columns' defaults (no call answered, no cases, no answers).
    """
    outcomes = ", ".join(f"'{o.value}'" for o in CONNECTED)
    if dialect == "postgresql":
        agg = ("json_agg(json_build_array(a.script, n.question_id, n.question_text, n.label, n.problem)"
               " ORDER BY a.script, n.question_id, n.label)::text")  # fmt: skip
    else:
        agg = "json_group_array(json_array(a.script, n.question_id, n.question_text, n.label, n.problem))"
    return [
        f"UPDATE tasks SET connected = true FROM (SELECT DISTINCT task_id FROM attempts WHERE outcome IN "
        f"({outcomes})) AS k WHERE k.task_id = tasks.id",
        "UPDATE tasks SET case_count = c.n FROM (SELECT task_id, count(*) AS n FROM problem_cases "
        "GROUP BY task_id) AS c WHERE c.task_id = tasks.id",
        f"UPDATE tasks SET answer_facts = f.facts FROM (SELECT a.task_id, {agg} AS facts FROM answers n "
        "JOIN attempts a ON a.id = n.attempt_id WHERE n.final GROUP BY a.task_id) AS f WHERE f.task_id = tasks.id",
    ]


def backfill_report_facts(conn: Connection) -> None:
    """Fill every task's report facts from its stored calls (the migration's back-fill; seeds that write calls)."""
    for stmt in backfill_statements(conn.dialect.name):
        conn.execute(text(stmt))
