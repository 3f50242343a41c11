"""The monthly report's figures, aggregated in SQL (SQLAlchemy Core, GROUP BY), this month and the one before.

Every definition (口径) lives here once; `definitions.py` says the same in words for the report itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from dialer.model import Attempt, FollowUp, ProblemCase, Task, TaskStatus
from dialer.model.batches import plan_approved
from dialer.model.facts import CONNECTED, decode_answers
from dialer.model.states import FollowUpResult

# 回访成功: the customer in person answered every required item. The task's status says so (the verdict is
# the IVR's and the agents', not the report's); a 否 answer makes the follow-up a problem case, still a success.
SUCCESS = (TaskStatus.SUCCEEDED, TaskStatus.PROBLEM)
OPEN = (TaskStatus.PENDING, TaskStatus.DIALLING)
# Never due (应回访): withdrawn or opted out, and left out by the plan's sample; both are counted apart, as are
# the tasks of plans not approved (yet).
NOT_DUE = (TaskStatus.CANCELLED, TaskStatus.NOT_SAMPLED)
# 无法联系: the attempts were used up and the task went to manual follow-up, whether or not that has closed it.
UNREACHED = (TaskStatus.UNREACHABLE, TaskStatus.FOLLOWED_UP)
COUNTS = ("tasks", "reached", "succeeded", "succeeded_with_problem", "timely", "problem_cases", "unreachable",
          "manual_followup", "open", "invalid", "withdrawn", "not_sampled", "awaiting_approval")  # fmt: skip
DIMENSIONS = ("total", "type", "department", "seller", "script")
CURRENT, PREVIOUS = 0, 1
# GROUP BY the output column by name: PostgreSQL does not see two CASEs with their own parameters as one.
BY_PERIOD: ColumnElement[Any] = literal_column("period")


@dataclass(frozen=True)
class Scope:
    """The rows a report covers: two months (current and previous) and optional filters."""

    start: datetime  # first instant of the previous month
    split: datetime  # first instant of the current month
    end: datetime  # first instant after the current month
    task_type: str | None = None
    department: str | None = None

    def tasks(self) -> list[ColumnElement[bool]]:
        """Return the conditions that pick the due tasks of both months (应回访: by first allowed call date)."""
        where = [Task.earliest_at >= self.start, Task.earliest_at < self.end]
        if self.task_type:
            where.append(Task.type == self.task_type)
        if self.department:
            where.append(Task.department == self.department)
        return where

    def period(self, column: Any) -> ColumnElement[int]:
        """Return 0 for an instant in the current month, 1 for the previous one."""
        return case((column >= self.split, CURRENT), else_=PREVIOUS)


def manual_followup_done() -> ColumnElement[bool]:
    """Return whether a task was closed by a completed manual follow-up (机构自访).

    A completed follow-up moves the task to `followed_up` (dialer.model.followups), so the task row says it
    and the month is still counted from the task rows alone.
    """
    return Task.status == TaskStatus.FOLLOWED_UP


def _flag(cond: Any) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _measures(b: Any) -> list[Any]:
    """Return the counts over the grouped tasks `b` (one row per status and flags, with `n` tasks in it)."""

    def n_if(cond: Any, value: Any = None) -> Any:
        return func.sum(case((cond, b.c.n if value is None else value), else_=0))

    due = and_(b.c.approved == 1, b.c.status.not_in(NOT_DUE))
    success = and_(due, b.c.status.in_(SUCCESS))
    return [
        n_if(due).label("tasks"),
        n_if(and_(due, or_(b.c.connected == 1, b.c.manual == 1))).label("reached"),
        n_if(success).label("succeeded"),
        n_if(and_(due, b.c.status == TaskStatus.PROBLEM)).label("succeeded_with_problem"),
        n_if(and_(success, b.c.on_time == 1)).label("timely"),
        n_if(success, b.c.cases).label("problem_cases"),
        n_if(and_(due, b.c.status.in_(UNREACHED))).label("unreachable"),
        n_if(and_(due, b.c.manual == 1)).label("manual_followup"),
        n_if(and_(due, b.c.status.in_(OPEN))).label("open"),
        n_if(and_(due, b.c.status == TaskStatus.INVALID)).label("invalid"),
        n_if(b.c.status == TaskStatus.CANCELLED).label("withdrawn"),
        n_if(b.c.status == TaskStatus.NOT_SAMPLED).label("not_sampled"),
        n_if(and_(b.c.approved == 0, b.c.status.not_in(NOT_DUE))).label("awaiting_approval"),
    ]


def roomy_sorts(session: Session) -> None:
    """Let this transaction's GROUP BYs hash in memory on PostgreSQL rather than sort, and skip JIT.

    The planner cannot know that a month's million tasks fall into a few thousand groups; with the default
    work_mem it sorts them on disk. JIT compiling costs more than it saves on one pass over the month.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        session.execute(text("SET LOCAL jit = off"))


def _grouped_tasks(scope: Scope) -> Any:
    """Return the CTE of both months' tasks grouped by period, the dimensions, status and the report's flags.

    Each task row carries what its calls did (`connected`, `case_count`, `answer_facts`, see
    dialer.model.facts), so this is one pass over the month's task rows, with no join.
    """
    on_time = and_(
        Task.closed_at.is_not(None), or_(Task.deadline_at.is_(None), Task.closed_at <= Task.deadline_at)
    )
    flags = {"approved": plan_approved(), "connected": Task.connected, "on_time": on_time,
             "manual": manual_followup_done()}  # fmt: skip
    columns: list[Any] = [Task.type.label("type"), Task.department.label("department"), Task.seller.label("seller"),
               Task.script.label("script"), Task.status.label("status"), Task.answer_facts.label("answers")]  # fmt: skip
    return (
        select(
            scope.period(Task.earliest_at).label("period"),
            *columns,
            *[case((cond, 1), else_=0).label(name) for name, cond in flags.items()],
            func.count().label("n"),
            func.coalesce(func.sum(Task.case_count), 0).label("cases"),
        )
        .where(*scope.tasks())
        .group_by(BY_PERIOD, *columns, *[literal_column(name) for name in flags])
        .cte("base")
    )


def task_figures(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Return one row per (dimension, key, period) with the task counts, from one scan of the tasks.

    The tasks of both months are grouped once by (period, type, department, seller, script, status, flags,
    answers); each dimension is a GROUP BY over that small grouped set, all in one statement (UNION ALL over
    a CTE). The dimension "answers" has the task type in `sub` and the tasks' final answers (JSON) in `key`:
    `question_figures` spreads them over the questions.
    """
    base = _grouped_tasks(scope)
    parts: list[Select[Any]] = []
    for dim in (*DIMENSIONS, "answers"):
        key: Any
        sub: Any
        if dim == "total":
            key, sub = literal_column("''"), literal_column("''")
        elif dim == "answers":
            key, sub = base.c.answers, base.c.type
        else:
            key, sub = func.coalesce(base.c[dim], literal_column("''")), literal_column("''")
        part = select(literal(dim).label("dim"), key.label("key"), sub.label("sub"), base.c.period,
                      *_measures(base))  # fmt: skip
        if dim == "answers":
            part = part.where(base.c.answers.is_not(None))
        keys = [] if dim == "total" else [key, sub] if dim == "answers" else [key]
        parts.append(part.group_by(*keys, base.c.period))
    rows = session.execute(union_all(*parts)).mappings()
    raw = [{k: (int(v) if k in COUNTS or k == "period" else v) for k, v in r.items()} for r in rows]
    return _with_manual_by_date(raw, manual_followup_figures(session, scope))


def _bounds(scope: Scope) -> tuple[date, date, date]:
    # The scope's instants are local midnights (Month.start): their dates are the months' first days.
    return scope.start.date(), scope.split.date(), scope.end.date()


def manual_followup_figures(session: Session, scope: Scope) -> dict[tuple[str, str, int], int]:
    """Return {(dimension, key, period): due tasks closed by a completed manual follow-up done in that month}.

    Unlike the other counts, a manual follow-up counts in the month of its own date (自访日期), whatever month
    its task fell due in; its share is taken of that month's due tasks.
    """
    first, split, end = _bounds(scope)
    period = case((FollowUp.done_on >= split, CURRENT), else_=PREVIOUS).label("period")
    stmt = (
        select(period, Task.type, Task.department, Task.seller, Task.script, func.count(distinct(Task.id)))
        .select_from(FollowUp)
        .join(Task, Task.id == FollowUp.task_id)
        .where(FollowUp.result == FollowUpResult.COMPLETED, Task.status == TaskStatus.FOLLOWED_UP,
               FollowUp.done_on >= first, FollowUp.done_on < end, plan_approved(), *_case_filter(scope))
        .group_by(BY_PERIOD, Task.type, Task.department, Task.seller, Task.script)
    )  # fmt: skip
    out: dict[tuple[str, str, int], int] = {}
    for p, type_, department, seller, script, n in session.execute(stmt):
        keys = (("total", ""), ("type", type_ or ""), ("department", department or ""), ("seller", seller or ""),
                ("script", script or ""))  # fmt: skip
        for dim, key in keys:
            out[(dim, key, int(p))] = out.get((dim, key, int(p)), 0) + int(n)
    return out


def _with_manual_by_date(
    raw: list[dict[str, Any]], manual: dict[tuple[str, str, int], int]
) -> list[dict[str, Any]]:
    """Put the manual follow-ups counted by their own month into the rows (a row of their own where none is)."""
    left = dict(manual)
    for r in raw:
        if r["dim"] != "answers":
            r["manual_followup"] = left.pop((r["dim"], r["key"], r["period"]), 0)
    for (dim, key, p), n in sorted(left.items()):
        raw.append(
            {"dim": dim, "key": key, "sub": "", "period": p, **dict.fromkeys(COUNTS, 0), "manual_followup": n}
        )
    return raw


def question_figures(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return final answers counted per (period, type, script, question, label), with problem answers.

    `raw` is `task_figures`' answers rows: each holds how many due tasks share one list of final answers.
    """
    acc: dict[tuple[int, str, str, str, str], dict[str, Any]] = {}
    for r in raw:
        if r["dim"] != "answers" or not r["tasks"]:
            continue
        for script, qid, question, label, problem in decode_answers(r["key"]):
            row = acc.setdefault((r["period"], r["sub"], script, qid, label),
                                 {"period": r["period"], "type": r["sub"], "script": script, "question_id": qid,
                                  "label": label, "question": question, "n": 0, "problem": 0})  # fmt: skip
            row["question"] = min(row["question"], question)
            row["n"] += r["tasks"]
            row["problem"] += r["tasks"] if problem else 0
    return list(acc.values())


def _case_filter(scope: Scope) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if scope.task_type:
        where.append(Task.type == scope.task_type)
    if scope.department:
        where.append(Task.department == scope.department)
    return where


def _narrowed(stmt: Any, scope: Scope, task_id: Any, via_attempt: Any = None) -> Any:
    """Return `stmt` kept to the filtered task type or department; the tasks are joined only when filtered."""
    where = _case_filter(scope)
    if not where:
        return stmt
    if via_attempt is not None:
        stmt = stmt.join(Attempt, Attempt.id == via_attempt)
    return stmt.join(Task, Task.id == task_id).where(*where)


def case_figures(session: Session, scope: Scope, as_of: datetime) -> dict[int, dict[str, int]]:
    """Return problem cases opened, closed, overdue and repeated, per period (by the case's own dates)."""
    opened_in = lambda p: and_(ProblemCase.created_at >= scope.start, ProblemCase.created_at < scope.end,  # noqa: E731
                               scope.period(ProblemCase.created_at) == p)  # fmt: skip
    closed_in = lambda p: and_(ProblemCase.closed_at >= scope.start, ProblemCase.closed_at < scope.end,  # noqa: E731
                               scope.period(ProblemCase.closed_at) == p)  # fmt: skip
    late = or_(
        and_(ProblemCase.closed_at.is_(None), ProblemCase.due_at < as_of),
        ProblemCase.closed_at > ProblemCase.due_at,
    )
    cols = []
    for p in (CURRENT, PREVIOUS):
        cols += [_flag(opened_in(p)).label(f"opened{p}"), _flag(closed_in(p)).label(f"closed{p}"),
                 _flag(and_(opened_in(p), late)).label(f"overdue{p}"),
                 _flag(and_(opened_in(p), ProblemCase.repeat.is_(True))).label(f"repeats{p}")]  # fmt: skip
    stmt = select(*cols).select_from(ProblemCase)
    stmt = _narrowed(stmt, scope, ProblemCase.task_id).where(
        or_(and_(ProblemCase.created_at >= scope.start, ProblemCase.created_at < scope.end),
            and_(ProblemCase.closed_at >= scope.start, ProblemCase.closed_at < scope.end)))  # fmt: skip
    row = session.execute(stmt).mappings().one()
    names = ("opened", "closed", "overdue", "repeats")
    return {p: {n: int(row[f"{n}{p}"] or 0) for n in names} for p in (CURRENT, PREVIOUS)}


def _days(session: Session, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def median_days_to_close(session: Session, scope: Scope, start: datetime, end: datetime) -> float | None:
    """Return the median days from opening to closing of the cases closed in [start, end), in SQL."""
    days = _days(session, ProblemCase.closed_at, ProblemCase.created_at).label("d")
    closed = select(days, func.row_number().over(order_by=days).label("rn"), func.count().over().label("c"))
    ranked = (
        _narrowed(closed.select_from(ProblemCase), scope, ProblemCase.task_id)
        .where(ProblemCase.closed_at >= start, ProblemCase.closed_at < end)
        .subquery()
    )
    middle = or_(ranked.c.rn == (ranked.c.c + 1) // 2, ranked.c.rn == (ranked.c.c + 2) // 2)
    value = session.scalar(select(func.avg(ranked.c.d)).where(middle))
    return None if value is None else round(float(value), 1)


def overdue_cases(session: Session, scope: Scope, as_of: datetime, limit: int = 20) -> list[dict[str, Any]]:
    """Return the open cases past their due date at `as_of`, oldest due first."""
    stmt = (
        select(
            ProblemCase.id,
            ProblemCase.question_text,
            ProblemCase.department,
            ProblemCase.due_at,
            ProblemCase.created_at,
            Task.type,
        )
        .join(Task, Task.id == ProblemCase.task_id)
        .where(ProblemCase.closed_at.is_(None), ProblemCase.due_at < as_of, *_case_filter(scope))
        .order_by(ProblemCase.due_at, ProblemCase.id)
        .limit(limit)
    )
    return [dict(r) for r in session.execute(stmt).mappings()]


def agent_figures(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Return per agent and period: calls taken (bridged escalations) and problem cases closed."""
    from dialer.model import Escalation

    calls = (
        select(
            Escalation.agent_id.label("agent"),
            scope.period(Escalation.bridged_at).label("period"),
            func.count().label("calls_taken"),
            literal(0).label("cases_closed"),
        )
        .select_from(Escalation)
        .where(
            Escalation.agent_id.is_not(None),
            Escalation.bridged_at >= scope.start,
            Escalation.bridged_at < scope.end,
        )
        .group_by(Escalation.agent_id, BY_PERIOD)
    )
    calls = _narrowed(calls, scope, Attempt.task_id, via_attempt=Escalation.attempt_id)
    closed = (
        select(
            ProblemCase.assignee_id.label("agent"),
            scope.period(ProblemCase.closed_at).label("period"),
            literal(0).label("calls_taken"),
            func.count().label("cases_closed"),
        )
        .select_from(ProblemCase)
        .where(
            ProblemCase.assignee_id.is_not(None),
            ProblemCase.closed_at >= scope.start,
            ProblemCase.closed_at < scope.end,
        )
        .group_by(ProblemCase.assignee_id, BY_PERIOD)
    )
    closed = _narrowed(closed, scope, ProblemCase.task_id)
    both = union_all(calls, closed).subquery()
    stmt = select(both.c.agent, both.c.period, func.sum(both.c.calls_taken).label("calls_taken"),
                  func.sum(both.c.cases_closed).label("cases_closed")).group_by(both.c.agent, both.c.period)  # fmt: skip
    return [{k: int(v) for k, v in r.items()} for r in session.execute(stmt).mappings()]


def distinct_values(
    session: Session, column: Any, where: Iterable[ColumnElement[bool]] = ()
) -> Sequence[str]:
    """Return the distinct non-empty values of a task column (for the page's filters)."""
    stmt = select(column).where(column.is_not(None), *where).distinct().order_by(column)
    return [v for v in session.scalars(stmt) if v]


DRILL_MEASURES = ("tasks", "reached", "succeeded", "succeeded_with_problem", "timely", "problem_cases",
                  "unreachable", "manual_followup", "open", "invalid", "withdrawn", "not_sampled", "awaiting_approval")  # fmt: skip


def drill_condition(measure: str) -> ColumnElement[bool]:
    """Return the condition on a task that makes it count in `measure` (the figures' rules, read from the calls)."""
    due = and_(plan_approved(), Task.status.not_in(NOT_DUE))
    success = and_(due, Task.status.in_(SUCCESS))
    connected = select(Attempt.id).where(Attempt.task_id == Task.id, Attempt.outcome.in_(CONNECTED)).exists()
    has_case = select(ProblemCase.id).where(ProblemCase.task_id == Task.id).exists()
    conditions: dict[str, ColumnElement[bool]] = {
        "tasks": due,
        "reached": and_(due, or_(connected, manual_followup_done())),
        "succeeded": success,
        "succeeded_with_problem": and_(due, Task.status == TaskStatus.PROBLEM),
        "timely": and_(success, Task.closed_at.is_not(None),
                       or_(Task.deadline_at.is_(None), Task.closed_at <= Task.deadline_at)),
        "problem_cases": and_(success, has_case),
        "unreachable": and_(due, Task.status.in_(UNREACHED)),
        "open": and_(due, Task.status.in_(OPEN)),
        "invalid": and_(due, Task.status == TaskStatus.INVALID),
        "withdrawn": Task.status == TaskStatus.CANCELLED,
        "not_sampled": Task.status == TaskStatus.NOT_SAMPLED,
        "awaiting_approval": and_(~plan_approved(), Task.status.not_in(NOT_DUE)),
    }  # fmt: skip
    return conditions[measure]


def drill_tasks(
    session: Session, scope: Scope, dim: str, key: str, measure: str, limit: int = 500
) -> list[Task]:
    """Return the tasks of the current month behind one figure: `measure` in row `key` of dimension `dim`."""
    if measure == "manual_followup":  # counted in the month of the follow-up's own date, not its due month
        _first, split, end = _bounds(scope)
        done = select(FollowUp.id).where(FollowUp.task_id == Task.id, FollowUp.result == FollowUpResult.COMPLETED,
                                         FollowUp.done_on >= split, FollowUp.done_on < end).exists()  # fmt: skip
        where = [*_case_filter(scope), plan_approved(), Task.status == TaskStatus.FOLLOWED_UP, done]
    else:
        where = [*scope.tasks(), Task.earliest_at >= scope.split, drill_condition(measure)]
    if dim in ("type", "department", "seller", "script"):
        column = getattr(Task, dim)
        where.append(or_(column.is_(None), column == "") if key == "" else column == key)
    stmt = select(Task).where(*where).order_by(Task.earliest_at, Task.id).limit(limit)
    return list(session.scalars(stmt))
