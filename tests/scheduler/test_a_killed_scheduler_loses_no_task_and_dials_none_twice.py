"""`kill -9` a scheduler mid-pass, start another: no task is lost and no one is called twice.

The three points a crash can hit: tasks claimed but no call placed (the lease runs out, the tasks are
claimable again), the call created at the gateway but its id not stored (found among the number's recent
calls), and the call's id stored while its status callbacks never arrive (fetched by id).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from dialer.emulator import Emulator
from dialer.model import Database, TaskStatus
from dialer.settings import Settings
from tests.scheduler.helpers import AT, attempts_of, cli_env, phones, run_dialer, seed_tasks, tasks_by_id

ROOT = Path(__file__).resolve().parents[2]
LEASE = 2
FAST = {"DIALER_CLAIM_LEASE_SECONDS": str(LEASE), "DIALER_RING_TIMEOUT": "1", "DIALER_MAX_CPS": "50"}
# Callbacks go nowhere: as if the whole service went down with the scheduler.
DEAD = "http://127.0.0.1:9"


def crash_at(stage: str, env: dict[str, str]) -> int:
    """Run a scheduler until it reaches `stage`, kill -9 it there; return the task it was busy with."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.scheduler.crashing_scheduler", AT.isoformat(), stage],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith(f"STOPPED {stage}"), line
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return int(line.split()[2])


def restart(env: dict[str, str], minutes_later: int) -> dict:
    """Wait out the lease, then run one pass as a fresh process, later the same morning."""
    time.sleep(LEASE + 1.5)
    at = AT.replace(minute=AT.minute + minutes_later).isoformat()
    result = run_dialer(["tick", "--at", at, "--json"], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def env(db: Database, settings: Settings, emu: Emulator) -> dict[str, str]:
    return cli_env(settings.replace(gateway_url=emu.url, public_url=DEAD), **FAST)


def test_claimed_tasks_whose_calls_never_left_are_dialled_after_the_lease(
    db: Database, emu: Emulator, env: dict[str, str]
) -> None:
    numbers = phones("+86137", 3)
    ids = seed_tasks(db, numbers)
    crash_at("claimed", env)
    assert emu.calls() == []
    assert {t.status for t in tasks_by_id(db).values()} == {TaskStatus.DIALLING}

    report = restart(env, minutes_later=10)  # past the 5-minute pause after a call that never left
    assert report["recovered"] == 3
    assert sorted(c["task_id"] for c in report["calls"]) == ids

    assert sorted(c["to"] for c in emu.calls()) == numbers  # each number once
    attempts = attempts_of(db)
    assert [(a.task_id, a.outcome, a.call_sid is None) for a in attempts if a.number == 1] == [
        (i, "error", True) for i in ids
    ]  # the lost claims stay on record, and do not count as attempts
    assert all(a.call_sid for a in attempts if a.number == 2)
    assert {t.attempt_count for t in tasks_by_id(db).values()} == {1}


def test_a_crash_before_placing_leaks_no_dialling_capacity(
    db: Database, emu: Emulator, env: dict[str, str]
) -> None:
    ids = seed_tasks(db, phones("+86138", 3))
    crash_at("claimed", env)

    report = restart(env, minutes_later=0)  # recovery; the tasks then wait out the pause after a lost claim
    assert report["recovered"] == 3 and report["calls"] == []

    at = AT.replace(minute=AT.minute + 10).isoformat()
    result = run_dialer(
        ["tick", "--dry-run", "--at", at, "--json"], {**env, "DIALER_MAX_CONCURRENT_CALLS": "3"}
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert sorted(c["task_id"] for c in plan["calls"]) == ids  # every slot is free again
    assert "concurrency_limit" not in plan["skipped"]
    assert emu.calls() == []
    assert all(a.status == "failed" and a.outcome == "error" for a in attempts_of(db))  # none left in flight


def test_a_call_created_just_before_the_crash_is_found_by_its_number(
    db: Database, emu: Emulator, env: dict[str, str]
) -> None:
    numbers = phones("+86137", 2)
    seed_tasks(db, numbers)
    crashed = crash_at("placed", env)
    assert [c["to"] for c in emu.calls()] == [numbers[0]]  # created at the gateway; its id never stored
    assert all(a.call_sid is None for a in attempts_of(db))

    report = restart(env, minutes_later=10)
    assert report["recovered"] == 2
    assert Counter(c["to"] for c in emu.calls()) == Counter(numbers)  # the second task dialled now, once
    first = next(a for a in attempts_of(db) if a.task_id == crashed)
    assert first.call_sid == next(c["sid"] for c in emu.calls() if c["to"] == numbers[0])
    assert first.outcome == "busy"
    assert tasks_by_id(db)[crashed].status == TaskStatus.PENDING  # its next attempt, hours later


def test_a_placed_call_whose_callbacks_were_lost_is_fetched_by_its_id(
    db: Database, emu: Emulator, env: dict[str, str]
) -> None:
    numbers = phones("+86137", 2)
    seed_tasks(db, numbers)
    crashed = crash_at("recorded", env)
    first = next(a for a in attempts_of(db) if a.task_id == crashed)
    assert first.call_sid and first.outcome is None

    report = restart(env, minutes_later=10)
    assert report["recovered"] == 2
    assert Counter(c["to"] for c in emu.calls()) == Counter(numbers)
    first = next(a for a in attempts_of(db) if a.task_id == crashed)
    assert first.outcome == "busy"
    assert any(e.name == "reconciled" for e in _events(db, first.id))
    task = tasks_by_id(db)[crashed]
    assert task.status == TaskStatus.PENDING and task.next_attempt_at is not None
    assert task.next_attempt_at > AT  # not again this morning


def _events(db: Database, attempt_id: int) -> list:
    from sqlalchemy import select

    from dialer.model import AttemptEvent

    with db.session() as s:
        return list(s.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id)))
