"""A signed webhook whose free-form fields are longer than their columns is answered 200, never 500.

PostgreSQL refuses a value longer than `varchar(n)` (SQLite keeps it), so these fail there on code that writes
form fields unbounded. Free text is cut to its column; an id that does not fit is no id of ours and is dropped.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from dialer.model import Attempt, AttemptEvent, Recording
from dialer.services import services
from tests.hardening.test_webhooks_survive_any_form import _post, fuzz_app
from tests.web.seed import Seeded

__all__ = ["fuzz_app"]
LONG = "machine_end_other_" + "很长" * 60  # 138 characters


def _signed(app: Flask, hook: str, query: dict[str, str], form: dict[str, str]) -> int:
    return _post(app.test_client(), app, hook, query, form, services(app).settings.twilio_auth_token)


def _call(app: Flask, seeded: Seeded) -> Attempt:
    with services(app).db.session() as s:
        return s.get_one(Attempt, seeded.attempt)


def test_an_overlong_answered_by_is_cut_to_its_column(fuzz_app: tuple[Flask, Seeded]) -> None:
    app, seeded = fuzz_app
    form = {"CallSid": _call(app, seeded).call_sid or "", "CallStatus": "in-progress", "AnsweredBy": LONG}
    assert _signed(app, "status", {"a": str(seeded.attempt)}, form) == 200
    assert _call(app, seeded).answered_by == LONG[:30]


def test_an_overlong_recording_status_and_sid_are_answered_200(fuzz_app: tuple[Flask, Seeded]) -> None:
    app, seeded = fuzz_app
    form = {"CallSid": _call(app, seeded).call_sid or "", "RecordingStatus": LONG,
            "RecordingSid": "RE" + "f" * 70, "RecordingUrl": "http://127.0.0.1:9/x"}  # fmt: skip
    assert _signed(app, "recording", {"a": str(seeded.attempt)}, form) == 200
    with services(app).db.session() as s:
        names = list(s.scalars(select(AttemptEvent.name).where(AttemptEvent.kind == "recording")))
    assert names == [LONG[:60]]

    form["RecordingStatus"] = "completed"
    assert _signed(app, "recording", {"a": str(seeded.attempt)}, form) == 200
    with services(app).db.session() as s:
        rec = s.scalars(select(Recording).order_by(Recording.id.desc())).first()
    assert rec is not None and rec.gateway_url == "http://127.0.0.1:9/x" and rec.gateway_sid is None
