"""Fixtures: a campaign whose gateway and scheduler run as processes of their own, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dialer.model import Database
from dialer.settings import Settings
from tests.faults.harness import FAST, REPORTED, GatewayProcess, SchedulerProcess
from tests.scheduler.helpers import cli_env, seed_tasks, serve_app


@dataclass
class Campaign:
    """The gateway, the service (in this process), the scheduler, and the tasks seeded for them."""

    db: Database
    settings: Settings
    gateway: GatewayProcess
    env: dict[str, str]
    root: Path
    scheduler: SchedulerProcess | None = None
    task_ids: list[int] = field(default_factory=list)

    def seed(self, numbers: list[str]) -> list[int]:
        ids = seed_tasks(self.db, numbers)
        self.task_ids += ids
        return ids

    def start_scheduler(self) -> SchedulerProcess:
        self.scheduler = SchedulerProcess(self.root, self.env).start()
        return self.scheduler


@pytest.fixture
def campaign(db: Database, settings: Settings, tmp_path: Path) -> Iterator[Campaign]:
    gateway = GatewayProcess(tmp_path, cli_env(settings), speed=10.0).start()
    try:
        with serve_app(settings.replace(gateway_url=gateway.url)) as served:
            env = cli_env(served, **FAST)
            gateway.env = env
            run = Campaign(db, served, gateway, env, tmp_path)
            try:
                yield run
            finally:
                if run.scheduler is not None:
                    run.scheduler.stop()
    finally:
        gateway.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """End the run with the fault suite's counts: lost, dialled twice, in flight against live, 5xx."""
    if REPORTED:
        terminalreporter.write_sep("=", "fault suite: what each fault left behind")
        for line in REPORTED:
            terminalreporter.write_line(line)
