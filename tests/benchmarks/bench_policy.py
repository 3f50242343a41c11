"""Benchmark the dialling policy: how much the full gate costs over the bare minimum a tick must do anyway.

Run: .venv/bin/python tests/benchmarks/bench_policy.py
Baseline (same run): convert the instant to local time, look the date up in chinesecalendar, compare
the time with the two default windows — the least any correct gate must do per task.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import chinese_calendar

from dialer.policy.attempts import next_attempt_at
from dialer.policy.calendar import WorkCalendar
from dialer.policy.dialing import may_dial, priority_key
from dialer.policy.rules import DEFAULT_WINDOWS, Rules, TaskTypeRules
from dialer.policy.views import AttemptView, Outcome, TaskView

N = 20_000
SORT_N = 200_000
RULES = Rules(TaskTypeRules(id="claim", name="理赔回访", script="claim"), WorkCalendar(), DEFAULT_WINDOWS)
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 1, tzinfo=UTC)


def timed(fn: Callable[[], object]) -> float:
    """Return the best of three wall times of `fn`, in seconds."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def cases(rng: random.Random) -> list[tuple[TaskView, list[AttemptView], datetime]]:
    """Return N tasks with 0–2 past attempts, each asked about a random instant of 2026."""
    out = []
    for i in range(N):
        now = START + timedelta(seconds=rng.randrange(360 * 86400))
        attempts = [
            AttemptView(now - timedelta(hours=rng.randrange(2, 72)), Outcome.NO_ANSWER)
            for _ in range(rng.choice([0, 0, 1, 2]))
        ]
        out.append((TaskView(id=i, deadline_at=now + timedelta(days=rng.randrange(1, 30))), attempts, now))
    return out


def baseline(items: list[tuple[TaskView, list[AttemptView], datetime]]) -> None:
    for _task, _attempts, now in items:
        wall = now.astimezone(SHANGHAI)
        t = wall.time()
        (dtime(10) <= t < dtime(12) or dtime(15) <= t < dtime(17)) and chinese_calendar.is_workday(
            wall.date()
        )


def gate(items: list[tuple[TaskView, list[AttemptView], datetime]]) -> None:
    for task, attempts, now in items:
        may_dial(task, attempts, RULES, now)


def search(items: list[tuple[TaskView, list[AttemptView], datetime]]) -> None:
    for task, attempts, now in items:
        next_attempt_at(task, attempts, RULES, now)


def main() -> None:
    items = cases(random.Random(4))
    base, full, nxt = timed(lambda: baseline(items)), timed(lambda: gate(items)), timed(lambda: search(items))
    print(f"baseline (local time + calendar + window compare): {N / base:12,.0f} tasks/s")
    print(
        f"may_dial (every rule):                             {N / full:12,.0f} tasks/s  ratio {full / base:5.1f}x"
    )
    print(
        f"next_attempt_at (search up to a year ahead):       {N / nxt:12,.0f} tasks/s  ratio {nxt / base:5.1f}x"
    )

    tasks = [item[0] for item in items] * (SORT_N // N)
    plain = timed(lambda: sorted(tasks, key=lambda t: t.deadline_at or START))
    keyed = timed(lambda: sorted(tasks, key=priority_key))
    print(f"sort {SORT_N:,} by deadline only (baseline):        {plain * 1000:9.1f} ms")
    print(
        f"sort {SORT_N:,} by priority_key:                    {keyed * 1000:9.1f} ms  ratio {keyed / plain:5.1f}x"
    )


if __name__ == "__main__":
    main()
