"""Priority: the earliest deadline goes first; tasks with no deadline go last."""

from __future__ import annotations

from dialer.policy.dialing import priority_key
from dialer.policy.views import TaskView
from tests.policy.helpers import sh


def test_it_orders_by_earliest_deadline_first() -> None:
    late = TaskView(id=1, deadline_at=sh("2026-11-30T17:00:00"))
    soon = TaskView(id=2, deadline_at=sh("2026-11-24T17:00:00"))
    open_ended = TaskView(id=3)
    sooner = TaskView(id=4, deadline_at=sh("2026-11-23T12:00:00"))
    assert [t.id for t in sorted([late, soon, open_ended, sooner], key=priority_key)] == [4, 2, 1, 3]


def test_equal_deadlines_go_by_earliest_time_then_by_id() -> None:
    deadline = sh("2026-11-30T17:00:00")
    a = TaskView(id=9, deadline_at=deadline, earliest_at=sh("2026-11-20T00:00:00"))
    b = TaskView(id=5, deadline_at=deadline, earliest_at=sh("2026-11-21T00:00:00"))
    c = TaskView(id=7, deadline_at=deadline, earliest_at=sh("2026-11-21T00:00:00"))
    assert [t.id for t in sorted([c, b, a], key=priority_key)] == [9, 5, 7]


def test_numeric_and_text_ids_sort_together_without_error() -> None:
    tasks = [TaskView(id="b7"), TaskView(id=3), TaskView(id="a1")]
    assert [t.id for t in sorted(tasks, key=priority_key)] == [3, "a1", "b7"]
