"""No webhook places a call or waits on the gateway's REST API: each answers within its budget, however slow
the gateway is.

The emulator here holds back every REST API answer for longer than DIALER_ANSWER_BUDGET and refuses each
answer clip for two seconds after its action. The customer says yes, then presses 0 for a person: the
escalation only records that an agent is wanted, and the worker (here `Line.settle`, as the scheduler does)
places the agent's leg outside any request. Every gateway call the service makes is watched: the ones that
place or change calls must all happen outside a web request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import has_request_context
from sqlalchemy import select

from dialer.gateway.client import Gateway
from dialer.model import Escalation
from tests.call.line import Line, open_line

API_DELAY = 6.0  # real seconds per REST answer: more than the budget, so one REST call in a webhook shows
CLIP_DELAY = 2.0
BUDGET = 5.0
CUSTOMER = "+8613911110201"
AGENT = "+862161230021"
PERSONAS = f"""
[[persona]]
match = "{CUSTOMER}"
name = "yes-then-zero"
voice = "ko"
answer_after = 1.0
replies = [{{say = "네"}}, {{keys = "0"}}]

[[persona]]
match = "{AGENT}"
name = "agent-zhou"
agent = true
answer_after = 1.0
talk_for = 4
"""
WATCHED = ("place_call", "redirect", "hang_up", "fetch_call", "find_calls", "list_recordings", "fetch_media")
CHANGES_CALLS = {"place_call", "redirect", "hang_up"}


@dataclass
class GatewayLog:
    """Each gateway method the service called, and whether a web request was open in that thread."""

    calls: list[tuple[str, bool]] = field(default_factory=list)

    def inside_requests(self) -> list[str]:
        return [name for name, inside in self.calls if inside]

    def outside_requests(self) -> list[str]:
        return [name for name, inside in self.calls if not inside]


def _watch(log: GatewayLog, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def watched(self: Gateway, *args: Any, **kwargs: Any) -> Any:
        log.calls.append((name, has_request_context()))
        return method(self, *args, **kwargs)

    return watched


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory, speech: object) -> Iterator[tuple[Line, GatewayLog]]:
    root: Path = tmp_path_factory.mktemp("slow-gateway")
    log = GatewayLog()
    with pytest.MonkeyPatch.context() as mp:
        for name in WATCHED:
            mp.setattr(Gateway, name, _watch(log, name, getattr(Gateway, name)))
        emulator = {"api_delay": API_DELAY, "clip_delay": CLIP_DELAY}
        with open_line(
            root, PERSONAS, speech, emulator=emulator, agent_phones=(AGENT,), agent_wait_seconds=1800,
            answer_budget_seconds=BUDGET,
        ) as line:  # fmt: skip
            line.add("冯强", CUSTOMER)
            [call] = line.dial()
            assert call.call_sid
            line.settle(timeout=300)
            yield line, log


def test_the_caller_reaches_the_agent(slow: tuple[Line, GatewayLog]) -> None:
    line, _ = slow
    with line.session() as s:
        [esc] = s.scalars(select(Escalation)).all()
    assert esc.reason == "agent" and esc.agent_phone == AGENT
    assert esc.bridged_at is not None and esc.status == "ended"
    assert line.emu.call(esc.agent_call_sid or "")["persona"] == "agent-zhou"


def test_no_call_is_placed_or_changed_inside_a_request(slow: tuple[Line, GatewayLog]) -> None:
    _, log = slow
    assert not CHANGES_CALLS & set(log.inside_requests()), log.calls
    # The customer's call and the agent's leg were placed, outside any request: the watch did see them.
    assert log.outside_requests().count("place_call") == 2
    assert "fetch_media" in log.inside_requests()  # the answer clip, the one download a webhook makes


def test_every_webhook_answers_within_the_budget(slow: tuple[Line, GatewayLog]) -> None:
    line, _ = slow
    webhooks = [w for c in line.emu.calls() for w in c["webhooks"]]
    assert any(w["kind"] == "action:Record" for w in webhooks)  # the answer turn, with its late clip
    assert all(w["status"] == 200 for w in webhooks), [(w["kind"], w["status"], w["error"]) for w in webhooks]
    slowest = max(webhooks, key=lambda w: w["elapsed"])
    # The budget's worst case, measured on a gateway slower than the budget itself.
    assert slowest["elapsed"] < BUDGET, slowest
    print(f"slowest webhook: {slowest['kind']} {slowest['elapsed']:.2f} s (budget {BUDGET:g} s)")
