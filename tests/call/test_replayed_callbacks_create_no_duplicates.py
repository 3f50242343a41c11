"""Every webhook the gateway sent, sent again: status, recording, answer turns, queue result, agent leg.

A retry from the gateway carries the same URL and form, signed again; it must store nothing new and change
nothing, and an answer turn gets the same kind of TwiML back instead of an error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from dialer.gateway.signature import compute_signature
from tests.call.conftest import name_of
from tests.call.line import Line, row_counts, snapshot


def _sent(campaign: Line, scenario: str) -> list[dict[str, Any]]:
    """Return the webhooks the emulator sent our service for a customer's call and any agent leg."""
    [attempt] = campaign.attempts(name_of(scenario))
    calls = [campaign.emu.call(attempt.call_sid or "")]
    calls += [
        c for c in campaign.emu.calls() if f"a={attempt.id}&e=" in "".join(w["url"] for w in c["webhooks"])
    ]
    public = campaign.settings.public_url
    return [w for c in calls for w in c["webhooks"] if w["url"].startswith(public) and w["status"] == 200]


def _replay(campaign: Line, hook: dict[str, Any]) -> requests.Response:
    params = {k: str(v) for k, v in hook["params"].items()}
    signature = compute_signature(hook["url"], params, campaign.settings.twilio_auth_token)
    return requests.post(hook["url"], data=params, headers={"X-Twilio-Signature": signature}, timeout=20)


def _replay_all(campaign: Line, scenario: str) -> set[str]:
    hooks = _sent(campaign, scenario)
    counts, state = row_counts(campaign.db), snapshot(campaign.db)
    for hook in hooks:
        reply = _replay(campaign, hook)
        assert reply.status_code == 200, (hook["url"], reply.text[:300])
        assert reply.text.lstrip().startswith("<?xml"), hook["url"]
    assert row_counts(campaign.db) == counts
    assert snapshot(campaign.db) == state
    return {urlsplit(h["url"]).path for h in hooks}


def test_replaying_a_whole_call_with_a_problem_case_changes_nothing(campaign: Line) -> None:
    paths = _replay_all(campaign, "no_to_q3")
    assert {"/ivr/voice", "/ivr/answer", "/ivr/status", "/ivr/recording"} <= paths


def test_replaying_an_escalated_call_and_its_agent_leg_changes_nothing(campaign: Line) -> None:
    paths = _replay_all(campaign, "key_zero")
    assert {"/ivr/answer", "/ivr/queue/wait", "/ivr/queue/result", "/ivr/agent", "/ivr/agent/status"} <= paths


def test_a_retried_answer_turn_gets_the_same_twiml_back(campaign: Line) -> None:
    hooks = [h for h in _sent(campaign, "silent") if urlsplit(h["url"]).path == "/ivr/answer"]
    last = hooks[-1]
    counts = row_counts(campaign.db)
    assert _replay(campaign, last).text == last["response"]
    assert row_counts(campaign.db) == counts
