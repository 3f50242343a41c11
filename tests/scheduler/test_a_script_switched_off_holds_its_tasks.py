"""A script switched off in the console holds its tasks: nothing is dialled with it until it is switched on."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dialer.model import Database
from dialer.model.scripts import switch_script
from dialer.scheduler.tick import SELECT_BATCH
from dialer.settings import Settings
from tests.scheduler.helpers import cli_env, phones, run_dialer, seed_tasks

AT = "2026-11-23T10:30:00+08:00"


def tick(settings: Settings, *extra: str) -> str:
    result = run_dialer(["tick", "--dry-run", "--at", AT, *extra], cli_env(settings))
    assert result.returncode == 0, result.stderr
    return result.stdout


def switch(db: Database, script: str, on: bool) -> None:
    with db.session() as s, s.begin():
        switch_script(s, script, on, "admin", datetime.now(UTC))


def test_tasks_of_a_switched_off_script_wait_and_come_back_when_it_is_on(
    db: Database, settings: Settings
) -> None:
    # More held tasks than one selection batch, all with earlier deadlines: they must not crowd the others out.
    claims = seed_tasks(db, phones("+86137", SELECT_BATCH + 20), "claim")
    repairs = seed_tasks(db, phones("+86135", 3), "repair")
    switch(db, "claim", on=False)

    report = json.loads(tick(settings, "--json"))
    assert sorted(c["task_id"] for c in report["calls"]) == repairs
    assert report["paused_scripts"] == ["claim"]
    assert "在管理页面停用的话术（其任务暂停拨打）：claim" in tick(settings)

    switch(db, "claim", on=True)
    report = json.loads(tick(settings, "--json"))
    assert report["paused_scripts"] == []
    listed = [c["task_id"] for c in report["calls"]]
    assert listed and listed == claims[: len(listed)]  # the claims are back, earliest deadline first
