"""Benchmark of the monthly report: a month of 1,000,000 tasks on PostgreSQL, against a bare COUNT(*).

Run: .venv/bin/python tests/benchmarks/bench_report.py [--tasks N] [--database-url URL]
(default DIALER_TEST_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/test; the data lives in a private
schema dropped at the end). Loads the month with INSERT … SELECT generate_series: the tasks, one or two calls
each, three answers per reached customer, problem cases and agents' calls, plus a previous month a fifth the
size. Prints the time of the whole report (both months, every view) and of the workbook, and the ratio to a
bare COUNT(*) of the same month's rows measured in the same run. Target: the report in ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select, text

from dialer.model import Answer, Attempt, Database, ProblemCase, Task, migrate, open_database
from dialer.model.facts import backfill_report_facts
from dialer.reports import Month, ReportRequest, build_report, workbook_bytes
from dialer.reports import figures as fig
from tests.conftest import fresh_postgres_schema

BASE = os.environ.get("DIALER_TEST_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/test"
TZ = ZoneInfo("Asia/Shanghai")
MONTH = Month(2026, 11)
TYPES = ("new_policy", "claim", "repair", "general_service")
# Task statuses per 100 tasks: 70 succeeded, 8 problem, 10 unreachable, 5 pending, 3 invalid, 4 cancelled.
STATUS = """CASE WHEN g % 100 < 70 THEN 'succeeded' WHEN g % 100 < 78 THEN 'problem'
  WHEN g % 100 < 88 THEN 'unreachable' WHEN g % 100 < 93 THEN 'pending' WHEN g % 100 < 96 THEN 'invalid'
  ELSE 'cancelled' END"""
LOAD = f"""
INSERT INTO users (username, display_name, role, password_hash, active, failed_logins, created_at)
SELECT 'agent' || a, '坐席' || a, 'agent', 'x', true, 0, now() FROM generate_series(1, 20) a;
INSERT INTO customers (name, phone, timezone, legal_hold, created_at)
SELECT '客户' || g, '+86137' || lpad(g::text, 8, '0'), 'Asia/Shanghai', false, now()
FROM generate_series(1, 50000) g;
INSERT INTO tasks (customer_id, type, script, event_at, earliest_at, deadline_at, status, attempt_count,
                   department, seller, manual_followup, created_at, updated_at, closed_at,
                   connected, case_count, answer_facts)
SELECT 1 + g % 50000, type, type,
       :start + (g % 2592000) * interval '1 second' + (g / 2592000) * interval '1 microsecond',
       :start + (g % 2592000) * interval '1 second', :start + (g % 2592000) * interval '1 second' + interval '15 days',
       status, 1, '部门' || (g % 8), '业务员' || (g % 300), false, now(), now(),
       :start + (g % 2592000) * interval '1 second' + (g % 20) * interval '1 day',
       :facts AND status IN ('succeeded', 'problem', 'pending'), CASE WHEN :facts AND status = 'problem' THEN 1 ELSE 0 END,
       CASE WHEN :facts AND status IN ('succeeded', 'problem') THEN
         '[["' || type || '","q1","问题1","yes",false],["' || type || '","q2","问题2","'
         || CASE status WHEN 'problem' THEN 'no",true' ELSE 'yes",false' END || '],["' || type || '","q3","问题3","yes",false]]'
       END
FROM (SELECT g, (ARRAY{list(TYPES)!r})[1 + g % 4] AS type, {STATUS} AS status FROM generate_series(1, :n) g) AS s;
INSERT INTO attempts (task_id, number, status, outcome, to_number, script, last_sequence, ivr_state, created_at)
SELECT id, 1, 'completed', CASE status WHEN 'succeeded' THEN 'succeeded' WHEN 'problem' THEN 'problem'
       WHEN 'invalid' THEN 'invalid' WHEN 'pending' THEN 'wrong_person' ELSE 'no_answer' END,
       '+8613700000000', script, -1, '{{}}', now() FROM tasks;
INSERT INTO attempts (task_id, number, status, outcome, to_number, script, last_sequence, ivr_state, created_at)
SELECT id, 2, 'completed', 'no_answer', '+8613700000000', script, -1, '{{}}', now() FROM tasks WHERE id % 10 < 3;
INSERT INTO answers (attempt_id, question_id, question_text, turn, transcript, keys, label, matched, problem,
                     final, created_at)
SELECT a.id, 'q' || q, '问题' || q, 1, '', '', CASE WHEN a.outcome = 'problem' AND q = 2 THEN 'no' ELSE 'yes' END,
       '', a.outcome = 'problem' AND q = 2, true, now()
FROM attempts a CROSS JOIN generate_series(1, 3) q WHERE a.outcome IN ('succeeded', 'problem');
INSERT INTO problem_cases (task_id, attempt_id, question_id, question_text, answer_label, transcript, status,
                           due_at, repeat, created_at, closed_at, assignee_id)
SELECT a.task_id, a.id, 'q2', '问题2', 'no', '', CASE WHEN a.id % 2 = 0 THEN 'closed' ELSE 'open' END,
       t.earliest_at + interval '21 days', false, t.earliest_at + interval '1 day',
       CASE WHEN a.id % 2 = 0 THEN t.earliest_at + interval '5 days' END, 1 + a.id % 20
FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE a.outcome = 'problem';
INSERT INTO escalations (attempt_id, reason, queue, status, agent_id, enqueued_at, bridged_at)
SELECT a.id, 'asked', 'agents', 'ended', 1 + a.id % 20, t.earliest_at, t.earliest_at
FROM attempts a JOIN tasks t ON t.id = a.task_id WHERE a.id % 100 = 0;
ANALYZE
"""


def load(db: Database, n: int, facts: bool) -> None:
    """Load the month (n tasks) and the month before (n / 5 tasks), then their calls, answers and cases.

    With `facts` the tasks carry the report facts the dialler writes as their calls end; without, they are
    filled afterwards by the migration's back-fill, whose time is printed.
    """
    stmts = [x for x in LOAD.strip().split(";\n") if x.strip()]
    people, tasks, rest = stmts[:2], stmts[2], stmts[3:]
    with db.engine.begin() as conn:
        for stmt in people:
            conn.execute(text(stmt))
        for month, count in ((MONTH, n), (MONTH.previous(), n // 5)):
            conn.execute(text(tasks), {"start": month.start(TZ), "n": count, "facts": facts})
        for stmt in rest:
            conn.execute(text(stmt))
    if not facts:
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            backfill_report_facts(conn)
        print(f"back-fill of the report facts (migration 0011): {time.perf_counter() - t0:.1f} s")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE tasks"))


def facts_agree(db: Database, r: dict[str, Any]) -> bool:
    """Return whether the figures read from the task facts equal the same figures read from the calls."""
    scope = fig.Scope(MONTH.start(TZ), MONTH.start(TZ), MONTH.end(TZ))
    due = fig.drill_condition("tasks")
    cases = select(func.count()).select_from(ProblemCase).join(Task, Task.id == ProblemCase.task_id)
    answers = (select(func.count()).select_from(Answer).join(Attempt, Attempt.id == Answer.attempt_id)
               .join(Task, Task.id == Attempt.task_id).where(Answer.final.is_(True)))  # fmt: skip
    with db.session() as s:
        reached = s.scalar(select(func.count()).where(*scope.tasks(), fig.drill_condition("reached")))
        problems = s.scalar(cases.where(*scope.tasks(), fig.drill_condition("succeeded")))
        answered = s.scalar(answers.where(*scope.tasks(), due))
    total = r["total"]
    return (reached, problems, answered) == (
        total["reached"],
        total["problem_cases"],
        sum(q["answered"] for q in r["by_question"]),
    )


def timed(fn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=BASE)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--backfill",
        action="store_true",
        help="load the calls without the tasks' report facts and time the migration's back-fill",
    )
    args = parser.parse_args()
    with fresh_postgres_schema(args.database_url) as url:
        db = open_database(url)
        migrate(db)
        t0 = time.perf_counter()
        load(db, args.tasks, facts=not args.backfill)
        print(f"loaded {args.tasks:,} tasks in {MONTH} (and {args.tasks // 5:,} in {MONTH.previous()}) "
              f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        with db.engine.connect() as conn:
            sizes = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in
                     ("tasks", "attempts", "answers", "problem_cases", "escalations")}  # fmt: skip
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
        req = ReportRequest(MONTH, TZ, {t: t for t in TYPES}, frozenset({("claim", "q3")}))
        now = datetime(2026, 12, 3, tzinfo=UTC)
        bounds = {"a": MONTH.start(TZ), "b": MONTH.end(TZ)}

        def count() -> None:
            with db.engine.connect() as conn:
                conn.scalar(
                    text("SELECT count(*) FROM tasks WHERE earliest_at >= :a AND earliest_at < :b"), bounds
                )

        def report() -> dict[str, object]:
            with db.session() as s:
                return build_report(s, req, now)

        timed(count, 1), timed(report, 1)  # warm the caches once
        base, rep = statistics.median(timed(count, args.runs)), statistics.median(timed(report, args.runs))
        r = report()
        book = statistics.median(timed(lambda: workbook_bytes(r, now), args.runs))
        total = r["total"]
        print(
            f"report total: {total['tasks']:,} tasks due, {total['succeeded']:,} succeeded, "  # type: ignore[index]
            f"{total['problem_cases']:,} problem cases"
        )  # type: ignore[index]
        print(f"bare COUNT(*) of the month's tasks: {base * 1000:8.1f} ms (median of {args.runs})")
        print(
            f"the whole report (both months):     {rep * 1000:8.1f} ms  = {rep / base:5.1f} × COUNT(*)  "
            f"[target ≤ 2000 ms: {'met' if rep <= 2 else 'MISSED'}]"
        )
        print(f"its workbook (XLSX with charts):    {book * 1000:8.1f} ms")
        print("the facts on the task rows agree with the calls: " + ("yes" if facts_agree(db, r) else "NO"))
        db.dispose()


if __name__ == "__main__":
    main()
