"""Property: dialling a task at every time next_attempt_at gives keeps all the attempt rules."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.policy.attempts import after_attempt, next_attempt_at
from dialer.policy.calendar import WorkCalendar
from dialer.policy.rules import DEFAULT_WINDOWS, AttemptRules, Rules, TaskTypeRules
from dialer.policy.views import AttemptView, Outcome, Standing, TaskView
from dialer.policy.windows import window_index
from tests.policy.helpers import ATTEMPT_RULES, ZONES, oracle_in_window, oracle_working

UNSUCCESSFUL = st.sampled_from([Outcome.BUSY, Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NOT_CUSTOMER])


def run_campaign(
    task: TaskView, rules: TaskTypeRules, start: datetime, data: st.DataObject
) -> list[AttemptView]:
    """Dial whenever allowed, never reaching the customer, until the policy gives up."""
    attempts: list[AttemptView] = []
    now = start
    while (
        at := next_attempt_at(task, attempts, Rules(rules, WorkCalendar(), DEFAULT_WINDOWS), now)
    ) is not None:
        attempts.append(AttemptView(at, data.draw(UNSUCCESSFUL)))
        now = at + timedelta(seconds=data.draw(st.integers(20, 600)))  # the call rings, then ends
        assert len(attempts) <= 10, "the campaign does not stop"
    return attempts


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_campaign_keeps_the_cap_the_days_the_windows_and_the_gap(data: st.DataObject) -> None:
    tz = data.draw(ZONES)
    attempt_rules = data.draw(st.just(AttemptRules()) | ATTEMPT_RULES)
    rules = TaskTypeRules(id="t", name="t", script="t", attempts=attempt_rules)
    start = data.draw(st.datetimes(datetime(2025, 1, 1), datetime(2026, 11, 30), timezones=st.just(UTC)))
    attempts = run_campaign(TaskView(id=1, timezone=tz), rules, start, data)

    zone = ZoneInfo(tz)
    walls = [a.started_at.astimezone(zone) for a in attempts]
    assert len(attempts) == attempt_rules.max_attempts
    assert len({w.date() for w in walls}) >= min(attempt_rules.min_distinct_days, attempt_rules.max_attempts)
    for before, after in itertools.pairwise(attempts):
        assert after.started_at - before.started_at >= attempt_rules.min_gap
    if attempt_rules.distinct_windows:
        indexes = [window_index(w.time(), DEFAULT_WINDOWS) for w in walls]
        assert all(a != b for a, b in itertools.pairwise(indexes)), "a morning, then an afternoon"
    for w in walls:
        assert 9 <= w.hour < 21 and oracle_in_window(w.time(), DEFAULT_WINDOWS)
        assert oracle_working(w.date(), WorkCalendar()) is True
    last = after_attempt(
        TaskView(id=1, timezone=tz), attempts, Rules(rules, WorkCalendar(), DEFAULT_WINDOWS), walls[-1]
    )
    assert last.status == Standing.UNREACHABLE


def test_the_default_campaign_is_morning_afternoon_then_the_next_morning() -> None:
    # Monday 2026-11-23 10:30 Shanghai: the fastest schedule the default rules allow.
    rules = TaskTypeRules(id="t", name="t", script="t")
    sh = ZoneInfo("Asia/Shanghai")
    attempts: list[AttemptView] = []
    now = datetime(2026, 11, 23, 10, 30, tzinfo=sh)
    for _ in range(3):
        at = next_attempt_at(TaskView(id=1), attempts, Rules(rules, WorkCalendar(), DEFAULT_WINDOWS), now)
        assert at is not None
        attempts.append(AttemptView(at, Outcome.NO_ANSWER))
        now = at
    assert [a.started_at.astimezone(sh).strftime("%a %H:%M") for a in attempts] == [
        "Mon 10:30",
        "Mon 15:00",
        "Tue 10:00",
    ]
