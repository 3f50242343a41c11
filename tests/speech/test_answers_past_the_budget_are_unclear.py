"""The answer turn: a clip fetched over HTTP and transcribed within DIALER_ANSWER_BUDGET, or else taken as unclear.

The clip is served on 127.0.0.1 the way the gateway serves recordings; the recognizer is the real Vosk one with
the stand-in model (Korean 네 is heard as 是/对).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from dialer.gateway.client import Gateway
from dialer.ivr.turns import hear
from dialer.ivr.values import Answer
from dialer.services import Services
from dialer.settings import Settings
from dialer.speech import SpeechModel
from tests.serving import serving


@pytest.fixture
def clip_url(phone_clip: Callable[[str], Path]) -> Iterator[str]:
    """Serve a recorded 네 at a recording-like URL on 127.0.0.1."""
    audio = phone_clip("네").read_bytes()

    @Request.application
    def app(_request: Request) -> Response:
        return Response(audio, mimetype="audio/x-wav")

    with serving(app) as url:
        yield f"{url}/2010-04-01/Accounts/AC1/Recordings/RE1"


def turn(settings: Settings, model: SpeechModel, url: str, budget: float) -> Any:
    # The clip's server is the gateway here: media is fetched only from the configured gateway.
    gateway = url.split("/2010-04-01/", 1)[0]
    settings = replace(settings, answer_budget_seconds=budget, gateway_url=gateway)
    svc = Services.build(settings, gateway=Gateway(settings), speech=model)
    try:
        form = {"RecordingUrl": url, "RecordingSid": "RE1", "RecordingDuration": "1"}
        return hear(svc, form, "yes_no", no_input=False)
    finally:
        svc.close()


def test_an_answer_transcribed_in_time_is_classified(
    tmp_settings: Settings, standin_model: SpeechModel, clip_url: str
) -> None:
    heard = turn(tmp_settings, standin_model, clip_url, budget=10.0)
    assert heard.event == Answer("yes", transcript=heard.transcript)
    assert heard.transcript in ("是", "对") and heard.clip  # the clip is kept with its transcript


def test_an_answer_past_the_budget_is_unclear_and_its_clip_is_kept(
    tmp_settings: Settings, standin_model: SpeechModel, clip_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="dialer.ivr"):
        heard = turn(tmp_settings, standin_model, clip_url, budget=0.001)
    # Unclear, not "no answer": the customer did speak, so the flow asks again instead of counting silence.
    assert heard.event == Answer("unclear")
    assert heard.clip and heard.transcript == ""
    assert "not transcribed within 0.0 s" in caplog.text
