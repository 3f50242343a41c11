"""Four `dialer scheduler` processes on one PostgreSQL database dial each of 2,000 due tasks exactly once."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from dialer.emulator import Emulator
from dialer.model import Attempt, Database
from dialer.settings import Settings
from tests.scheduler.helpers import (
    DIALER,
    attempts_of,
    cli_env,
    count_attempts,
    phones,
    seed_tasks,
    wait_for,
)

TASKS = 2000
DEAD = "http://127.0.0.1:9"
PROCESSES = 4
FAST = {
    "DIALER_MAX_CPS": "2000", "DIALER_MAX_CONCURRENT_CALLS": "5000", "DIALER_TICK_SECONDS": "0.2",
    "DIALER_CLAIM_LEASE_SECONDS": "120", "DIALER_LOG_LEVEL": "INFO",
}  # fmt: skip


def test_every_task_is_dialled_exactly_once(pg: Database, pg_url: str, emu: Emulator, tmp_path: Path) -> None:
    numbers = phones("+86137", TASKS)
    task_ids = seed_tasks(pg, numbers)
    # Status callbacks go nowhere (port 9): this test is about claims; the calls' ends are tested elsewhere.
    settings = Settings(database_url=pg_url, gateway_url=emu.url, var_dir=tmp_path / "var", public_url=DEAD)
    env = cli_env(settings, **FAST)
    logs = [(tmp_path / f"scheduler-{i}.log").open("w") for i in range(PROCESSES)]
    args = [DIALER, "scheduler", "--at", "2026-11-23T10:30:00+08:00"]
    procs = [subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log) for log in logs]
    try:
        wait_for(
            lambda: count_attempts(pg, Attempt.call_sid.is_not(None)) >= TASKS, 100, "2,000 calls placed"
        )
        time.sleep(1.0)  # a few more passes: they must find nothing left to dial
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p, log in zip(procs, logs, strict=True):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()  # never leave a scheduler behind; the assertion below reports it
                p.wait(timeout=10)
            log.close()
    errors = [(tmp_path / f"scheduler-{i}.log").read_text()[-2000:] for i in range(PROCESSES)]
    assert [p.returncode for p in procs] == [0] * PROCESSES, errors  # a clean stop on SIGTERM

    dialled = Counter(c["to"] for c in emu.calls())
    assert set(dialled) == set(numbers)
    assert max(dialled.values()) == 1, [n for n, k in dialled.items() if k > 1][:10]

    attempts = attempts_of(pg)
    assert sorted(a.task_id for a in attempts) == sorted(task_ids)  # one attempt per task, none missing
    assert {a.call_sid for a in attempts} == {c["sid"] for c in emu.calls()}
    with pg.session() as s:  # every process took part: the test really raced four claimers
        workers = s.scalar(select(func.count(func.distinct(Attempt.claimed_by))))
    assert workers == PROCESSES
