"""Pacing: calls beyond the calls-per-second limit wait `queued`; a full queue answers 20429."""

from __future__ import annotations

from pathlib import Path

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from dialer.emulator import run_emulator
from dialer.settings import Settings


def test_it_holds_excess_calls_queued_and_refuses_when_full(settings: Settings, tmp_path: Path) -> None:
    with run_emulator(settings, speed=50, data_dir=tmp_path / "emu", cps=0.5, max_queued=2) as emu:
        client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
        client.api.base_url = emu.url
        make = dict(to="+15550000001", from_="+15550000002", twiml="<Response><Pause/></Response>")
        sids = [client.calls.create(**make).sid for _ in range(3)]
        assert client.calls(sids[-1]).fetch().status == "queued"
        with pytest.raises(TwilioRestException) as err:
            for _ in range(3):
                client.calls.create(**make)
        assert (err.value.status, err.value.code) == (429, 20429)
        client.calls(sids[-1]).update(status="canceled")
        assert client.calls(sids[-1]).fetch().status == "canceled"
