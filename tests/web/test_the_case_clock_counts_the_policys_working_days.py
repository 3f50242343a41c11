"""The case queue's clock counts the same working days as the case's due date, and names the configured SLA.

Hard days of 2026 (chinesecalendar): 国庆 1–7 October are holidays; Saturday 10 October is a 调休 working day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dialer.holidays import load_work_calendar
from dialer.policy.cases import CaseRules, problem_due_at
from dialer.settings import PROJECT_ROOT, Settings
from dialer.web.sla import sla_clock
from tests.web.seed import Seeded, get, sign_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = load_work_calendar(PROJECT_ROOT / "config")


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "left"),
    [
        (_at(9, 30), 15),  # the day it opened: all fifteen days left
        (_at(10, 7), 15),  # the holiday week uses none of them
        (_at(10, 10), 12),  # 8, 9 and today, the 调休 Saturday, used: 12 left
        (_at(10, 27), 0),  # the last day
        (_at(10, 28), -1),  # one working day late
    ],
)
def test_the_clock_agrees_with_the_stored_due_date_across_national_day(now: datetime, left: int) -> None:
    opened = _at(9, 30)
    rules = CaseRules(
        sla_working_days=15, repeat_window_days=365, timezone="Asia/Shanghai", calendar=CALENDAR
    )
    stored = sla_clock(opened, problem_due_at(opened, rules), 15, CALENDAR, now, SHANGHAI)
    unstored = sla_clock(opened, None, 15, CALENDAR, now, SHANGHAI)  # a case filed before due dates were kept
    assert stored == unstored
    assert (str(stored.due), stored.left, stored.overdue) == ("2026-10-27", left, left < 0)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(problem_sla_working_days=10)


def test_the_queue_names_the_configured_number_of_working_days(
    app: Flask, client: FlaskClient, seeded: Seeded
) -> None:
    sign_in(client, "agent")
    page = get(client, "/cases").get_data(as_text=True)
    assert "时限（10 个工作日）" in page and "15 个工作日" not in page
    assert "剩余 10 个工作日" in page  # opened on Tuesday 10 March 2026, a case's clock starts full
