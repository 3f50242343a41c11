"""The rendered TwiML drives a real call on the emulator: keys-only answers, silence and the wrong person.

A minimal answer webhook (no database, keys only) wires `flow` and `twiml` to real HTTP on 127.0.0.1, the
emulator's keyed personas answer, and every request is signed and checked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from dialer.emulator import run_emulator
from dialer.ivr.flow import Answer, State, Step, start, step
from dialer.ivr.twiml import NO_INPUT_PARAM, Urls, render
from dialer.settings import Settings
from tests.serving import serving

from .helpers import CTX, shipped

PERSONAS = """
[[persona]]
match = "+8613800000201"
name = "keys-all-good"
answer_after = 0.5
replies = [{keys = "1"}, {keys = "1"}, {keys = "1"}, {keys = "1"}, {keys = "2"}, {keys = "1"}]

[[persona]]
match = "+8613800000202"
name = "silent-then-keys"
answer_after = 0.5
replies = [{keys = "1"}, {silence = 4}, {keys = "2"}, {keys = "1"}, {keys = "1"}, {keys = "2"}, {keys = "1"}]

[[persona]]
match = "+8613800000203"
name = "not-me"
answer_after = 0.5
replies = [{keys = "2"}]
"""
KEYS = {"1": "yes", "2": "no", "0": "agent"}
SCRIPT = shipped()["claim"]
KEYS_CTX = replace(CTX, keys_only=True, timeout=2)


@dataclass
class Ivr:
    url: str = ""
    states: dict[str, State] = field(default_factory=dict)
    steps: dict[str, list[Step]] = field(default_factory=dict)
    unsigned: list[str] = field(default_factory=list)


@contextmanager
def serve(token: str) -> Iterator[Ivr]:
    """Serve /voice and /answer: forms in, flow events, TwiML out."""
    ivr, app, validator = Ivr(), Flask("ivr-under-test"), RequestValidator(token)

    def reply(sid: str, state: State, nxt: Step) -> Response:
        ivr.states[sid] = state
        ivr.steps.setdefault(sid, []).append(nxt)
        urls = Urls(answer=f"{ivr.url}/answer", queue_wait=f"{ivr.url}/wait", audio_base=f"{ivr.url}/audio")
        return Response(render(nxt, urls, voice="Polly.Zhiyu"), mimetype="text/xml")

    @app.post("/<name>")
    def hook(name: str) -> Response:
        if not validator.validate(request.url, request.form, request.headers.get("X-Twilio-Signature", "")):
            ivr.unsigned.append(request.url)
        sid, digits = request.form["CallSid"], request.form.get("Digits", "")
        if name == "voice":
            return reply(sid, *start(SCRIPT, KEYS_CTX))
        label = "no_answer" if request.args.get(NO_INPUT_PARAM) else KEYS.get(digits, "unclear")
        return reply(sid, *step(SCRIPT, ivr.states[sid], Answer(label, keys=digits), KEYS_CTX))

    with serving(app) as ivr.url:
        yield ivr


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Client, Ivr]]:
    tmp = tmp_path_factory.mktemp("emu")
    settings = Settings(var_dir=tmp / "var", recordings_dir=tmp / "recordings")
    personas = tmp / "personas.toml"
    personas.write_text(PERSONAS, encoding="utf-8")
    for name in ("TWILIO_EDGE", "TWILIO_REGION"):
        os.environ.pop(name, None)
    with (
        run_emulator(settings, personas=personas, speed=40.0, data_dir=tmp / "emu", cps=200) as emu,
        serve(settings.twilio_auth_token) as ivr,
    ):
        emu.engine.tts.cache_dir = Path(__file__).resolve().parents[2] / "var" / "test-emulator-tts"
        client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
        client.api.base_url = emu.url
        yield client, ivr


def call(line: tuple[Client, Ivr], to: str) -> list[Step]:
    client, ivr = line
    sid = client.calls.create(to=to, from_="+862161234567", url=f"{ivr.url}/voice").sid
    deadline = time.monotonic() + 60
    while client.calls(sid).fetch().status not in ("completed", "failed", "busy", "no-answer"):
        assert time.monotonic() < deadline, "the call did not end"
        time.sleep(0.05)
    assert ivr.unsigned == []
    return ivr.steps[sid]


def test_a_keyed_call_runs_to_a_successful_close(line: tuple[Client, Ivr]) -> None:
    steps = call(line, "+8613800000201")
    assert steps[-1].outcome == "succeeded" and steps[-1].hangup
    assert [s.record.question_id for s in steps if s.record] == [
        "identity",
        *(q.id for q in SCRIPT.questions),
    ]


def test_silence_falls_through_to_the_redirect_and_is_asked_again(line: tuple[Client, Ivr]) -> None:
    steps = call(line, "+8613800000202")
    records = [(s.record.question_id, s.record.label) for s in steps if s.record]
    assert records[1] == ("service_attitude", "no_answer")
    assert records[2] == ("service_attitude", "no")
    assert steps[-1].outcome == "problem"


def test_the_wrong_person_is_let_go_politely(line: tuple[Client, Ivr]) -> None:
    steps = call(line, "+8613800000203")
    assert len(steps) == 2 and steps[-1].outcome == "wrong_person"
