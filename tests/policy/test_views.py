"""Views refuse naive datetimes at the boundary, where a missing time zone is still easy to trace."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialer.policy.views import AttemptView, Outcome, TaskView


def test_a_task_with_a_naive_deadline_is_refused_by_field_name() -> None:
    with pytest.raises(ValueError, match=r"TaskView\.deadline_at must be an aware datetime"):
        TaskView(id=1, deadline_at=datetime(2026, 11, 23, 17))


def test_an_attempt_with_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match=r"AttemptView\.started_at"):
        AttemptView(datetime(2026, 11, 23, 10, 30), Outcome.BUSY)


def test_only_a_transient_gateway_error_leaves_the_attempt_unused() -> None:
    start = datetime.fromisoformat("2026-11-23T02:30:00+00:00")
    assert not AttemptView(start, Outcome.GATEWAY_ERROR).counts
    assert AttemptView(start, "an-outcome-from-a-newer-gateway").counts  # unknown counts: fail safe
    assert AttemptView(start).counts and AttemptView(start).in_flight
