"""`--at` may only pretend the time in a dry run or against a local emulator: nobody is called at a pretended time."""

from __future__ import annotations

import pytest

from dialer.model import Database
from dialer.settings import Settings
from tests.scheduler.helpers import attempts_of, cli_env, phones, run_dialer, seed_tasks

AT = "2026-11-23T10:30:00+08:00"


@pytest.mark.parametrize(
    "gateway", ["https://gateway.example.com", ""], ids=["remote-compatible-gateway", "real-twilio"]
)
@pytest.mark.parametrize(
    "command", [["tick", "--at", AT], ["scheduler", "--at", AT]], ids=["tick", "scheduler"]
)
def test_it_refuses_to_dial_at_a_pretended_time(
    db: Database, settings: Settings, gateway: str, command: list[str]
) -> None:
    seed_tasks(db, phones("+86137", 2))
    env = cli_env(settings, TWILIO_AUTH_TOKEN="a-real-looking-token")
    env["DIALER_GATEWAY_URL"] = gateway
    result = run_dialer(command, env, timeout=30)
    assert result.returncode == 2
    assert "--at is refused" in result.stderr
    assert "--dry-run" in result.stderr
    assert attempts_of(db) == []


def test_a_dry_run_may_pretend_with_any_gateway(db: Database, settings: Settings) -> None:
    seed_tasks(db, phones("+86137", 2))
    env = cli_env(settings, TWILIO_AUTH_TOKEN="a-real-looking-token", DIALER_GATEWAY_URL="")
    result = run_dialer(["tick", "--dry-run", "--at", AT], env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "将拨打 2 通电话" in result.stdout
    assert attempts_of(db) == []
