"""An answer clip that answers 404 at first is fetched again within DIALER_ANSWER_BUDGET, then heard.

Twilio documents that a `<Record>` clip may not be fetchable yet when its action request arrives, so a 404 on
the clip is transient for a few seconds. The clip is served on 127.0.0.1 by a server that refuses it the first
few times; the recognizer is the real Vosk one with the stand-in model (Korean 네 is heard as 是/对).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from dialer.gateway.client import Gateway
from dialer.ivr.turns import fetch_seconds, hear
from dialer.ivr.values import Answer
from dialer.services import Services
from dialer.settings import Settings
from dialer.speech import SpeechModel
from tests.serving import serving


@dataclass
class LateClip:
    """A recording URL whose first `refusals` requests get 404, and how many requests came."""

    url: str
    requests: int = 0
    refusals: int = 0


@pytest.fixture
def late_clip(phone_clip: Callable[[str], Path]) -> Iterator[LateClip]:
    audio = phone_clip("네").read_bytes()
    clip = LateClip(url="")

    @Request.application
    def app(_request: Request) -> Response:
        clip.requests += 1
        if clip.requests <= clip.refusals:
            return Response('{"code": 20404, "status": 404}', status=404, mimetype="application/json")
        return Response(audio, mimetype="audio/x-wav")

    with serving(app) as url:
        clip.url = f"{url}/2010-04-01/Accounts/AC1/Recordings/RE1"
        yield clip


def turn(settings: Settings, model: SpeechModel, url: str, budget: float) -> Any:
    gateway = url.split("/2010-04-01/", 1)[0]  # the clip's server is the configured gateway
    settings = replace(settings, answer_budget_seconds=budget, gateway_url=gateway)
    svc = Services.build(settings, gateway=Gateway(settings), speech=model)
    try:
        form = {"RecordingUrl": url, "RecordingSid": "RE1", "RecordingDuration": "1"}
        return hear(svc, form, "yes_no", no_input=False)
    finally:
        svc.close()


def test_a_clip_refused_twice_is_fetched_on_the_third_try_and_heard(
    tmp_settings: Settings, standin_model: SpeechModel, late_clip: LateClip
) -> None:
    late_clip.refusals = 2
    heard = turn(tmp_settings, standin_model, late_clip.url, budget=5.0)
    assert late_clip.requests == 3
    assert heard.event == Answer("yes", transcript=heard.transcript) and heard.clip


def test_a_clip_that_never_comes_is_unclear_once_its_share_of_the_budget_is_spent(
    tmp_settings: Settings, standin_model: SpeechModel, late_clip: LateClip
) -> None:
    late_clip.refusals = 10_000
    heard = turn(tmp_settings, standin_model, late_clip.url, budget=2.0)
    # Unclear, not "no answer": the customer did speak; the flow asks again.
    assert heard.event == Answer("unclear") and heard.clip is None
    assert late_clip.requests > 1  # tried again, not given up on the first 404


def test_fetching_leaves_time_to_transcribe() -> None:
    for budget in (0.5, 2.0, 5.0, 12.0):
        assert 0 < fetch_seconds(budget) < budget
