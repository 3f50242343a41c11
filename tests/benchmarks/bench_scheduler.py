"""Benchmarks of the dialler: tick selection on 1,000,000 pending tasks, and sustained calls per second.

Run: .venv/bin/python tests/benchmarks/bench_scheduler.py  (needs PostgreSQL: DIALER_TEST_POSTGRES_URL or
postgresql://postgres@127.0.0.1:5432/test). Prints the query plan, figures and ratios against baselines
measured in the same run.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import itertools

from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from dialer.emulator import run_emulator
from dialer.model import Database, migrate, open_database
from dialer.scheduler import build_dialer
from dialer.scheduler.tick import TickReport
from dialer.settings import Settings
from tests.conftest import fresh_postgres_schema
from tests.scheduler.conftest import PERSONAS
from tests.scheduler.helpers import AT, phones, seed_tasks

BASE = os.environ.get("DIALER_TEST_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/test"
BIG, SMALL = 1_000_000, 1_000
DUE_SHARE = 0.02  # 2% of pending tasks are due now; the rest wait for a later window or day
LOAD = """
INSERT INTO customers (name, phone, timezone, legal_hold, created_at)
SELECT '客户' || g, '+86137' || lpad(g::text, 8, '0'), 'Asia/Shanghai', false, now()
FROM generate_series(1, 10000) g;
INSERT INTO tasks (customer_id, type, script, event_at, earliest_at, deadline_at, status, attempt_count,
                   next_attempt_at, manual_followup, created_at, updated_at)
SELECT 1 + g % 10000, 'claim', 'claim', :event + g * interval '1 second', :event,
       :event + interval '1 day' + (g % 9973) * interval '1 minute', 'pending', 0,
       CASE WHEN g % 1000 < :due_per_mille THEN :event ELSE :at + interval '1 day' + (g % 500) * interval '1 minute' END,
       false, now(), now()
FROM generate_series(1, :n) g;
ANALYZE customers; ANALYZE tasks;
"""


def load(db: Database, n: int) -> None:
    event = AT - timedelta(days=1)
    with db.engine.begin() as conn:
        for stmt in LOAD.strip().split(";\n"):
            if stmt.strip():
                conn.execute(
                    text(stmt), {"event": event, "at": AT, "n": n, "due_per_mille": int(DUE_SHARE * 1000)}
                )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE tasks"))


def selection(db: Database, settings: Settings, runs: int = 7) -> tuple[float, float, str]:
    """Return (median query ms, median dry-run pass ms, EXPLAIN ANALYZE plan) of the tick's selection."""
    dialer = build_dialer(settings, db, with_gateway=False)
    query = dialer.due_tasks(AT, lock=True)
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    q_ms, pass_ms = [], []
    with db.engine.connect() as conn:
        for _ in range(runs):
            t = time.perf_counter()
            conn.execute(text(sql)).fetchall()
            q_ms.append((time.perf_counter() - t) * 1000)
            conn.rollback()
        plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)))
        conn.rollback()
    for _ in range(runs):
        t = time.perf_counter()
        dialer._select(AT, True, TickReport(at=AT, dry_run=True))
        pass_ms.append((time.perf_counter() - t) * 1000)
    return statistics.median(q_ms), statistics.median(pass_ms), plan


def bench_selection() -> None:
    results = {}
    for n in (SMALL, BIG):
        with fresh_postgres_schema(BASE) as url:
            db = open_database(url)
            migrate(db)
            t = time.perf_counter()
            load(db, n)
            print(f"loaded {n:,} pending tasks ({DUE_SHARE:.0%} due) in {time.perf_counter() - t:.1f} s")
            settings = Settings(database_url=url, max_concurrent_calls=500)
            results[n] = selection(db, settings)
            db.dispose()
    print(
        "\nEXPLAIN (ANALYZE, BUFFERS) of the selection on 1,000,000 pending tasks:\n" + results[BIG][2] + "\n"
    )
    (q_small, p_small, _), (q_big, p_big, _) = results[SMALL], results[BIG]
    print(f"selection query (500 rows, FOR UPDATE SKIP LOCKED): {q_big:.2f} ms on {BIG:,} tasks, "
          f"{q_small:.2f} ms on {SMALL:,} (baseline); ratio {q_big / q_small:.2f}")  # fmt: skip
    print(f"whole dry-run selection pass (query + policy for 500 tasks): {p_big:.1f} ms on {BIG:,}, "
          f"{p_small:.1f} ms on {SMALL:,} (baseline); ratio {p_big / p_small:.2f}")  # fmt: skip


def bench_rate(limit: float = 5.0, calls: int = 40) -> None:
    tmp = Path(tempfile.mkdtemp())
    (tmp / "personas.toml").write_text(PERSONAS, encoding="utf-8")
    with fresh_postgres_schema(BASE) as url:
        db = open_database(url)
        migrate(db)
        seed_tasks(db, phones("+86137", calls))
        with run_emulator(Settings(var_dir=tmp), personas=tmp / "personas.toml", speed=50.0, data_dir=tmp / "emu",
                          cps=1000, max_queued=5000) as emu:  # fmt: skip
            settings = Settings(database_url=url, gateway_url=emu.url, public_url="http://127.0.0.1:9",
                                max_calls_per_second=limit, max_concurrent_calls=1000)  # fmt: skip
            dialers = [build_dialer(settings, db) for _ in range(2)]
            t = time.perf_counter()
            while len(emu.calls()) < calls:
                for d in dialers:
                    d.tick(AT)
            elapsed = time.perf_counter() - t
            created = sorted(datetime.fromisoformat(c["events"][0]["at"]) for c in emu.calls())
        db.dispose()
    span = (created[-1] - created[0]).total_seconds()
    rate = (len(created) - 1) / span
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(created)]
    print(f"\nsustained rate: {calls} calls in {span:.2f} s = {rate:.2f} calls/s against a limit of {limit:g}/s "
          f"(ratio {rate / limit:.3f}); smallest gap {min(gaps) * 1000:.0f} ms (limit {1000 / limit:.0f} ms); "
          f"wall time with two dialers {elapsed:.1f} s")  # fmt: skip


if __name__ == "__main__":
    bench_rate()
    bench_selection()
