"""The TwiML stays within what the gateway's profile has: every verb it renders is one that profile runs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from twilio.twiml.voice_response import VoiceResponse

from dialer.emulator.documents import parse, unsupported
from dialer.ivr.flow import Listen, Prompt, Step
from dialer.ivr.twiml import Handover, Urls, render, silence
from dialer.profiles import PROFILES, SOMLENG, TWILIO, Profile

URLS = Urls(
    answer="https://ivr.example.com/ivr/answer?a=7",
    queue_wait="https://ivr.example.com/ivr/wait?a=7",
    audio_base="https://ivr.example.com/ivr/audio",
    queue_action="https://ivr.example.com/ivr/queue/result?a=7",
    queue="agents-7",
)
AGENT = "+862161230001"
ESCALATE = Step(say=(Prompt("正在为您转接人工客服，请稍候。"),), escalate=True)
STEPS = {
    "record": Step(
        say=(Prompt("请问您满意吗？"),), listen=Listen("q1", "yes_no", False, 1, fallback="您还在听吗？")
    ),
    "gather": Step(say=(Prompt("请按键"),), listen=Listen("q1", "yes_no", True, 2, fallback="您还在听吗？")),
    "escalate": ESCALATE,
    "hangup": Step(say=(Prompt("再见"),), hangup=True),
}


def _root(step: Step, profile: Profile, handover: Handover | None = None) -> ET.Element:
    return ET.fromstring(render(step, URLS, "Polly.Zhiyu", "cmn-CN", profile, handover))


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("kind", sorted(STEPS))
def test_every_step_renders_verbs_the_profile_runs(profile: str, kind: str) -> None:
    chosen = PROFILES[profile]
    root = _root(STEPS[kind], chosen, Handover(AGENT, 40))
    assert [unsupported(verb, chosen) for verb in root] == [None] * len(root)
    parse(ET.tostring(root, encoding="unicode"), URLS.answer, chosen)  # the emulator accepts it whole


def test_without_queues_the_caller_dials_the_free_agent_directly() -> None:
    root = _root(ESCALATE, SOMLENG, Handover(AGENT, 40, "+862161234567"))
    assert [el.tag for el in root] == ["Say", "Dial"]
    dial = root[1]
    assert dial.attrib == {
        "action": URLS.queue_action, "method": "POST", "timeout": "40", "callerId": "+862161234567",
    }  # fmt: skip
    assert [(n.tag, n.text) for n in dial] == [("Number", AGENT)]


def test_without_queues_and_no_free_agent_the_caller_goes_straight_to_the_apology() -> None:
    root = _root(ESCALATE, SOMLENG, Handover(None, 40))
    assert [el.tag for el in root] == ["Say", "Redirect"]
    assert root[1].text == URLS.queue_action


def test_with_queues_the_caller_waits_in_their_own_queue() -> None:
    root = _root(ESCALATE, TWILIO, Handover(AGENT, 40))
    assert [el.tag for el in root] == ["Say", "Enqueue"] and root[1].text == "agents-7"


@pytest.mark.parametrize(("profile", "tag"), [(TWILIO, "Pause"), (SOMLENG, "Play")])
def test_silence_is_a_pause_or_a_silent_play(profile: Profile, tag: str) -> None:
    response = VoiceResponse()
    silence(response, 3, URLS, profile)
    [el] = ET.fromstring(str(response))
    assert el.tag == tag
    assert (el.get("length") if tag == "Pause" else el.text) == ("3" if tag == "Pause" else URLS.silence(3))
