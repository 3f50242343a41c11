"""Benchmark of the manual follow-up (机构自访) figures on PostgreSQL, against a bare COUNT(*) of the month.

Run: .venv/bin/python tests/benchmarks/bench_manual_followups.py [--tasks N] [--database-url URL]
Loads the report benchmark's month (bench_report.py), closes half of its unreachable tasks by a completed
follow-up dated in the month (5% of the tasks), then times, in the same run: a bare COUNT(*) of the month's
tasks (the baseline), the report's follow-up figures by their own month, the queue page's share per type and
month, and the whole monthly report. Prints each time and its ratio to the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import text

from dialer.model import followups as fu
from dialer.model import migrate, open_database
from dialer.reports import ReportRequest, build_report
from dialer.reports import figures as fig
from tests.benchmarks.bench_report import BASE, MONTH, TYPES, TZ, load, timed
from tests.conftest import fresh_postgres_schema

FOLLOW_UPS = """
UPDATE tasks SET status = 'followed_up', manual_followup = true WHERE status = 'unreachable' AND id % 2 = 0;
INSERT INTO follow_ups (task_id, way, done_on, staff_name, reached_name, result, receipt_store, receipt_path,
                        receipt_name, receipt_type, receipt_size, receipt_sha256, receipt_uploaded_by,
                        receipt_uploaded_at, recorded_by, recorded_at)
SELECT id, 'visit', (earliest_at AT TIME ZONE 'Asia/Shanghai')::date + (id % 3), '网点', '客户', 'completed',
       'folder', 'receipts/x.pdf', '回执.pdf', 'application/pdf', 1000, repeat('0', 64), 'bench', now(), 'bench',
       now()
FROM tasks WHERE status = 'followed_up';
ANALYZE follow_ups
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--database-url", default=BASE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with fresh_postgres_schema(args.database_url) as url:
        db = open_database(url)
        migrate(db)
        load(db, args.tasks, facts=True)
        with db.engine.begin() as conn:
            for stmt in FOLLOW_UPS.strip().split(";\n"):
                conn.execute(text(stmt))
            done = conn.scalar(text("SELECT count(*) FROM follow_ups"))
        print(
            f"loaded {args.tasks:,} tasks in {MONTH} (and {args.tasks // 5:,} before); {done:,} closed by a follow-up"
        )
        scope = fig.Scope(MONTH.previous().start(TZ), MONTH.start(TZ), MONTH.end(TZ))
        months = [
            (str(m), m.start(TZ), m.end(TZ)) for m in (MONTH, MONTH.previous(), MONTH.previous().previous())
        ]
        bounds = {"a": MONTH.start(TZ), "b": MONTH.end(TZ)}
        req = ReportRequest(MONTH, TZ, {t: t for t in TYPES})
        now = datetime(2026, 12, 3, tzinfo=UTC)

        def count() -> None:
            with db.engine.connect() as conn:
                conn.scalar(
                    text("SELECT count(*) FROM tasks WHERE earliest_at >= :a AND earliest_at < :b"), bounds
                )

        def figures() -> None:
            with db.session() as s:
                fig.manual_followup_figures(s, scope)

        def shares() -> None:
            with db.session() as s:
                fu.shares(s, months)

        def report() -> None:
            with db.session() as s:
                build_report(s, req, now)

        for fn in (count, figures, shares, report):
            timed(fn, 1)  # warm the caches once
        base = statistics.median(timed(count, args.runs))
        print(f"baseline COUNT(*) of the month's tasks: {base * 1000:.1f} ms (median of {args.runs})")
        for name, fn in (("report's follow-up figures (by their own month)", figures),
                         ("queue page's share per type and month (3 months)", shares),
                         ("whole monthly report", report)):  # fmt: skip
            took = statistics.median(timed(fn, args.runs))
            print(f"{name}: {took * 1000:.1f} ms, {took / base:.2f}× the baseline")
        with db.session() as s:
            r = build_report(s, req, now)
        print(f"report: {r['total']['manual_followup']:,} closed by manual follow-up of {r['total']['tasks']:,} due, "
              f"share {r['total']['manual_followup_share']:.1%}")  # fmt: skip
        db.dispose()


if __name__ == "__main__":
    main()
