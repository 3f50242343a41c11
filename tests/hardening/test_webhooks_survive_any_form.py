"""Property-based fuzzing of every webhook: whatever form the gateway (or anyone) posts, the answer is never a
5xx; an unsigned or wrongly signed post stores nothing at all.

The app runs with TESTING on, so an exception in a view fails the example instead of hiding behind a 500 page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dialer.app import create_app
from dialer.clock import FixedClock
from dialer.gateway.signature import compute_signature
from dialer.model import Attempt, Database, migrate
from dialer.model.base import Base
from dialer.services import services
from dialer.settings import Settings
from tests.web.seed import NOW, Seeded, seed

WEBHOOKS = ("voice", "answer", "status", "recording", "queue/wait", "queue/result", "agent", "agent/status")
FIELDS = ("CallSid", "AccountSid", "CallStatus", "SequenceNumber", "Digits", "RecordingSid", "RecordingUrl",
          "RecordingStatus", "RecordingDuration", "RecordingChannels", "RecordingSource", "QueueResult", "QueueTime",
          "AnsweredBy", "CallDuration", "DialCallStatus", "ErrorCode", "Timestamp", "SpeechResult")  # fmt: skip
# The last three are longer than their columns: PostgreSQL refuses such a value unless it is bounded first.
TRICKY = ("", "abc", "-1", "0", "1", "2", "99999999999999999999", "1e309", "NaN", "completed", "in-progress",
          "ringing", "busy", "no-answer", "failed", "canceled", "absent", "hangup", "machine_start", "DialVerb",
          "leave", "bridged", "http://127.0.0.1:9/x", "../../etc/passwd", "\x00", "<Say>注入</Say>", "是", "🙂",
          "x" * 70, "很长" * 40, "CA" + "1" * 40)  # fmt: skip
VALUES = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30))
FORMS = st.fixed_dictionaries({}, optional={name: VALUES for name in FIELDS})
# Forms that once broke a webhook: always tried first.
KNOWN_BAD = ({"QueueTime": "abc"}, {"RecordingChannels": "abc", "RecordingStatus": "completed",
             "RecordingSid": "RE" + "7" * 32}, {"RecordingDuration": "1e309"}, {"SequenceNumber": "9" * 20},
             {"AnsweredBy": "m" * 70, "CallStatus": "in-progress", "RecordingStatus": "r" * 70,
              "QueueResult": "q" * 70, "RecordingSid": "RE" + "7" * 40})  # fmt: skip
QUERIES = st.fixed_dictionaries({}, optional={"a": st.sampled_from(["1", "2", "0", "-5", "x", "9" * 12]),
                                              "turn": VALUES, "e": st.sampled_from(["1", "x", ""]),
                                              "no_input": st.sampled_from(["1", "0", ""])})  # fmt: skip
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def fuzz_app(settings: Settings, tmp_path: Path) -> Iterator[tuple[Flask, Seeded]]:
    """The whole app on a seeded database; the gateway URL points at a closed port, so nothing is dialled."""
    cfg = settings.replace(gateway_url="http://127.0.0.1:9", secret_key="k")
    app = create_app(cfg, clock=FixedClock(NOW))
    app.config["TESTING"] = True
    migrate(services(app).db)
    seeded = seed(services(app).db, cfg.recordings_dir)
    with services(app).db.session() as s, s.begin():  # the seeded call is over: fuzz a call still ringing too
        s.get_one(Attempt, seeded.attempt).status = "ringing"
    yield app, seeded
    services(app).db.dispose()


def _counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables
        }


def _call_sid(app: Flask, seeded: Seeded) -> str:
    with services(app).db.session() as s:
        return s.get_one(Attempt, seeded.attempt).call_sid or ""


def _post(
    client: FlaskClient, app: Flask, hook: str, query: dict[str, str], form: dict[str, str], key: str
) -> int:
    cfg = services(app).settings
    path = f"/ivr/{hook}" + (f"?{urlencode(query)}" if query else "")
    signature = compute_signature(f"{cfg.public_url}{path}", form, key)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature}).status_code


def _known_bad(fn: Any) -> Any:
    for form in KNOWN_BAD:
        fn = example(query={"a": "1"}, form=form, real_sid=True)(fn)
    return fn


@pytest.mark.parametrize("hook", WEBHOOKS)
def test_a_signed_form_of_any_shape_never_gets_a_5xx(fuzz_app: tuple[Flask, Seeded], hook: str) -> None:
    app, seeded = fuzz_app
    client, sid = app.test_client(), _call_sid(app, seeded)

    @FUZZ
    @given(query=QUERIES, form=FORMS, real_sid=st.booleans())
    @_known_bad
    def run(query: dict[str, str], form: dict[str, str], real_sid: bool) -> None:
        if real_sid:
            form = {**form, "CallSid": sid}
        status = _post(client, app, hook, query, form, services(app).settings.twilio_auth_token)
        assert status < 500, (hook, query, form)

    run()


@pytest.mark.parametrize("hook", WEBHOOKS)
def test_a_badly_signed_form_stores_nothing(fuzz_app: tuple[Flask, Seeded], hook: str) -> None:
    app, seeded = fuzz_app
    client, sid, db = app.test_client(), _call_sid(app, seeded), services(app).db
    before = _counts(db)

    @FUZZ
    @given(query=QUERIES, form=FORMS)
    def run(query: dict[str, str], form: dict[str, str]) -> None:
        status = _post(client, app, hook, query, {**form, "CallSid": sid}, "not-the-auth-token")
        assert status in (400, 403)  # a NUL byte is refused (400) before the signature is checked

    run()
    assert _counts(db) == before
