"""Everything spoken is XML-escaped: text with <, & and quotes survives a round trip through a parser."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dialer.ivr.flow import CallContext, Listen, Prompt, Step, start
from dialer.ivr.twiml import Urls, render

from .helpers import shipped

URLS = Urls(answer="https://ivr.example.com/ivr/answer?a=7", queue_wait="https://ivr.example.com/ivr/wait",
            audio_base="https://ivr.example.com/ivr/audio")  # fmt: skip
NASTY = ["A < B && C > D", '他说："是的"', "O'Brien & 张</Say><Hangup/>", "]]>&amp;"]


@pytest.mark.parametrize("text", NASTY)
def test_spoken_text_comes_back_exactly_as_written(text: str) -> None:
    xml = render(Step(say=(Prompt(text),), hangup=True), URLS, voice="Polly.Zhiyu")
    root = ET.fromstring(xml)
    assert [el.tag for el in root] == ["Say", "Hangup"]
    assert root[0].text == text


def test_a_customer_name_with_markup_cannot_inject_verbs() -> None:
    ctx = CallContext(customer_name='张三<Hangup/>&"', honorific="先生", company="A&B <保险>")
    _, opening = start(shipped()["claim"], ctx)
    root = ET.fromstring(render(opening, URLS, voice="Polly.Zhiyu"))
    assert [el.tag for el in root] == ["Say", "Say", "Say", "Record", "Say", "Redirect"]
    assert root[0].text == "您好！这里是A&B <保险>客户服务中心。"
    assert root[2].text == '请问是张三<Hangup/>&"先生本人吗？'


def test_urls_with_ampersands_stay_intact_byte_for_byte() -> None:
    urls = Urls(answer="https://h/ivr/answer?a=1&b=x%20y", queue_wait="https://h/w", audio_base="https://h/a")
    step = Step(listen=Listen("q1", "yes_no", False, 3))
    record = ET.fromstring(render(step, urls, voice="v")).find("Record")
    assert record is not None and record.get("action") == "https://h/ivr/answer?a=1&b=x%20y&turn=3"
