"""An agent signs in, opens 我的回拨, presses 拨打 and follows the call on its page until it ends.

The whole line runs here: the app served over HTTP, the emulator with an agent persona and a customer who
answers, and the scheduler's worker (in a thread) that places the agent's leg and stores the recording. The
emulator's inspection API shows the agent's leg bridged to the customer with a two-channel recording.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from dialer.emulator.inspect import fetch_calls
from dialer.gateway.client import Gateway
from dialer.ivr.versions import ensure_filed
from dialer.model import Attempt, Callback, Recording, Role, User
from dialer.model.dials import AgentDial
from dialer.model.users import hash_password
from dialer.services import load_dial_rules
from dialer.worker import download_due_recordings
from dialer.worker.dials import place_agent_dials
from tests.browser.conftest import Shots
from tests.call.line import NOW, Line, open_line

AGENT = "+862161230041"
CUSTOMER = "+8613911110401"
PASSWORD = "dial-browser-1"
PERSONAS = f"""
[[persona]]
match = "{AGENT}"
name = "agent-zhu"
agent = true
answer_after = 2.0
talk_for = 60

[[persona]]
match = "{CUSTOMER}"
name = "customer-who-answers"
agent = true
answer_after = 3.0
talk_for = 360
agent_say = "喂，您好，我是本人，请讲。"
"""


@pytest.fixture
def line(tmp_path: Path) -> Iterator[Line]:
    with open_line(tmp_path, PERSONAS, None, ring_timeout=20) as line:
        with line.session() as s, s.begin():
            ensure_filed(s, line.settings.scripts_dir, NOW)
            s.add(User(username="zhu_agent", role=Role.AGENT, display_name="朱专员", phone=AGENT,
                       password_hash=hash_password(PASSWORD)))  # fmt: skip
        task_id = line.add("欧阳娜", CUSTOMER, gender="女")
        with line.session() as s, s.begin():
            s.add(Callback(task_id=task_id, reason="客户要求回电", due_at=NOW))
        yield line


@pytest.fixture
def worker(line: Line) -> Iterator[None]:
    """The scheduler process's background work, as `dialer scheduler` runs it: agent calls and recordings."""
    stop = threading.Event()
    gateway, rules = Gateway(line.settings), load_dial_rules(line.settings)

    def run() -> None:
        while not stop.is_set():
            place_agent_dials(line.settings, line.db, gateway, rules, line.clock.now())
            download_due_recordings(line.settings, line.db, gateway, now=datetime.now(NOW.tzinfo))
            stop.wait(0.3)

    thread = threading.Thread(target=run, name="dial-worker", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(10)


def test_an_agent_dials_a_callback_from_the_page(
    page: object, line: Line, worker: None, shots: Shots
) -> None:
    base = line.settings.public_url
    pg: object = page
    pg.goto(f"{base}/login")  # type: ignore[attr-defined]
    pg.fill("input[name=username]", "zhu_agent")  # type: ignore[attr-defined]
    pg.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    pg.click("button[type=submit]")  # type: ignore[attr-defined]
    pg.goto(f"{base}/callbacks")  # type: ignore[attr-defined]
    row = pg.locator("#callbacks tbody tr", has_text="欧阳娜")  # type: ignore[attr-defined]
    assert "139****0401" in row.inner_text() and CUSTOMER[3:] not in row.inner_text()
    shots(pg, "my-callbacks")
    row.locator("button[data-dial^=callback]").click()
    pg.wait_for_url("**/dials/*")  # type: ignore[attr-defined]
    assert "已开始拨打" in pg.inner_text("body")  # type: ignore[attr-defined]
    shots(pg, "dial-requested")
    # The page refreshes itself: ringing the agent, then the customer, then in call, then ended.
    pg.wait_for_selector("#dial-status[data-status=connected]", timeout=60_000)  # type: ignore[attr-defined]
    assert "通话中" in pg.inner_text("#dial-progress")  # type: ignore[attr-defined]
    # While they talk, the customer confirms each item and the agent ticks it in the form beside the call.
    for row in pg.locator("#open-items tr[data-question]").all():  # type: ignore[attr-defined]
        good = "no" if row.get_attribute("data-question") in ("no_kickback", "no_extra_promise") else "yes"
        row.locator(f"input[value={good}]").check()
    shots(pg, "dial-in-call")
    pg.click("#open-items button.primary")  # type: ignore[attr-defined]
    assert "回答已保存" in pg.inner_text("body")  # type: ignore[attr-defined]
    pg.wait_for_selector("#dial-outcome", timeout=90_000)  # type: ignore[attr-defined]
    progress = pg.inner_text("#dial-progress")  # type: ignore[attr-defined]
    assert "已结束·客户已接通" in progress and "成功" in progress and "双声道全程录音" in progress
    with line.session() as s:
        dial = s.scalars(select(AgentDial)).one()
        attempt = s.get_one(Attempt, dial.attempt_id)
    # The emulator's inspection API: the agent's leg, bridged to the customer, recorded in two channels.
    calls = fetch_calls(line.emu.url)
    [agent_leg] = [c for c in calls if c["sid"] == dial.agent_call_sid]
    [customer_leg] = [c for c in calls if c["parent_call_sid"] == agent_leg["sid"]]
    assert agent_leg["to"] == AGENT and customer_leg["to"] == CUSTOMER
    assert customer_leg["status"] == "completed" and (customer_leg["duration"] or 0) > 0
    [recorded] = [e for e in agent_leg["events"] if e["event"] == "recording"]
    assert recorded["channels"] == 2 and agent_leg["recordings"]
    assert attempt.outcome == "succeeded" and attempt.placed_by_id is not None
    _wait_stored(line, attempt.id)
    pg.reload()  # type: ignore[attr-defined]
    body = pg.inner_text("body")  # type: ignore[attr-defined]
    assert CUSTOMER not in body and CUSTOMER[3:] not in body  # the phone stays masked
    assert "所有必答问题均已得到“是/否”的回答" in body and "回访成功" in body  # the task is decided
    shots(pg, "dial-ended")


def _wait_stored(line: Line, attempt_id: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with line.session() as s:
            rec = s.scalars(select(Recording).where(Recording.attempt_id == attempt_id)).first()
            if rec is not None and rec.status == "stored":
                assert rec.channels == 2
                return
        time.sleep(0.3)
    raise AssertionError("the call's recording was not stored")
