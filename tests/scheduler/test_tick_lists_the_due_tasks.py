"""`dialer tick --dry-run --at … --json` lists the due tasks inside a window and none outside it."""

from __future__ import annotations

import json
from datetime import timedelta

from dialer.model import Database, TaskStatus
from dialer.settings import Settings
from tests.scheduler.helpers import (
    EVENT,
    attempts_of,
    cli_env,
    opt_out,
    phones,
    run_dialer,
    seed_tasks,
    tasks_by_id,
)


def dry_run(settings: Settings, at: str) -> dict:
    result = run_dialer(["tick", "--dry-run", "--at", at, "--json"], cli_env(settings))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def seed(db: Database) -> tuple[list[int], list[str]]:
    numbers = phones("+86137", 3)
    due = seed_tasks(db, numbers)  # claim: mandatory, due since yesterday
    seed_tasks(db, ["+8613600000001"], "complaint")  # optional type, and the customer opted out
    opt_out(db, "+8613600000001")
    seed_tasks(
        db, ["+8613500000001"], "repair", earliest=EVENT + timedelta(days=7)
    )  # not due until next week
    return due, numbers


def test_it_lists_the_due_tasks_at_half_past_ten(db: Database, settings: Settings) -> None:
    due, numbers = seed(db)
    report = dry_run(settings, "2026-11-23T10:30:00+08:00")
    assert [(c["task_id"], c["to"]) for c in report["calls"]] == list(zip(due, numbers, strict=True))
    assert report["skipped"] == {"opted_out": 1}
    assert report["dry_run"] is True


def test_it_lists_none_at_half_past_twelve(db: Database, settings: Settings) -> None:
    seed(db)
    report = dry_run(settings, "2026-11-23T12:30:00+08:00")
    assert report["calls"] == []
    assert report["skipped"] == {"opted_out": 1, "outside_window": 3}


def test_a_dry_run_changes_nothing(db: Database, settings: Settings) -> None:
    seed(db)
    before = {i: (t.status, t.next_attempt_at) for i, t in tasks_by_id(db).items()}
    dry_run(settings, "2026-11-23T10:30:00+08:00")
    dry_run(settings, "2026-11-23T12:30:00+08:00")
    assert {i: (t.status, t.next_attempt_at) for i, t in tasks_by_id(db).items()} == before
    assert all(status == TaskStatus.PENDING for status, _ in before.values())
    assert attempts_of(db) == []
