"""The signing helper matches Twilio's vectors and the SDK validator accepts it."""

from __future__ import annotations

from twilio.request_validator import RequestValidator
from twilio.rest import Client

from dialer.emulator import Emulator
from dialer.gateway.signature import compute_signature, validate_signature
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml

URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}


def test_it_signs_like_twilio() -> None:
    assert compute_signature(URL, PARAMS, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    port = URL.replace(".com/", ".com:443/")
    assert compute_signature(port, PARAMS, "12345") == "kvajT1Ptam85bY51eRf/AJRuM3w="


def test_it_validates_what_the_sdk_validates() -> None:
    signature = RequestValidator("12345").compute_signature(URL, PARAMS)
    assert validate_signature(URL, PARAMS, signature, "12345")
    assert validate_signature(URL.replace(".com/", ".com:443/"), PARAMS, signature, "12345")
    assert not validate_signature(URL, {**PARAMS, "Digits": "9"}, signature, "12345")
    assert not validate_signature(URL, PARAMS, "", "12345")


def test_get_and_chinese_webhooks_validate(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml('<Gather numDigits="1" timeout="1" action="/g?x=%2B1&amp;y=a b"/>'))
    call = client.calls.create(
        to="+8613800000101", from_="+862161234567", url=f"{ivr.url}/voice?lang=中文", method="GET",
        status_callback=f"{ivr.url}/status", status_callback_method="GET",
    )  # fmt: skip
    ended(client, call.sid)
    wait_for(lambda: ivr.for_path("/status", call.sid))
    assert len(ivr.hits) >= 2
    assert all(h.signed for h in ivr.hits), [(h.path, h.form) for h in ivr.hits if not h.signed]
