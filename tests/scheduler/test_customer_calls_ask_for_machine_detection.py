"""Customer calls ask the gateway for answering-machine detection as DIALER_MACHINE_DETECTION says; agent legs
never do (an agent's phone is a person, and detection would only delay the bridge)."""

from __future__ import annotations

import pytest

from dialer.gateway.client import amd_params
from dialer.scheduler.placing import request
from dialer.scheduler.tick import PlannedCall
from dialer.settings import Settings
from dialer.worker.agents import agent_leg_request

CALL = PlannedCall(task_id=7, to="+8613911110001", attempt_id=42)


def test_by_default_a_customer_call_asks_for_asynchronous_detection() -> None:
    req = request(Settings(public_url="https://hf.example.cn"), CALL)
    assert amd_params(req) == {
        "machine_detection": "Enable",
        "async_amd": "true",
        "async_amd_status_callback": "https://hf.example.cn/ivr/amd?a=42",
        "async_amd_status_callback_method": "POST",
    }


@pytest.mark.parametrize(("mode", "params"), [("sync", {"machine_detection": "Enable"}), ("off", {})])
def test_the_setting_chooses_waiting_for_the_verdict_or_no_detection(
    mode: str, params: dict[str, str]
) -> None:
    assert amd_params(request(Settings(machine_detection=mode), CALL)) == params


def test_an_agent_leg_asks_for_no_detection() -> None:
    assert (
        amd_params(agent_leg_request(Settings(), attempt_id=42, escalation_id=3, phone="+862161230001")) == {}
    )
