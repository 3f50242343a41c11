"""A hand-made month of follow-ups (November 2026, with October beside it) whose figures the tests work out.

Every task, call, answer, case and escalation is listed here so that the arithmetic in the tests can be
checked against this file line by line. Times are local (Asia/Shanghai) unless they end in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dialer.model import (
    Answer,
    Attempt,
    Customer,
    Database,
    Escalation,
    ProblemCase,
    Role,
    Task,
    TaskStatus,
    User,
)
from dialer.model.facts import backfill_report_facts

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # the report is read in December, after the month
S, P, U, BAD, W, OPEN = (TaskStatus.SUCCEEDED, TaskStatus.PROBLEM, TaskStatus.UNREACHABLE, TaskStatus.INVALID,
                    TaskStatus.CANCELLED, TaskStatus.PENDING)  # fmt: skip


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """Return a local instant in 2026 (Asia/Shanghai)."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@dataclass(frozen=True)
class Spec:
    key: str
    type: str
    department: str | None
    seller: str | None
    earliest: datetime
    status: TaskStatus
    closed: datetime | None
    deadline: datetime | None
    outcomes: tuple[str, ...]  # one attempt per outcome
    answers: tuple[tuple[str, str, bool], ...] = ()  # (question id, label, problem) on the last attempt


TASKS = (
    # November: ten tasks, one withdrawn.
    Spec("T1", "new_policy", "个险部", "陈", at(11, 1, 0, 0), S, at(11, 3), at(11, 16),  # first instant of Nov
         ("succeeded",), (("q1", "yes", False), ("q2", "yes", False))),
    Spec("T2", "new_policy", "个险部", "陈", at(11, 2), P, at(11, 5), at(11, 17),
         ("problem",), (("q1", "yes", False), ("q2", "no", True))),
    Spec("T3", "new_policy", "银保部", "林", at(11, 3), S, at(11, 20), at(11, 18),  # closed after its deadline
         ("no_answer", "succeeded"), (("q1", "yes", False), ("q2", "yes", False))),
    Spec("T4", "new_policy", "银保部", "林", at(11, 4), U, at(11, 12), at(11, 19),
         ("no_answer", "no_answer", "no_answer")),
    Spec("T5", "new_policy", "银保部", None, at(11, 30, 23, 0), OPEN, None, at(12, 15), ("wrong_person",)),
    Spec("T6", "new_policy", "个险部", "陈", at(11, 6), W, at(11, 7), at(11, 21), ()),
    Spec("T7", "claim", "理赔部", "王", at(11, 8), P, at(11, 10), at(11, 11),
         ("problem",), (("service_attitude", "no", True), ("paid_in_full", "no", True),
                        ("overall_satisfaction", "yes", False))),
    Spec("T8", "claim", "理赔部", "王", at(11, 9), S, at(11, 12), None,
         ("succeeded",), (("service_attitude", "yes", False), ("overall_satisfaction", "yes", False))),
    Spec("T9", "claim", "理赔部", "王", at(11, 10), BAD, at(11, 10), at(11, 13), ("invalid",)),
    Spec("T10", "claim", "理赔部", "王", at(11, 11), S, at(11, 13), at(11, 14),
         ("succeeded",), (("service_attitude", "yes", False), ("overall_satisfaction", "unclear", False))),
    # October: three tasks.
    Spec("P1", "new_policy", "个险部", "陈", at(10, 5), S, at(10, 6), at(10, 20),
         ("succeeded",), (("q1", "yes", False), ("q2", "yes", False))),
    Spec("P2", "new_policy", "个险部", "陈", at(10, 31, 23, 30), U, at(11, 6), at(11, 15),  # last half hour of Oct
         ("no_answer", "busy", "no_answer")),
    Spec("P3", "claim", "理赔部", "王", at(10, 20), P, at(10, 21), at(10, 23),
         ("problem",), (("service_attitude", "no", True),)),
    # December and September: outside both months.
    Spec("N1", "new_policy", "个险部", "陈", at(12, 1, 0, 0), S, at(12, 2), at(12, 16),
         ("succeeded",), (("q1", "yes", False), ("q2", "no", True))),
    Spec("N0", "claim", "理赔部", "王", at(9, 30, 10), S, at(9, 30, 11), at(10, 3), ("succeeded",)),
)  # fmt: skip
QUESTIONS = {"q1": "您是否本人签名？", "q2": "您是否已阅读产品说明书？", "service_attitude": "您对服务态度是否满意？",
             "paid_in_full": "赔款是否已足额到账？", "overall_satisfaction": "总体来说您是否满意？"}  # fmt: skip


@dataclass
class Golden:
    tasks: dict[str, int]
    attempts: dict[str, int]  # the last attempt of each task
    agents: dict[str, int]


def _task(s: Session, spec: Spec, n: int) -> tuple[Task, Attempt | None]:
    c = Customer(name=f"客户{spec.key}", phone=f"+86139000{n:05d}")
    t = Task(customer=c, type=spec.type, script=spec.type, event_at=spec.earliest, earliest_at=spec.earliest,
             deadline_at=spec.deadline, status=spec.status, attempt_count=len(spec.outcomes),
             department=spec.department, seller=spec.seller, closed_at=spec.closed)  # fmt: skip
    s.add(t)
    last = None
    for i, outcome in enumerate(spec.outcomes, start=1):
        last = Attempt(task=t, number=i, status="completed", outcome=outcome, to_number=c.phone, script=spec.type,
                       placed_at=spec.earliest)  # fmt: skip
        s.add(last)
    s.flush()
    if last is not None:
        # A re-asked turn is not final: it never counts.
        if spec.answers:
            s.add(Answer(attempt_id=last.id, question_id=spec.answers[0][0], question_text="（重问前）",
                         turn=0, label="unclear", final=False))  # fmt: skip
        for qid, label, problem in spec.answers:
            s.add(Answer(attempt_id=last.id, question_id=qid, question_text=QUESTIONS[qid], label=label,
                         problem=problem))  # fmt: skip
    return t, last


def _case(s: Session, task: Task, attempt: Attempt, qid: str, opened: datetime, due: datetime,
          closed: datetime | None = None, by: int | None = None, repeat: bool = False) -> None:  # fmt: skip
    s.add(ProblemCase(task_id=task.id, attempt_id=attempt.id, question_id=qid, question_text=QUESTIONS[qid],
                      answer_label="no", department=task.department, created_at=opened, due_at=due,
                      closed_at=closed, assignee_id=by, repeat=repeat,
                      status="closed" if closed else "open"))  # fmt: skip


def seed_golden(db: Database) -> Golden:
    """Store the golden month and return the ids the tests need."""
    with db.session() as s, s.begin():
        agents = {}
        for name, display in (("wu_agent", "吴专员"), ("zhou_agent", "周专员")):
            u = User(username=name, role=Role.AGENT, display_name=display, password_hash="x")
            s.add(u)
            s.flush()
            agents[name] = u.id
        tasks, attempts = {}, {}
        for n, spec in enumerate(TASKS):
            t, a = _task(s, spec, n)
            tasks[spec.key] = t.id
            if a is not None:
                attempts[spec.key] = a.id
        get = lambda k: (s.get(Task, tasks[k]), s.get(Attempt, attempts[k]))  # noqa: E731
        t2, a2 = get("T2")
        _case(s, t2, a2, "q2", at(11, 5), at(11, 26), closed=at(11, 8), by=agents["wu_agent"])  # 3 days
        t7, a7 = get("T7")
        _case(s, t7, a7, "service_attitude", at(11, 10), at(11, 20))  # open, past due by the month's end
        _case(s, t7, a7, "paid_in_full", at(11, 10), at(12, 20), repeat=True)  # open, not yet due
        p3, pa3 = get("P3")
        _case(
            s, p3, pa3, "service_attitude", at(10, 20), at(10, 30), closed=at(11, 4), by=agents["zhou_agent"]
        )
        n1, na1 = get("N1")
        _case(s, n1, na1, "q2", at(12, 2), at(12, 20))  # December: outside
        s.add_all([
            Escalation(attempt_id=a2.id, reason="critical_no", status="ended", agent_id=agents["wu_agent"],
                       enqueued_at=at(11, 5), bridged_at=at(11, 5)),
            Escalation(attempt_id=pa3.id, reason="asked", status="ended", agent_id=agents["zhou_agent"],
                       enqueued_at=at(10, 21), bridged_at=at(10, 21)),
            Escalation(attempt_id=na1.id, reason="asked", status="ended", agent_id=agents["wu_agent"],
                       enqueued_at=at(12, 2), bridged_at=at(12, 2)),
            Escalation(attempt_id=a7.id, reason="asked", status="timeout", enqueued_at=at(11, 10)),  # no agent
        ])  # fmt: skip
        # The calls were written by hand, not ended by the dialler: fill the tasks' report facts as the
        # migration does for calls stored before them.
        s.flush()
        backfill_report_facts(s.connection())
    return Golden(tasks, attempts, agents)
