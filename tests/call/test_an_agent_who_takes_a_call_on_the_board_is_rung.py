"""An agent takes a waiting caller on the board; the next scheduler pass rings that agent and bridges them.

No agent phone is configured here, so the caller waits in the queue until someone takes the call. The web
only writes "agent_requested" with the agent's phone; `ring_requested_agents` does the dialling, once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from dialer.gateway.client import Gateway
from dialer.model import Escalation, Recording
from dialer.model.pacing import PACER_ID, DialPacer
from dialer.worker import ring_requested_agents
from tests.call.line import Line, open_line

AGENT = "+862161230009"
PERSONAS = f"""
[[persona]]
match = "+8613911110101"
name = "presses-zero-and-waits"
voice = "ko"
answer_after = 1.0
replies = [{{say = "네"}}, {{keys = "0"}}]

[[persona]]
match = "{AGENT}"
name = "agent-li"
agent = true
answer_after = 1.0
talk_for = 4
"""


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory, speech: object) -> Iterator[Line]:
    root: Path = tmp_path_factory.mktemp("board")
    with open_line(root, PERSONAS, speech, agent_phones=(), agent_wait_seconds=900) as line:
        line.add("李娜", "+8613911110101", gender="女")
        [call] = line.dial()
        assert call.call_sid
        yield line


def _waiting(line: Line, timeout: float = 60.0) -> int:
    """Wait until the caller waits in the queue: the escalation is committed and its <Enqueue> has arrived."""
    [attempt] = line.attempts("李娜")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with line.session() as s:
            found = s.scalar(select(Escalation.id).where(Escalation.status == "waiting"))
        documents = line.documents(attempt.call_sid or "")
        if found is not None and any("<Enqueue" in d for d in documents):
            return found
        time.sleep(0.1)
    raise AssertionError("no caller came to wait for an agent")


def _next_slot(line: Line) -> datetime | None:
    with line.session() as s:
        return s.scalar(select(DialPacer.next_slot_at).where(DialPacer.id == PACER_ID))


def _take(line: Line, escalation_id: int) -> None:
    """Do what the board's "Take this call" button does: a conditional update, nothing dialled."""
    with line.session() as s, s.begin():
        s.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id, Escalation.status == "waiting")
            .values(status="agent_requested", agent_phone=AGENT)
        )


def test_the_requested_agent_is_rung_once_and_bridged(line: Line) -> None:
    gateway = Gateway(line.settings)
    assert ring_requested_agents(line.settings, line.db, gateway) == 0  # nobody asked yet
    escalation_id = _waiting(line)
    _take(line, escalation_id)
    before = _next_slot(line)
    assert ring_requested_agents(line.settings, line.db, gateway) == 1
    # The agent's leg took its turn at the pacer customer calls use: DIALER_MAX_CPS holds for it too.
    assert _next_slot(line) > before
    assert ring_requested_agents(line.settings, line.db, gateway) == 0  # never rung twice
    line.settle()
    with line.session() as s:
        esc = s.get_one(Escalation, escalation_id)
        kinds = sorted(s.scalars(select(Recording.kind).where(Recording.kind != "clip")))
    assert esc.agent_phone == AGENT and esc.bridged_at is not None and esc.status == "ended"
    agent_call = line.emu.call(esc.agent_call_sid or "")
    assert agent_call["to"] == AGENT and agent_call["persona"] == "agent-li"
    assert kinds == ["agent_leg", "call"]
