"""An answered call whose recording callback never came: once the gateway answers again, the worker asks it for
the call's recordings and downloads what it still has; when it has none, or no longer knows the call, the
call gets a `failed` recording that says why."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from dialer.model import Attempt, Customer, Database, Recording, Task, TaskStatus
from dialer.settings import Settings
from dialer.worker.reconcile import LOST, UNKNOWN_CALL
from tests.worker.conftest import NOW, FakeGateway, run

CALL = "CA" + "c" * 32
LOST_SID = "RE" + "d" * 32


@pytest.fixture
def answered(setup: tuple[Settings, Database, int]) -> Iterator[tuple[Settings, Database, int]]:
    """An answered, finished call with no recording noted (its callback was lost)."""
    settings, db, _ = setup
    with db.session() as s, s.begin():
        task = Task(customer=Customer(name="刘洋", phone="+8613812340000"), type="claim", script="claim",
                    event_at=NOW, earliest_at=NOW, status=TaskStatus.SUCCEEDED)  # fmt: skip
        a = Attempt(task=task, number=1, status="completed", outcome="succeeded", call_sid=CALL,
                    to_number="+8613812340000", script="claim", answered_at=NOW - timedelta(minutes=30),
                    ended_at=NOW - timedelta(minutes=27))  # fmt: skip
        s.add_all([task, a])
        s.flush()
        aid = a.id
    yield settings, db, aid


def _listing(fake: FakeGateway, settings: Settings, source: str = "OutboundAPI") -> None:
    fake.listed = [{"sid": LOST_SID, "call_sid": CALL, "account_sid": settings.twilio_account_sid,
                    "source": source, "channels": 2, "duration": "2", "status": "completed",
                    "uri": f"/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{LOST_SID}.json"}]  # fmt: skip


def _call_recordings(db: Database, aid: int) -> list[Recording]:
    with db.session() as s:
        return list(s.scalars(select(Recording).where(Recording.attempt_id == aid, Recording.kind == "call")))


def test_what_the_gateway_still_has_is_downloaded(
    answered: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, aid = answered
    _listing(fake[0], settings)
    run(settings, db, NOW)
    [rec] = _call_recordings(db, aid)
    assert rec.gateway_sid == LOST_SID and rec.status == "stored" and rec.codec == "opus"
    assert ("GET", f"/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{LOST_SID}.wav") in fake[
        0
    ].requests


def test_a_call_the_gateway_has_no_recording_of_is_told_failed(
    answered: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, aid = answered
    _listing(fake[0], settings, source="RecordVerb")  # only an answer clip: not the call's recording
    run(settings, db, NOW)
    [rec] = _call_recordings(db, aid)
    assert rec.status == "failed" and rec.last_error == LOST
    asked = len(fake[0].requests)
    run(settings, db, NOW + timedelta(hours=1))
    assert len(fake[0].requests) == asked  # told once; not asked again


def test_a_call_the_gateway_forgot_is_told_failed(
    answered: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, aid = answered
    fake[0].call_status = 404  # restarted: it lists no recordings and knows no such call
    run(settings, db, NOW)
    [rec] = _call_recordings(db, aid)
    assert rec.status == "failed" and rec.last_error == UNKNOWN_CALL


def test_a_gateway_still_down_is_asked_again_later(
    answered: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, aid = answered
    fake[0].list_status = 503
    run(settings, db, NOW)
    assert _call_recordings(db, aid) == []
    fake[0].list_status = 200
    _listing(fake[0], settings)
    run(settings, db, NOW + timedelta(minutes=1))
    assert [r.status for r in _call_recordings(db, aid)] == ["stored"]


def test_a_call_that_just_ended_waits_for_its_own_callback(
    answered: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, _ = answered
    run(settings, db, NOW - timedelta(minutes=20))  # 7 minutes after the call ended: too soon to ask
    assert not [r for r in fake[0].requests if r[1].endswith("/Recordings.json")]


def test_a_late_callback_replaces_the_failed_stand_in(
    answered: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, aid = answered
    run(settings, db, NOW)  # the gateway lists nothing yet: told failed
    assert [r.status for r in _call_recordings(db, aid)] == ["failed"]
    with db.session() as s, s.begin():  # then the gateway's own callback arrives after all
        url = f"{fake[1]}/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{LOST_SID}"
        s.add(Recording(attempt_id=aid, kind="call", gateway_sid=LOST_SID, gateway_url=url, status="pending"))
    run(settings, db, NOW + timedelta(minutes=1))
    assert [(r.status, r.gateway_sid) for r in _call_recordings(db, aid)] == [("stored", LOST_SID)]
