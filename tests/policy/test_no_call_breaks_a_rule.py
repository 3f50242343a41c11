"""Property: whatever the task, history, instant, time zone and holiday table, an ok never breaks a rule."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import event, given, settings
from hypothesis import strategies as st

from dialer.policy.calendar import WorkCalendar
from dialer.policy.dialing import may_dial
from dialer.policy.rules import Rules, TaskTypeRules, Window
from dialer.policy.views import AttemptView, Outcome, Standing, TaskView
from tests.policy.helpers import (
    CALENDARS,
    TYPE_RULES,
    WINDOWS,
    ZONES,
    histories,
    local_instants,
    oracle_in_window,
    oracle_working,
    tasks,
)

Case = tuple[TaskView, list[AttemptView], TaskTypeRules, WorkCalendar, tuple[Window, ...], datetime]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    tz = draw(ZONES)
    now = draw(local_instants(tz))
    return (draw(tasks(tz)), draw(histories(tz, now)), draw(TYPE_RULES), draw(CALENDARS), draw(WINDOWS), now)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_an_ok_never_breaks_a_rule(case: Case) -> None:
    task, attempts, rules, calendar, windows, now = case
    decision = may_dial(task, attempts, Rules(rules, calendar, windows), now)
    event(f"reason: {decision.reason}")
    if not decision.ok:
        return
    wall = now.astimezone(ZoneInfo(task.timezone))
    assert 9 <= wall.hour < 21, "never between 21:00 and 09:00"
    assert oracle_in_window(wall.time(), windows), "only inside a configured window"
    assert oracle_working(wall.date(), calendar) is True, "only on a known working day"
    used = [a for a in attempts if a.outcome != Outcome.GATEWAY_ERROR]
    assert max(len(used), task.attempt_count) < rules.attempts.max_attempts, "never past the cap"
    assert not (task.opted_out and not rules.mandatory), "never an opted-out customer on an optional type"
    assert task.status == Standing.PENDING
    assert all(a.outcome is not None for a in attempts), "never while a call is in flight"
    assert all(now - a.started_at >= rules.attempts.min_gap for a in used), "never too soon after the last"
    assert task.earliest_at is None or now >= task.earliest_at


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_fresh_task_is_called_exactly_when_the_plain_rules_allow(data: st.DataObject) -> None:
    # The converse, so a gate that always says no cannot pass: for a task with no history,
    # the only rules left are the window, the quiet hours and the working day.
    tz = data.draw(ZONES)
    now = data.draw(local_instants(tz))
    calendar, windows, rules = data.draw(CALENDARS), data.draw(WINDOWS), data.draw(TYPE_RULES)
    task = TaskView(id=1, timezone=tz)
    wall = now.astimezone(ZoneInfo(tz))
    allowed = (
        9 <= wall.hour < 21
        and oracle_in_window(wall.time(), windows)
        and oracle_working(wall.date(), calendar) is True
    )
    event(f"allowed: {allowed}")
    assert may_dial(task, [], Rules(rules, calendar, windows), now).ok == allowed
