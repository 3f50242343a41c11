"""The TwiML each kind of step renders to, parsed back with xml.etree."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dialer.ivr.flow import Listen, Prompt, Step
from dialer.ivr.twiml import Urls, render

URLS = Urls(
    answer="https://ivr.example.com/ivr/answer?a=7",
    queue_wait="https://ivr.example.com/ivr/wait?a=7",
    audio_base="https://ivr.example.com/ivr/audio/",
    queue_action="https://ivr.example.com/ivr/queue?a=7",
)
ASK = (Prompt("请问您是否满意？"), Prompt("是请按1，否请按2，转人工请按0。"))


def _root(step: Step) -> ET.Element:
    xml = render(step, URLS, voice="Polly.Zhiyu", language="cmn-CN")
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(xml)


def test_a_spoken_answer_is_recorded_and_a_fallback_follows() -> None:
    root = _root(
        Step(
            say=ASK,
            listen=Listen("q1", "satisfaction", False, 4, max_length=12, timeout=5, fallback="您还在听吗？"),
        )
    )
    assert [el.tag for el in root] == ["Say", "Say", "Record", "Say", "Redirect"]
    assert root[0].attrib == {"language": "cmn-CN", "voice": "Polly.Zhiyu"}
    record = root[2].attrib
    assert record["action"] == "https://ivr.example.com/ivr/answer?a=7&turn=4"
    assert (record["finishOnKey"], record["maxLength"], record["timeout"], record["method"]) == (
        "120",
        "12",
        "5",
        "POST",
    )
    assert root[3].text == "您还在听吗？"
    assert root[4].text == "https://ivr.example.com/ivr/answer?a=7&turn=4&no_input=1"


def test_keys_only_is_a_one_key_gather_holding_the_prompts() -> None:
    root = _root(Step(say=ASK, listen=Listen("q1", "yes_no", True, 2, timeout=6, fallback="您还在听吗？")))
    assert [el.tag for el in root] == ["Gather", "Say", "Redirect"]
    gather = root[0]
    assert gather.attrib == {
        "action": "https://ivr.example.com/ivr/answer?a=7&turn=2", "input": "dtmf", "method": "POST",
        "numDigits": "1", "timeout": "6",
    }  # fmt: skip
    assert [el.text for el in gather] == [p.text for p in ASK]
    assert root[2].text.endswith("turn=2&no_input=1")  # type: ignore[union-attr]


def test_prerecorded_audio_is_played_instead_of_spoken() -> None:
    root = _root(
        Step(say=(Prompt("第一个问题？", audio="新 契约 q1.wav"),), listen=Listen("q1", "yes_no", False, 2))
    )
    assert (
        root[0].tag == "Play"
        and root[0].text == "https://ivr.example.com/ivr/audio/%E6%96%B0%20%E5%A5%91%E7%BA%A6%20q1.wav"
    )


def test_escalation_enqueues_the_caller_for_an_agent() -> None:
    root = _root(Step(say=(Prompt("正在为您转接人工客服，请稍候。"),), escalate=True))
    assert [el.tag for el in root] == ["Say", "Enqueue"]
    enqueue = root[1]
    assert enqueue.text == "agents"
    assert enqueue.get("waitUrl") == URLS.queue_wait and enqueue.get("action") == URLS.queue_action


def test_a_close_says_goodbye_and_hangs_up() -> None:
    root = _root(Step(say=(Prompt("再见！"),), hangup=True))
    assert [el.tag for el in root] == ["Say", "Hangup"]


def test_a_silent_hang_up_is_an_empty_hangup() -> None:
    assert [el.tag for el in _root(Step(hangup=True))] == ["Hangup"]
