"""An unknown verb, a 500, a timeout and a non-XML body end the call as Twilio does
(FallbackUrl first when given), while the emulator keeps serving its other calls."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Response
from twilio.rest import Client

from dialer.emulator import Emulator, run_emulator
from dialer.settings import Settings
from tests.emulator.conftest import SPEED, ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml

FROM = "+862161234567"


@pytest.fixture
def quick_emu(settings: Settings, personas_file: Path, tmp_path: Path) -> Iterator[Emulator]:
    """An emulator that gives up on a webhook after half a second."""
    with run_emulator(
        settings, personas=personas_file, speed=SPEED, data_dir=tmp_path / "e", cps=200, webhook_timeout=0.5
    ) as emu:
        yield emu


@pytest.fixture
def quick_client(settings: Settings, quick_emu: Emulator) -> Client:
    c = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    c.api.base_url = quick_emu.url
    return c


def broken_routes(ivr: FakeIvr) -> None:
    ivr.route("/unknown-verb")(lambda f: twiml("<Dance>cha-cha</Dance>"))
    ivr.route("/error-500")(lambda f: ("boom", 500))
    ivr.route("/not-xml")(lambda f: Response("this is not TwiML", mimetype="text/plain"))

    def slow(form: dict[str, str]) -> Response:
        time.sleep(1.5)
        return twiml("<Say>too late</Say>")

    ivr.route("/slow")(slow)
    ivr.route("/fallback")(lambda f: twiml("<Say>Sorry, goodbye</Say>"))
    ivr.route("/healthy")(lambda f: twiml('<Say>still here</Say><Pause length="60"/>'))


@pytest.mark.parametrize(
    ("path", "code"), [("/unknown-verb", 12100), ("/error-500", 11200), ("/slow", 11200), ("/not-xml", 12100)]
)
def test_a_broken_webhook_ends_the_call_and_others_go_on(
    quick_client: Client, quick_emu: Emulator, ivr: FakeIvr, path: str, code: int
) -> None:
    broken_routes(ivr)
    healthy = quick_client.calls.create(to="+8613800000102", from_=FROM, url=f"{ivr.url}/healthy")
    wait_for(lambda: ivr.for_path("/healthy", healthy.sid))
    broken = quick_client.calls.create(
        to="+8613800000102", from_=FROM, url=f"{ivr.url}{path}", status_callback=f"{ivr.url}/status"
    )
    assert ended(quick_client, broken.sid).status == "completed"
    errors = [e for e in quick_emu.call(broken.sid)["events"] if e["event"] == "error"]
    assert [e["code"] for e in errors] == [code]
    assert wait_for(lambda: ivr.for_path("/status", broken.sid))[0]["CallStatus"] == "completed"
    assert quick_client.calls(healthy.sid).fetch().status == "in-progress"  # untouched by the failure
    assert ended(quick_client, healthy.sid).status == "completed"
    assert any(e["event"] == "twiml-ended" for e in quick_emu.call(healthy.sid)["events"])


@pytest.mark.parametrize("path", ["/unknown-verb", "/error-500", "/slow", "/not-xml"])
def test_a_broken_webhook_goes_to_the_fallback_url(
    quick_client: Client, quick_emu: Emulator, ivr: FakeIvr, path: str
) -> None:
    broken_routes(ivr)
    call = quick_client.calls.create(
        to="+8613800000102", from_=FROM, url=f"{ivr.url}{path}", fallback_url=f"{ivr.url}/fallback"
    )
    assert ended(quick_client, call.sid).status == "completed"
    fallback = ivr.for_path("/fallback", call.sid)
    assert len(fallback) == 1 and fallback[0]["ErrorUrl"] == f"{ivr.url}{path}"
    assert fallback[0]["ErrorCode"] in ("11200", "12100")
    assert quick_emu.call(call.sid)["events"][-2]["event"] == "twiml-ended"  # the fallback's TwiML ran
