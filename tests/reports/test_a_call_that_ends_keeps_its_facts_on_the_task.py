"""When a call ends, its task keeps what the monthly report needs of it (answered, problem cases, final answers),
so the month is counted from the task rows; the migration's back-fill works out the same facts from the calls."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from dialer.model import Answer, Attempt, AttemptOutcome, Customer, Database, ProblemCase, Task, TaskStatus
from dialer.model.facts import backfill_report_facts, decode_answers
from dialer.model.outcomes import finish_attempt
from dialer.reports import build_report
from dialer.services import load_dial_rules
from dialer.settings import Settings
from tests.reports.conftest import november
from tests.reports.golden import NOW, at


def _call(
    db: Database, outcome: AttemptOutcome, answers: tuple[tuple[str, str, bool], ...], phone: str
) -> int:
    """Store one November task whose one call ends with `outcome` after `answers`, ended by the dialler."""
    rules = load_dial_rules(Settings())
    with db.session() as s, s.begin():
        t = Task(customer=Customer(name="客户", phone=phone), type="new_policy", script="new_policy",
                 event_at=at(11, 2), earliest_at=at(11, 2), deadline_at=at(11, 17), status=TaskStatus.DIALLING,
                 attempt_count=1, department="个险部", seller="陈")  # fmt: skip
        s.add(t)
        s.flush()
        a = Attempt(task_id=t.id, number=1, status="in-progress", to_number=phone, script="new_policy_v2",
                    placed_at=at(11, 3), answered_at=at(11, 3))  # fmt: skip
        s.add(a)
        s.flush()
        s.add(Answer(attempt_id=a.id, question_id="q1", question_text="您是否本人签名？", turn=1, label="unclear",
                     final=False))  # fmt: skip
        for qid, label, problem in answers:
            s.add(Answer(attempt_id=a.id, question_id=qid, question_text=f"问题{qid}", turn=2, label=label,
                         problem=problem))  # fmt: skip
            if problem:
                s.add(ProblemCase(task_id=t.id, attempt_id=a.id, question_id=qid, question_text=f"问题{qid}",
                                  answer_label=label, created_at=at(11, 3), due_at=at(11, 24)))  # fmt: skip
        s.flush()
        s.refresh(t)
        finish_attempt(s, a, outcome, rules, at(11, 3))
        return t.id


def _figures(r: dict[str, Any]) -> tuple[Any, ...]:
    t = r["total"]
    questions = sorted(
        (q["script"], q["question_id"], q["yes"], q["no"], q["problem"]) for q in r["by_question"]
    )
    return t["tasks"], t["reached"], t["succeeded"], t["problem_cases"], t["open"], questions


def test_the_facts_are_written_as_the_call_ends_and_the_back_fill_agrees(db: Database) -> None:
    problem = _call(db, AttemptOutcome.PROBLEM, (("q1", "yes", False), ("q2", "no", True)), "+8613911110001")
    wrong = _call(db, AttemptOutcome.WRONG_PERSON, (), "+8613911110002")
    with db.session() as s:
        p, w = s.get(Task, problem), s.get(Task, wrong)
        assert p is not None and w is not None
        assert (p.status, p.connected, p.case_count) == (TaskStatus.PROBLEM, True, 1)
        assert sorted(decode_answers(p.answer_facts)) == [
            ("new_policy_v2", "q1", "问题q1", "yes", False), ("new_policy_v2", "q2", "问题q2", "no", True)]  # fmt: skip
        # Someone else answered: the call connected, the task waits for its next attempt, nothing was asked.
        assert (w.status, w.connected, w.case_count, w.answer_facts) == (TaskStatus.PENDING, True, 0, None)
        live = build_report(s, november(), NOW)
    assert _figures(live) == (
        2,
        2,
        1,
        1,
        1,
        [("new_policy_v2", "q1", 1, 0, 0), ("new_policy_v2", "q2", 0, 1, 1)],
    )
    with db.session() as s, s.begin():
        s.execute(update(Task).values(connected=False, case_count=0, answer_facts=None))
    with db.session() as s:
        assert _figures(build_report(s, november(), NOW))[1:4] == (0, 1, 0)  # the report reads the task rows
    with db.session() as s, s.begin():
        backfill_report_facts(s.connection())
    with db.session() as s:
        assert _figures(build_report(s, november(), NOW)) == _figures(live)
