"""Status callbacks delivered in any order, any number of times, settle a call exactly as delivery in order
does: the same status, outcome, task state and next attempt, and each callback recorded at most once.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dialer.gateway.signature import compute_signature
from dialer.model import Attempt, AttemptEvent, Customer, Task, TaskStatus
from dialer.services import services
from tests.web.seed import NOW

# (CallStatus, extra form fields) in the order the gateway sends them; SequenceNumber is the index.
HISTORIES = {
    "answered": [
        ("initiated", {}),
        ("ringing", {}),
        ("in-progress", {}),
        ("completed", {"CallDuration": "12"}),
    ],
    "busy": [("initiated", {}), ("ringing", {}), ("busy", {"CallDuration": "0"})],
    "no_answer": [("initiated", {}), ("ringing", {}), ("no-answer", {"CallDuration": "0"})],
}
_numbers = itertools.count(1)


def _new_attempt(app: Flask) -> tuple[int, str]:
    n = next(_numbers)
    phone, sid = f"+86137{n:08d}", f"CA{n:032x}"
    with services(app).db.session() as s, s.begin():
        task = Task(customer=Customer(name=f"客户{n}", phone=phone), type="claim", script="claim",
                    event_at=NOW - timedelta(days=1), earliest_at=NOW - timedelta(days=1),
                    status=TaskStatus.DIALLING, attempt_count=1)  # fmt: skip
        attempt = Attempt(task=task, number=1, to_number=phone, script="claim", status="queued", call_sid=sid,
                          placed_at=NOW)  # fmt: skip
        s.add(attempt)
        s.flush()
        return attempt.id, sid


def _deliver(
    app: Flask, attempt_id: int, sid: str, history: list[tuple[str, dict[str, str]]], order: list[int]
):
    cfg, client = services(app).settings, app.test_client()
    for i in order:
        status, extra = history[i]
        url = f"{cfg.public_url}/ivr/status?a={attempt_id}"
        form = {"CallSid": sid, "AccountSid": cfg.twilio_account_sid, "CallStatus": status,
                "SequenceNumber": str(i), **extra}  # fmt: skip
        sig = compute_signature(url, form, cfg.twilio_auth_token)
        assert (
            client.post(
                f"/ivr/status?a={attempt_id}", data=form, headers={"X-Twilio-Signature": sig}
            ).status_code
            == 200
        )


def _settled(app: Flask, attempt_id: int) -> tuple[object, ...]:
    with services(app).db.session() as s:
        a = s.get_one(Attempt, attempt_id)
        events = s.scalar(
            select(func.count()).select_from(AttemptEvent).where(AttemptEvent.attempt_id == a.id)
        )
        t = a.task
        return (a.status, a.outcome, a.last_sequence, a.ended_at is not None, t.status, t.attempt_count,
                t.next_attempt_at), events  # fmt: skip


def _orders(n: int) -> st.SearchStrategy[list[int]]:
    """Every callback at least once, shuffled, some delivered again."""
    return st.tuples(st.permutations(list(range(n))), st.lists(st.integers(0, n - 1), max_size=n)).flatmap(
        lambda pair: st.permutations(list(pair[0]) + pair[1])
    )


@pytest.mark.parametrize("kind", sorted(HISTORIES))
def test_any_delivery_order_settles_like_the_real_order(app: Flask, kind: str) -> None:
    history = HISTORIES[kind]
    first, sid = _new_attempt(app)
    _deliver(app, first, sid, history, list(range(len(history))))
    expected, _ = _settled(app, first)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(order=_orders(len(history)))
    def run(order: list[int]) -> None:
        attempt_id, call_sid = _new_attempt(app)
        _deliver(app, attempt_id, call_sid, history, order)
        state, events = _settled(app, attempt_id)
        assert state == expected, order
        assert events <= len(history)  # a repeated delivery is never recorded twice

    run()
