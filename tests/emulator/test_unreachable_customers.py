"""Busy, unanswered and failed numbers end with the right status and only the callbacks asked for."""

from __future__ import annotations

import pytest
from twilio.rest import Client

from dialer.emulator import Emulator
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr


@pytest.mark.parametrize(
    ("to", "status", "sip"), [("+8613800000103", "busy", "486"), ("+8613800000105", "no-answer", "487")]
)
def test_it_reports_an_unreachable_customer(
    client: Client, emu: Emulator, ivr: FakeIvr, to: str, status: str, sip: str
) -> None:
    call = client.calls.create(
        to=to, from_="+862161234567", url=f"{ivr.url}/voice", timeout=20,
        status_callback=f"{ivr.url}/status", status_callback_event=["initiated", "ringing", "answered", "completed"],
    )  # fmt: skip
    assert ended(client, call.sid).status == status
    final = wait_for(
        lambda: len(ivr.for_path("/status", call.sid)) == 3 and ivr.for_path("/status", call.sid)
    )
    assert [s["CallStatus"] for s in final] == ["initiated", "ringing", status]
    assert (final[-1]["SipResponseCode"], final[-1]["CallDuration"]) == (sip, "0")
    assert ivr.for_path("/voice", call.sid) == []


def test_it_sends_only_completed_when_no_events_are_named(
    client: Client, emu: Emulator, ivr: FakeIvr
) -> None:
    call = client.calls.create(
        to="+8613800000103",
        from_="+862161234567",
        url=f"{ivr.url}/voice",
        status_callback=f"{ivr.url}/status",
    )
    ended(client, call.sid)
    assert [s["CallStatus"] for s in wait_for(lambda: ivr.for_path("/status", call.sid))] == ["busy"]


def test_a_call_canceled_while_queued_sends_nothing(settings: object, tmp_path: object) -> None:
    from pathlib import Path

    from dialer.emulator import run_emulator
    from dialer.settings import Settings

    assert isinstance(settings, Settings) and isinstance(tmp_path, Path)
    with run_emulator(settings, speed=50, data_dir=tmp_path / "e", cps=0.2) as emu:
        c = Client(settings.twilio_account_sid, settings.twilio_auth_token)
        c.api.base_url = emu.url
        kw = dict(
            to="+15550000001",
            from_="+15550000002",
            twiml="<Response/>",
            status_callback="http://127.0.0.1:9/x",
        )
        c.calls.create(**kw)
        second = c.calls.create(**kw)
        c.calls(second.sid).update(status="canceled")
        assert c.calls(second.sid).fetch().status == "canceled"
        assert emu.call(second.sid)["webhooks"] == []
