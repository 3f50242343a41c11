"""What a refused call makes of its task: an invalid number closes it for good; a busy gateway retries it later."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dialer.emulator import Emulator, run_emulator
from dialer.gateway.client import Gateway
from dialer.model import Database, TaskStatus
from dialer.scheduler import build_dialer
from dialer.settings import Settings
from tests.scheduler.helpers import AT, attempts_of, seed_tasks, tasks_by_id

DEAD = "http://127.0.0.1:9"


def test_an_invalid_number_marks_the_task_invalid_and_is_not_retried(
    db: Database, settings: Settings, emu: Emulator
) -> None:
    [task_id] = seed_tasks(db, ["+0123"])  # not E.164: the gateway answers 21211
    dialer = build_dialer(settings.replace(gateway_url=emu.url, public_url=DEAD), db)
    report = dialer.tick(AT)
    assert [c.status for c in report.calls] == ["failed"]
    task = tasks_by_id(db)[task_id]
    assert task.status == TaskStatus.INVALID and task.next_attempt_at is None
    [attempt] = attempts_of(db)
    assert (attempt.outcome, attempt.error_code, attempt.error_permanent) == ("invalid", 21211, True)
    assert dialer.tick(AT + timedelta(hours=5)).calls == []  # the afternoon window: still nothing
    assert emu.calls() == []


def test_a_busy_gateway_leaves_the_task_for_a_retry_that_does_not_count(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    [task_id] = seed_tasks(db, ["+8613700000001"])
    # An emulator that holds no queued call: every create answers 20429 Too Many Requests.
    with run_emulator(settings, data_dir=tmp_path / "full", max_queued=0) as full:
        local = settings.replace(gateway_url=full.url, public_url=DEAD)
        dialer = build_dialer(local, db, gateway=Gateway(local, retries=1, backoff=0.01))
        report = dialer.tick(AT)
        assert full.calls() == []
    assert [c.status for c in report.calls] == ["failed"]
    task = tasks_by_id(db)[task_id]
    assert task.status == TaskStatus.PENDING and task.attempt_count == 0
    assert task.next_attempt_at == AT + timedelta(minutes=5)
    [attempt] = attempts_of(db)
    assert (attempt.outcome, attempt.error_code, attempt.error_permanent) == ("error", 20429, False)
