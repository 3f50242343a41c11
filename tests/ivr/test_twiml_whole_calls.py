"""Every shipped script renders to well-formed TwiML through a whole call, whatever the customer does."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dialer.ivr.twiml import Urls, render

from .helpers import shipped, talk

SCRIPTS = shipped()
URLS = Urls(
    answer="https://h/ivr/answer?a=1", queue_wait="https://h/ivr/wait", audio_base="https://h/ivr/audio"
)
CALLS = {
    "all yes": ["yes"] * 9,
    "silent": ["yes", "no_answer", "no_answer", "no_answer", "yes", "yes", "yes", "yes", "yes", "yes", "yes"],
    "wrong person": ["no"],
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("script_id", sorted(SCRIPTS))
def test_every_step_of_a_call_renders(script_id: str, call: str) -> None:
    for _, step in talk(SCRIPTS[script_id], CALLS[call]):
        root = ET.fromstring(render(step, URLS, voice="Polly.Zhiyu"))
        last = root[-1].tag
        assert last in ("Redirect", "Enqueue", "Hangup")
        assert all(el.get("language") == "cmn-CN" for el in root.iter("Say"))


def test_after_the_identity_no_the_twiml_holds_none_of_the_scripts_content() -> None:
    script = SCRIPTS["new_policy"]
    _, close = talk(script, ["no"])[-1]
    xml = render(close, URLS, voice="Polly.Zhiyu")
    for q in script.questions:
        assert q.text[:8] not in xml
    assert "金福终身寿险" not in xml and "2024年3月5日" not in xml
    assert [el.tag for el in ET.fromstring(xml)] == ["Say", "Hangup"]
