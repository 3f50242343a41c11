"""Benchmark of the console's work lists: the problem-case list's first and last page, a filtered page, and the
Excel export of every row, against a bare COUNT(*) of the same rows measured in the same run.

Run: .venv/bin/python tests/benchmarks/bench_lists.py [--cases N] [--database-url URL]
(default: a fresh SQLite file in a temporary folder). Loads N cases (default 20,000), each with its customer,
task and call, signs a supervisor in through the real sign-in form, and times each request through the app.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select

from dialer.app import create_app
from dialer.clock import FixedClock
from dialer.model import Attempt, Customer, ProblemCase, Task, TaskStatus, migrate
from dialer.services import services
from dialer.settings import Settings
from tests.web.seed import NOW, add_personas, sign_in


def load(db: object, n: int) -> None:
    """Write n cases in batches: half in 个险部, half in 理赔部, spread over 60 days."""
    with db.session() as s, s.begin():  # type: ignore[attr-defined]
        for i in range(n):
            when = NOW - timedelta(minutes=i * 4)
            c = Customer(name=f"客户{i:06d}", phone=f"+86139{i:08d}")
            t = Task(customer=c, type="claim" if i % 2 else "new_policy", script="claim", event_at=when,
                     earliest_at=when, status=TaskStatus.PROBLEM, department="理赔部" if i % 2 else "个险部")  # fmt: skip
            a = Attempt(
                task=t, number=1, status="completed", outcome="problem", to_number=c.phone, script="claim"
            )
            s.add_all([c, t, a])
            if i % 1000 == 999:
                s.flush()
        s.flush()
        for t_id, a_id, dept, when in s.execute(
            select(Task.id, Attempt.id, Task.department, Task.event_at).join(
                Attempt, Attempt.task_id == Task.id
            )
        ):
            s.add(ProblemCase(task_id=t_id, attempt_id=a_id, question_id="q1", question_text="问题",
                              answer_label="no", department=dept, created_at=when))  # fmt: skip


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20_000)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        settings = Settings(database_url=url, recordings_dir=Path(tmp) / "rec", var_dir=Path(tmp) / "var",
                            scripts_dir=Path(tmp) / "scripts", secret_key="bench")  # fmt: skip
        app = create_app(settings, clock=FixedClock(NOW))
        db = services(app).db
        migrate(db)
        add_personas(db)
        start = time.perf_counter()
        load(db, args.cases)
        print(f"loaded {args.cases:,} cases in {time.perf_counter() - start:.1f} s")
        client = app.test_client()
        sign_in(client, "supervisor")
        pages = (args.cases + 49) // 50

        def count() -> None:
            with db.session() as s:
                s.scalar(select(func.count()).select_from(ProblemCase))

        def page(query: str) -> None:
            resp = client.get("/cases" + query)
            assert resp.status_code == 200, resp.status_code

        base = timed(count)
        print(f"bare COUNT(*) of the cases: {base * 1000:.1f} ms")
        for label, query in (("first page", ""), ("last page", f"?page={pages}"),
                             ("filtered page (个险部, a week)", "?department=个险部&date_from=2026-03-03"),
                             ("whole export (.xlsx)", "?format=xlsx")):  # fmt: skip
            t = timed(lambda q=query: page(q), repeat=3 if "xlsx" in query else 5)
            print(f"{label:32s} {t * 1000:9.1f} ms   {t / base:8.1f} × COUNT(*)")
        db.dispose()


if __name__ == "__main__":
    main()
