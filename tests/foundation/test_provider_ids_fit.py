"""Call and recording ids of every provider fit: Twilio's 34 characters, UUIDs (36) and up to 64."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import inspect, select

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


def test_an_id_over_64_characters_is_dropped_never_cut(db: Database) -> None:
    task_id = make_task(db)
    with db.session() as s, s.begin():  # a cut id could name another call: it is left out instead
        s.add(Attempt(task_id=task_id, number=1, call_sid=LONGEST + "y", to_number="+86", script="x"))
    with db.session() as s:
        assert s.scalars(select(Attempt.call_sid)).one() is None


def test_postgres_columns_hold_64_characters(db: Database) -> None:
    if not db.is_postgres:
        pytest.skip("SQLite does not enforce a string's length")
    columns = {
        (table, c["name"]): getattr(c["type"], "length", None)
        for table in ("attempts", "recordings", "escalations")
        for c in inspect(db.engine).get_columns(table)
    }
    sids = ("attempts", "call_sid"), ("recordings", "gateway_sid"), ("escalations", "agent_call_sid")
    assert [columns[k] for k in sids] == [64, 64, 64]
