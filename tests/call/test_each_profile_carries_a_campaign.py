"""The same campaign under SignalWire and under Somleng: verdicts, the agent, the evidence each one keeps.

A representative few customers (all 是, a 否, one who asks for a person) are dialled through the emulator
behaving as each provider; the full set of scenarios runs under Twilio in the shared campaign.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from dialer.model import Answer, Escalation, ProblemCase, Recording
from tests.call.line import Line, open_line

AGENT = "+862161230001"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Under Somleng a key pressed during a spoken answer is not reported, and the IVR asks again for keys
# alone: this customer presses 0 again when asked, as a person would.
PERSONAS = """
[[persona]]
match = "+8613922220001"
name = "says-yes-to-everything"
voice = "ko"
answer_after = 1.0
replies = [{say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "예"}, {say = "네"}, {say = "아니요"}, {say = "아니요"}]

[[persona]]
match = "+8613922220002"
name = "says-no-to-question-3"
voice = "ko"
answer_after = 1.0
replies = [{say = "네"}, {say = "네"}, {say = "네"}, {say = "아니요"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "네"}, {say = "아니요"}, {say = "아니요"}]

[[persona]]
match = "+8613922220003"
name = "asks-for-a-person"
voice = "ko"
answer_after = 1.0
replies = [{say = "네"}, {keys = "0"}, {keys = "0"}]

[[persona]]
match = "+862161230001"
name = "agent-wang"
agent = true
answer_after = 1.0
talk_for = 6
agent_say = "您好，我是回访专员小王，请问有什么可以帮您？"
"""
CUSTOMERS = {
    "all_yes": ("冯洁", "+8613922220001"),
    "no": ("韩梅", "+8613922220002"),
    "agent": ("蒋浩", "+8613922220003"),
}


@pytest.fixture(scope="module", params=["signalwire", "somleng"])
def line(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, speech: object
) -> Iterator[Line]:
    root = tmp_path_factory.mktemp(f"campaign-{request.param}")
    with open_line(
        root, PERSONAS, speech, gateway_profile=request.param, gateway_signing_key="PSK-test-signing-key"
    ) as opened:
        for name, phone in CUSTOMERS.values():
            opened.add(name, phone)
        placed = opened.dial()
        assert len(placed) == len(CUSTOMERS) and all(c.call_sid for c in placed), [
            c.as_dict() for c in placed
        ]
        opened.settle()
        yield opened


def test_the_verdicts_are_the_same_as_on_twilio(line: Line) -> None:
    assert line.task(CUSTOMERS["all_yes"][0]).status == "succeeded"
    assert line.task(CUSTOMERS["no"][0]).status == "problem"
    [attempt] = line.attempts(CUSTOMERS["no"][0])
    with line.session() as s:
        [case] = s.scalars(select(ProblemCase).where(ProblemCase.attempt_id == attempt.id)).all()
    assert case.answer_label == "no"


def test_call_ids_are_the_providers_uuids(line: Line) -> None:
    for name, _ in CUSTOMERS.values():
        [attempt] = line.attempts(name)
        assert attempt.call_sid is not None and UUID.match(attempt.call_sid)


def test_the_customer_who_asks_for_a_person_reaches_the_agent(line: Line) -> None:
    [attempt] = line.attempts(CUSTOMERS["agent"][0])
    with line.session() as s:
        [esc] = s.scalars(select(Escalation).where(Escalation.attempt_id == attempt.id)).all()
    assert esc.agent_phone == AGENT and esc.status == "ended" and esc.bridged_at is not None
    agent = line.emu.call(esc.agent_call_sid or "")
    assert agent["to"] == AGENT and agent["persona"] == "agent-wang" and agent["status"] == "completed"
    escalating = [d for d in line.documents(attempt.call_sid or "") if "转接人工" in d]
    if line.settings.profile.enqueue:
        assert f">agents-{attempt.id}</Enqueue>" in escalating[0]
    else:  # no queues: the caller's own leg dials the agent
        assert f"<Number>{AGENT}</Number>" in escalating[0] and "<Enqueue" not in escalating[0]
    assert attempt.outcome == "open"  # the robot handed over: its items stay open for the agent to record


def test_each_keeps_the_evidence_its_provider_allows(line: Line) -> None:
    [attempt] = line.attempts(CUSTOMERS["all_yes"][0])
    with line.session() as s:
        kinds = sorted(s.scalars(select(Recording.kind).where(Recording.attempt_id == attempt.id)))
        failed = s.scalars(select(Recording.id).where(Recording.status == "failed")).all()
        clipped = s.scalars(
            select(Answer.id).where(Answer.attempt_id == attempt.id, Answer.clip_id.is_not(None))
        )
        clips = len(clipped.all())
    assert failed == []  # nothing is reported lost for a recording the provider never makes
    assert clips == kinds.count("clip") and clips >= 15  # every spoken answer keeps its clip
    assert kinds.count("call") == (1 if line.settings.profile.call_recording else 0)
