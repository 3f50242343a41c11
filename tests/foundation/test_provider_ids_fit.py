"""Call and recording ids of every provider fit: Twilio's 34 characters, UUIDs (36) and up to 64."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError

from dialer.model import Attempt, Database, Escalation, Recording
from tests.foundation.test_models import make_task

LONGEST = "v3:" + "x" * 61  # a Telnyx-style id, at the 64-character limit
UUID_ID = str(uuid.uuid4())  # SignalWire and Somleng: 36 characters


@pytest.mark.parametrize("sid", [UUID_ID, LONGEST], ids=["uuid", "64-characters"])
def test_a_long_call_id_is_stored_whole(db: Database, sid: str) -> None:
    task_id = make_task(db)
    with db.session() as s, s.begin():
        attempt = Attempt(task_id=task_id, number=1, call_sid=sid, to_number="+8613812345678", script="x")
        s.add(attempt)
        s.flush()
        s.add(Recording(attempt_id=attempt.id, kind="clip", gateway_sid=sid, path="c.wav"))
        s.add(Escalation(attempt_id=attempt.id, reason="agent", queue="agents-1", agent_call_sid=sid))
    with db.session() as s:
        assert s.scalars(select(Attempt.call_sid)).one() == sid
        assert s.scalars(select(Recording.gateway_sid)).one() == sid
        assert s.scalars(select(Escalation.agent_call_sid)).one() == sid


def test_postgres_refuses_an_id_over_64_characters(db: Database) -> None:
    if not db.is_postgres:
        pytest.skip("SQLite does not enforce a string's length")
    task_id = make_task(db)
    with db.session() as s, pytest.raises(DataError), s.begin():
        s.add(Attempt(task_id=task_id, number=1, call_sid=LONGEST + "y", to_number="+86", script="x"))
