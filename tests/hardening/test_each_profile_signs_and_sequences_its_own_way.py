"""Webhooks under SignalWire and Somleng: the signature each signs with, and status without sequence numbers."""

from __future__ import annotations

import io
import wave
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from dialer.gateway.signature import compute_signature
from dialer.model import Attempt, AttemptEvent, Callback, Customer, Escalation, Task, TaskStatus
from dialer.services import services
from dialer.settings import Settings
from tests.web.seed import NOW

KEY = "PSK-test-signing-key"


@pytest.fixture(params=["signalwire", "somleng"])
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    return settings.replace(gateway_profile=request.param, gateway_signing_key=KEY)


def _attempt(app: Flask) -> tuple[int, str]:
    sid = "6f0c4d7e-1b2a-4c3d-9e8f-0a1b2c3d4e5f"
    with services(app).db.session() as s, s.begin():
        task = Task(customer=Customer(name="客户", phone="+8613711112222"), type="claim", script="claim",
                    event_at=NOW - timedelta(days=1), earliest_at=NOW - timedelta(days=1),
                    status=TaskStatus.DIALLING, attempt_count=1)  # fmt: skip
        attempt = Attempt(task=task, number=1, to_number="+8613711112222", script="claim", status="queued",
                          call_sid=sid, placed_at=NOW)  # fmt: skip
        s.add(attempt)
        s.flush()
        return attempt.id, sid


def _post(app: Flask, attempt_id: int, form: dict[str, str], key: str, header: str) -> int:
    path = f"/ivr/status?a={attempt_id}"
    signature = compute_signature(services(app).settings.public_url + path, form, key)
    return app.test_client().post(path, data=form, headers={header: signature}).status_code


def test_webhooks_are_checked_with_the_key_the_provider_signs_with(app: Flask, settings: Settings) -> None:
    attempt_id, sid = _attempt(app)
    form = {"CallSid": sid, "CallStatus": "ringing", "SequenceNumber": "0"}
    header = settings.profile.signature_header
    if settings.profile.signing_key:  # SignalWire: the signing key, not the auth token
        assert _post(app, attempt_id, form, settings.twilio_auth_token, header) == 403
        assert _post(app, attempt_id, form, KEY, header) == 200
        assert _post(app, attempt_id, form, KEY, "X-Twilio-Signature") == 200
    else:  # Somleng: Twilio's scheme with the auth token
        assert _post(app, attempt_id, form, KEY, header) == 403
        assert _post(app, attempt_id, form, settings.twilio_auth_token, header) == 200


def test_somleng_callbacks_all_numbered_zero_still_move_the_call_on(app: Flask, settings: Settings) -> None:
    if settings.profile.sequenced:
        pytest.skip("SignalWire numbers its callbacks like Twilio")
    attempt_id, sid = _attempt(app)
    token = settings.twilio_auth_token
    for status in ("in-progress", "completed", "completed"):  # the last one a retried delivery
        form = {"CallSid": sid, "CallStatus": status, "SequenceNumber": "0", "CallDuration": "12"}
        assert _post(app, attempt_id, form, token, "X-Twilio-Signature") == 200
    with services(app).db.session() as s:
        attempt = s.get_one(Attempt, attempt_id)
        statuses = s.scalar(select(func.count()).select_from(AttemptEvent).where(
            AttemptEvent.attempt_id == attempt_id, AttemptEvent.kind == "status"))  # fmt: skip
        assert (
            attempt.status == "completed" and attempt.answered_at is not None and attempt.ended_at is not None
        )
    assert statuses == 2  # in-progress and completed, each once


def test_silence_is_served_as_a_wav_file_for_lines_without_pause(app: Flask) -> None:
    client = app.test_client()
    resp = client.get("/ivr/audio/silence/3.wav")
    assert resp.status_code == 200 and resp.mimetype == "audio/x-wav"
    with wave.open(io.BytesIO(resp.data)) as w:
        assert (w.getframerate(), w.getnframes()) == (8000, 24000)
        assert set(w.readframes(w.getnframes())) == {0}
    assert client.get("/ivr/audio/silence/0.wav").status_code == 404
    assert client.get("/ivr/audio/silence/600.wav").status_code == 404


def test_a_caller_gone_during_a_direct_dial_frees_the_agent_and_is_called_back(
    app: Flask, settings: Settings
) -> None:
    if settings.profile.enqueue:
        pytest.skip("with queues the agent's own leg says how it ended")
    attempt_id, sid = _attempt(app)
    with services(app).db.session() as s, s.begin():
        s.add(Escalation(attempt_id=attempt_id, reason="agent", queue="agents", status="ringing",
                         agent_phone="+862161230001", enqueued_at=NOW))  # fmt: skip
    form = {"CallSid": sid, "CallStatus": "completed", "SequenceNumber": "0", "CallDuration": "30"}
    assert _post(app, attempt_id, form, settings.twilio_auth_token, "X-Twilio-Signature") == 200
    with services(app).db.session() as s:
        [esc] = s.scalars(select(Escalation).where(Escalation.attempt_id == attempt_id)).all()
        callbacks = s.scalars(select(Callback).where(Callback.attempt_id == attempt_id)).all()
    assert esc.status == "timeout" and esc.ended_at is not None  # the agent's phone is free again
    assert [c.reason for c in callbacks] == ["转人工未接通（agent）"]
