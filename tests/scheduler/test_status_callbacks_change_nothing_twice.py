"""Status callbacks through the real webhook: each moves the attempt once; duplicates, late and out-of-order
deliveries change nothing; a forged signature gets 403 and changes nothing either."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import func, select

from dialer.gateway.signature import compute_signature
from dialer.model import Attempt, AttemptEvent, Database, Task, TaskStatus
from dialer.settings import Settings
from tests.scheduler.helpers import AT, seed_tasks, serve_app

SID = "CA" + "ab" * 16


@pytest.fixture
def served(db: Database, settings: Settings) -> Iterator[Settings]:
    with serve_app(settings) as s:
        yield s


@pytest.fixture
def attempt_id(db: Database) -> int:
    """A task being dialled, its call queued at the gateway."""
    [task_id] = seed_tasks(db, ["+8613700000001"])
    with db.session() as s, s.begin():
        task = s.get_one(Task, task_id)
        task.status, task.attempt_count = TaskStatus.DIALLING, 1
        attempt = Attempt(task_id=task_id, number=1, to_number="+8613700000001", script="claim",
                          status="queued", call_sid=SID, placed_at=AT.astimezone(UTC))  # fmt: skip
        s.add(attempt)
        s.flush()
        return attempt.id


def post(settings: Settings, attempt_id: int, status: str, seq: int | None, *, forged: bool = False) -> int:
    """Deliver one status callback; `seq` None leaves SequenceNumber out, as some providers do."""
    url = f"{settings.public_url}/ivr/status?a={attempt_id}"
    form = {"CallSid": SID, "AccountSid": settings.twilio_account_sid, "CallStatus": status,
            "CallbackSource": "call-progress-events", "To": "+8613700000001"}  # fmt: skip
    if seq is not None:
        form["SequenceNumber"] = str(seq)
    if status == "busy":
        form["CallDuration"] = "0"
    token = "not-the-token" if forged else settings.twilio_auth_token
    headers = {"X-Twilio-Signature": compute_signature(url, form, token)}
    return requests.post(url, data=form, headers=headers, timeout=10).status_code


def state(db: Database, attempt_id: int) -> tuple:
    with db.session() as s:
        a = s.get_one(Attempt, attempt_id)
        events = s.scalar(
            select(func.count()).select_from(AttemptEvent).where(AttemptEvent.attempt_id == a.id)
        )
        t = a.task
        return a.status, a.outcome, a.last_sequence, events, t.status, t.next_attempt_at, t.attempt_count


def test_callbacks_in_order_finish_the_attempt_through_the_policy(
    db: Database, served: Settings, attempt_id: int
) -> None:
    for seq, status in enumerate(["initiated", "ringing", "busy"]):
        assert post(served, attempt_id, status, seq) == 200
    status, outcome, last, events, task_status, next_at, count = state(db, attempt_id)
    assert (status, outcome, last, events) == ("busy", "busy", 2, 3)
    assert task_status == TaskStatus.PENDING and count == 1
    assert next_at is not None and next_at > datetime.now(UTC)  # the policy's next window, not now


def test_duplicates_and_late_callbacks_change_nothing(
    db: Database, served: Settings, attempt_id: int
) -> None:
    post(served, attempt_id, "initiated", 0)
    post(served, attempt_id, "busy", 2)  # the final status overtakes ringing
    settled = state(db, attempt_id)
    assert post(served, attempt_id, "ringing", 1) == 200  # late: older than what we have
    assert post(served, attempt_id, "busy", 2) == 200  # a retried delivery
    assert post(served, attempt_id, "initiated", 0) == 200
    assert state(db, attempt_id) == settled


def test_an_out_of_order_start_is_dropped(db: Database, served: Settings, attempt_id: int) -> None:
    post(served, attempt_id, "ringing", 1)
    before = state(db, attempt_id)
    post(served, attempt_id, "initiated", 0)
    assert state(db, attempt_id) == before and before[0] == "ringing"


def test_without_sequence_numbers_a_late_ringing_never_moves_a_call_back(
    db: Database, served: Settings, attempt_id: int
) -> None:
    for status in ("initiated", "ringing", "in-progress"):
        assert post(served, attempt_id, status, None) == 200
    answered = state(db, attempt_id)
    assert answered[0] == "in-progress"
    assert post(served, attempt_id, "ringing", None) == 200  # delivered late
    assert post(served, attempt_id, "initiated", None) == 200
    assert post(served, attempt_id, "in-progress", None) == 200  # a retried delivery
    assert state(db, attempt_id) == answered
    assert post(served, attempt_id, "completed", None) == 200
    assert state(db, attempt_id)[:2] == ("completed", "hung_up")


def test_a_forged_signature_gets_403_and_changes_nothing(
    db: Database, served: Settings, attempt_id: int
) -> None:
    before = state(db, attempt_id)
    assert post(served, attempt_id, "busy", 3, forged=True) == 403
    assert state(db, attempt_id) == before
