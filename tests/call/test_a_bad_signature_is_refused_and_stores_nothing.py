"""A forged or missing X-Twilio-Signature gets 403 on every webhook, and nothing is stored."""

from __future__ import annotations

import pytest
import requests

from dialer.gateway.signature import compute_signature
from tests.call.conftest import name_of
from tests.call.line import Line, row_counts, snapshot

WEBHOOKS = ["voice", "answer", "status", "recording", "queue/wait", "queue/result", "agent", "agent/status"]


def _request(campaign: Line, hook: str) -> tuple[str, dict[str, str]]:
    """Return a webhook URL and form about a real call, as the gateway would send them."""
    [attempt] = campaign.attempts(name_of("hangs_up"))
    url = f"{campaign.settings.public_url}/ivr/{hook}?a={attempt.id}&turn=1&e=1"
    form = {
        "CallSid": attempt.call_sid or "", "AccountSid": campaign.settings.twilio_account_sid,
        "CallStatus": "completed", "SequenceNumber": "99", "Digits": "2", "RecordingSid": "RE" + "f" * 32,
        "RecordingUrl": f"{campaign.emu.url}/nothing", "RecordingStatus": "completed", "RecordingDuration": "3",
        "QueueResult": "leave", "QueueTime": "99",
    }  # fmt: skip
    return url, form


@pytest.mark.parametrize("hook", WEBHOOKS)
@pytest.mark.parametrize("signature", ["forged", "missing", "signed for another URL"])
def test_it_refuses_the_request_and_stores_nothing(campaign: Line, hook: str, signature: str) -> None:
    url, form = _request(campaign, hook)
    headers = {
        "forged": {"X-Twilio-Signature": compute_signature(url, form, "not-the-auth-token")},
        "missing": {},
        "signed for another URL": {
            "X-Twilio-Signature": compute_signature(
                url.replace("a=", "a=9"), form, campaign.settings.twilio_auth_token
            )
        },
    }[signature]
    counts, state = row_counts(campaign.db), snapshot(campaign.db)
    reply = requests.post(url, data=form, headers=headers, timeout=10)
    assert reply.status_code == 403
    assert row_counts(campaign.db) == counts
    assert snapshot(campaign.db) == state


def test_the_same_request_signed_with_the_token_is_accepted(campaign: Line) -> None:
    url, form = _request(campaign, "queue/wait")
    signature = compute_signature(url, form, campaign.settings.twilio_auth_token)
    reply = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10)
    assert reply.status_code == 200 and "<Leave" in reply.text  # so the refusals above are the signature's
