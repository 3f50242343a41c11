"""Property: the next attempt time is one the gate accepts, the first one, and None only when exhausted."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from hypothesis import event, given, settings
from hypothesis import strategies as st

from dialer.policy.attempts import next_attempt_at
from dialer.policy.calendar import WorkCalendar
from dialer.policy.dialing import STANDING_REASONS, Reason, may_dial
from dialer.policy.rules import DEFAULT_WINDOWS, Rules
from tests.policy.helpers import CALENDARS, TYPE_RULES, WINDOWS, ZONES, histories, local_instants, tasks


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_next_attempt_is_the_first_instant_the_gate_accepts(data: st.DataObject) -> None:
    tz = data.draw(ZONES)
    now = data.draw(local_instants(tz))
    task, attempts = data.draw(tasks(tz)), data.draw(histories(tz, now))
    rules, calendar, windows = data.draw(TYPE_RULES), data.draw(CALENDARS), data.draw(WINDOWS)
    nxt = next_attempt_at(task, attempts, Rules(rules, calendar, windows), now)
    event(f"found: {nxt is not None}")
    if nxt is None:
        return
    assert nxt >= now and nxt.tzinfo == UTC
    assert may_dial(task, attempts, Rules(rules, calendar, windows), nxt).ok
    # Nothing earlier would have been accepted: probe an instant between now and the answer.
    probe = now + (nxt - now) * data.draw(st.floats(0, 1, exclude_max=True))
    if probe < nxt:
        assert not may_dial(task, attempts, Rules(rules, calendar, windows), probe).ok


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_it_finds_a_next_attempt_unless_the_task_is_exhausted(data: st.DataObject) -> None:
    # With the default windows, a year of known data ahead and no override, a pending task that
    # still has attempts left must get a time; None is only for a task that can never be called.
    tz = data.draw(ZONES)
    now = data.draw(st.datetimes(datetime(2025, 1, 1), datetime(2025, 11, 30), timezones=st.just(UTC)))
    task, rules = data.draw(tasks(tz)), data.draw(TYPE_RULES)
    earliest = data.draw(
        st.none() | st.datetimes(datetime(2025, 1, 1), datetime(2026, 11, 30), timezones=st.just(UTC))
    )
    task = dataclasses.replace(task, earliest_at=earliest)
    attempts = [a for a in data.draw(histories(tz, now)) if a.started_at <= now]  # no attempt in the future
    nxt = next_attempt_at(task, attempts, Rules(rules, WorkCalendar(), DEFAULT_WINDOWS), now)
    reason = may_dial(task, attempts, Rules(rules, WorkCalendar(), DEFAULT_WINDOWS), now).reason
    event(f"reason now: {reason}")
    assert (nxt is None) == (reason in STANDING_REASONS)
    if nxt is not None:
        assert nxt.date() <= date(2026, 12, 31)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_it_never_answers_inside_a_year_without_data(data: st.DataObject) -> None:
    tz = data.draw(ZONES)
    now = data.draw(local_instants(tz))
    task, attempts = data.draw(tasks(tz)), data.draw(histories(tz, now))
    rules, calendar, windows = data.draw(TYPE_RULES), data.draw(CALENDARS), data.draw(WINDOWS)
    nxt = next_attempt_at(task, attempts, Rules(rules, calendar, windows), now)
    if nxt is not None:
        assert may_dial(task, attempts, Rules(rules, calendar, windows), nxt).reason == Reason.OK
