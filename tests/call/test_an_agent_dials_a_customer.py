"""An agent presses 拨打: the worker rings the agent, the agent's TwiML dials the customer, recorded in two channels.

Real parts on 127.0.0.1: the web app (the agent's pages and the webhooks), the emulator over HTTP with an
agent persona and two customers (one answers and talks, one never answers), the worker that places the
agent's leg, and the recording worker that stores the two-channel recording.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import time
from array import array
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.gateway.client import Gateway
from dialer.gateway.signature import compute_signature
from dialer.ivr.versions import ensure_filed
from dialer.model import Attempt, AttemptOutcome, Callback, Recording, Role, Task, TaskStatus, User
from dialer.model.dials import AgentDial
from dialer.model.facts import refresh_report_facts
from dialer.model.pacing import PACER_ID, DialPacer
from dialer.model.quality import agent_calls
from dialer.model.users import hash_password
from dialer.services import load_dial_rules
from dialer.worker import download_due_recordings
from dialer.worker.dials import place_agent_dials
from tests.call.line import NOW, Line, open_line, row_counts, snapshot
from tests.conftest import fresh_postgres_schema, postgres_url

AGENT = "+862161230031"
ANSWERS = "+8613911110301"
NEVER = "+8613911110302"
UNREACHED = "+8613911110303"
PASSWORD = "dial-horse-1"
PERSONAS = f"""
[[persona]]
match = "{AGENT}"
name = "agent-sun"
agent = true
answer_after = 1.0
talk_for = 60

# A customer who answers and talks over the bridge for a while (the emulator's talking persona).
[[persona]]
match = "{ANSWERS}"
name = "customer-who-answers"
agent = true
answer_after = 2.0
talk_for = 160
agent_say = "喂，您好，是我本人。"

[[persona]]
match = "{UNREACHED}"
name = "customer-the-robot-never-reached"
agent = true
answer_after = 2.0
talk_for = 200

[[persona]]
match = "{NEVER}"
name = "customer-who-never-answers"
outcome = "no-answer"
"""


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def line(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, speech: object
) -> Iterator[Line]:
    """The line on SQLite, and on PostgreSQL when the suite has a server (the webhooks lock rows there)."""
    root: Path = tmp_path_factory.mktemp("agent-dial")
    with ExitStack() as stack:
        changes: dict[str, object] = {}
        if request.param == "postgres":
            base = postgres_url()
            if base is None:
                pytest.skip("DIALER_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against")
            changes["database_url"] = stack.enter_context(fresh_postgres_schema(base))
        yield stack.enter_context(_dial_line(root, speech, **changes))


@contextmanager
def _dial_line(root: Path, speech: object, **changes: object) -> Iterator[Line]:
    with open_line(root, PERSONAS, speech, ring_timeout=20, **changes) as line:
        with line.session() as s, s.begin():
            ensure_filed(s, line.settings.scripts_dir, NOW)
            s.add(User(username="sun_agent", role=Role.AGENT, display_name="孙专员", phone=AGENT,
                       password_hash=hash_password(PASSWORD)))  # fmt: skip
        line.add("黄蓉", ANSWERS)
        line.add("郭靖", NEVER)
        line.add("杨康", UNREACHED)
        yield line


def _client(line: Line) -> FlaskClient:
    client = line.app.test_client()
    token = _token(client, "/login")
    resp = client.post("/login", data={"username": "sun_agent", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    return client


def _token(client: FlaskClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found
    return found.group(1)


def _callback(line: Line, name: str) -> int:
    with line.session() as s, s.begin():
        cb = Callback(task_id=line.tasks[name], reason="客户要求回电", due_at=NOW)
        s.add(cb)
        s.flush()
        return cb.id


def _press(line: Line, client: FlaskClient, callback_id: int) -> AgentDial:
    token = _token(client, "/callbacks")
    resp = client.post(f"/dial/callback/{callback_id}", data={"csrf_token": token})
    assert resp.status_code == 302 and "/dials/" in resp.headers["Location"], resp.get_data(as_text=True)
    with line.session() as s:
        dial = s.scalars(select(AgentDial).where(AgentDial.callback_id == callback_id)).one()
        s.expunge_all()
    return dial


def _dial(line: Line, dial_id: int) -> AgentDial:
    with line.session() as s:
        dial = s.get_one(AgentDial, dial_id)
        s.expunge_all()
    return dial


def _work_until(line: Line, dial_id: int, done: set[str], timeout: float = 120.0) -> AgentDial:
    """Run the scheduler's worker (agent calls, recordings) until the call reaches one of `done`."""
    gateway, rules = Gateway(line.settings), load_dial_rules(line.settings)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        place_agent_dials(line.settings, line.db, gateway, rules, line.clock.now())
        download_due_recordings(line.settings, line.db, gateway, now=datetime.now(NOW.tzinfo))
        dial = _dial(line, dial_id)
        if dial.status in done:
            return dial
        time.sleep(0.2)
    raise AssertionError(f"the agent's call {dial_id} stayed {_dial(line, dial_id).status}")


def _stored(line: Line, attempt_id: int, timeout: float = 60.0) -> Recording:
    gateway = Gateway(line.settings)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        download_due_recordings(line.settings, line.db, gateway, now=datetime.now(NOW.tzinfo))
        with line.session() as s:
            rec = s.scalars(select(Recording).where(Recording.attempt_id == attempt_id)).first()
            if rec is not None and rec.status == "stored":
                s.expunge_all()
                return rec
        time.sleep(0.3)
    raise AssertionError("the agent call's recording was not stored")


def _good_answers(page: str) -> dict[str, str]:
    """Answer every open item of the form the good way (是, but 否 where 是 is the bad answer)."""
    items = sorted(set(re.findall(r'name="answer-([a-z_0-9]+)"', page)))
    assert items, "no open questions on the page"
    return {f"answer-{q}": "no" if q in ("no_kickback", "no_extra_promise") else "yes" for q in items}


def test_a_dial_rings_the_agent_bridges_the_customer_records_two_channels_and_decides_the_task(
    line: Line,
) -> None:
    client = _client(line)
    dial = _press(line, client, _callback(line, "黄蓉"))
    with line.session() as s:
        before = s.scalar(select(DialPacer.next_slot_at).where(DialPacer.id == PACER_ID))
    dial = _work_until(line, dial.id, {"connected", "completed"})
    with line.session() as s:  # the agent's leg took its turn at the pacer customer calls use
        assert s.scalar(select(DialPacer.next_slot_at).where(DialPacer.id == PACER_ID)) > before
    page = client.get(f"/dials/{dial.id}").get_data(as_text=True)
    assert "通话中" in page and "139****0301" in page and ANSWERS not in page
    # The customer confirms every item to the agent during the call; the agent records them beside it.
    form = _good_answers(page) | {"csrf_token": _token(client, f"/dials/{dial.id}")}
    assert client.post(f"/dials/{dial.id}/answers", data=form).status_code == 302
    dial = _work_until(line, dial.id, {"completed"})
    rec = _stored(line, dial.attempt_id)
    with line.session() as s:
        attempt = s.get_one(Attempt, dial.attempt_id)
        task = s.get_one(Task, dial.task_id)
        facts = (task.connected, task.answer_facts)
        refresh_report_facts(s, task)
        assert (task.connected, task.answer_facts) == facts  # the webhooks refreshed them already
        assert attempt.outcome == AttemptOutcome.SUCCEEDED and attempt.status == "completed"
        assert attempt.answered_at is not None and (attempt.duration or 0) > 0
        assert task.status == TaskStatus.SUCCEEDED and task.connected
        calls = agent_calls(
            s, datetime(2026, 11, 1, tzinfo=NOW.tzinfo), datetime(2026, 12, 1, tzinfo=NOW.tzinfo)
        )
        agent_id = s.scalars(select(User.id).where(User.username == "sun_agent")).one()
    assert dial.agent_answered_at is not None and dial.customer_answered_at is not None
    assert attempt.id in calls[agent_id]  # a call the agent placed is one a QA sample may draw
    # The emulator: the agent's leg (to the agent's phone) bridged a child leg to the customer, recorded dual.
    agent_leg = line.emu.call(dial.agent_call_sid or "")
    assert agent_leg["to"] == AGENT and agent_leg["persona"] == "agent-sun"
    [child] = [c for c in line.emu.calls() if c["parent_call_sid"] == agent_leg["sid"]]
    assert (
        child["to"] == ANSWERS
        and child["persona"] == "customer-who-answers"
        and child["status"] == "completed"
    )
    [made] = [e for e in agent_leg["events"] if e["event"] == "recording"]
    assert made["channels"] == 2 and made["source"] == "DialVerb"
    assert (
        "<Dial" in agent_leg["documents"][0]["twiml"]
        and "正在为您接通客户" in agent_leg["documents"][0]["twiml"]
    )
    assert rec.kind == "call" and rec.channels == 2 and rec.sha256
    _assert_both_sides_heard(line, rec)


def _assert_both_sides_heard(line: Line, rec: Recording) -> None:
    """The kept file is the one its checksum names, has two channels, and someone speaks on one of them."""
    path = line.settings.recordings_dir / (rec.path or "")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == rec.sha256
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=channels", "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert probe.stdout.strip() == "2"
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "2", "-ar", "8000", "-"],
                         check=True, capture_output=True).stdout  # fmt: skip
    samples = array("h", raw[: len(raw) // 4 * 4])
    loudest = max(max(abs(v) for v in samples[0::2]), max(abs(v) for v in samples[1::2]))
    assert loudest > 1000  # not a silent file: the customer's words are on their channel


def test_a_customer_who_does_not_answer_is_an_unsuccessful_attempt(line: Line) -> None:
    client = _client(line)
    dial = _press(line, client, _callback(line, "郭靖"))
    dial = _work_until(line, dial.id, {"no-answer", "failed", "completed"})
    assert dial.status == "no-answer" and dial.customer_answered_at is None
    with line.session() as s:
        attempt = s.get_one(Attempt, dial.attempt_id)
        task = s.get_one(Task, dial.task_id)
        assert attempt.outcome == AttemptOutcome.NO_ANSWER and attempt.answered_at is None
        # Counted by the attempt rules: one attempt used, the next one planned in another window.
        assert task.status == TaskStatus.PENDING and task.attempt_count == 1
        assert task.next_attempt_at is not None and not task.connected
    page = client.get(f"/dials/{dial.id}").get_data(as_text=True)
    assert "已结束·客户未接听" in page and "无人接听" in page
    timeline = _timeline(line, dial.attempt_id)
    assert "坐席拨打：坐席已接听，开始呼叫客户" in timeline and "坐席拨打：客户无人接听" in timeline
    assert "坐席拨打 · 孙专员" in timeline and "无人接听" in timeline


def _timeline(line: Line, attempt_id: int) -> str:
    officer = line.app.test_client()
    with line.session() as s, s.begin():
        s.add(User(username="wang_qc", role=Role.COMPLIANCE, password_hash=hash_password(PASSWORD)))
    token = _token(officer, "/login")
    officer.post("/login", data={"username": "wang_qc", "password": PASSWORD, "csrf_token": token})
    return officer.get(f"/calls/{attempt_id}").get_data(as_text=True)


def test_a_manual_follow_up_task_dialled_by_its_id_is_decided_by_the_answers(line: Line) -> None:
    """The robot's attempts ran out (无法联系, 机构自访); the agent calls the task and the customer confirms all."""
    task_id = line.tasks["杨康"]
    with line.session() as s, s.begin():
        task = s.get_one(Task, task_id)
        task.status, task.manual_followup, task.attempt_count, task.closed_at = "unreachable", True, 3, NOW
    client = _client(line)
    token = _token(client, "/callbacks")
    resp = client.post(f"/dial/task/{task_id}", data={"csrf_token": token})
    assert resp.status_code == 302 and "/dials/" in resp.headers["Location"]
    with line.session() as s:
        dial = s.scalars(select(AgentDial).where(AgentDial.task_id == task_id)).one()
        s.expunge_all()
    dial = _work_until(line, dial.id, {"connected", "completed"})
    page = client.get(f"/dials/{dial.id}").get_data(as_text=True)
    form = _good_answers(page) | {"csrf_token": _token(client, f"/dials/{dial.id}")}
    assert client.post(f"/dials/{dial.id}/answers", data=form).status_code == 302
    dial = _work_until(line, dial.id, {"completed"})
    with line.session() as s:
        task = s.get_one(Task, task_id)
        attempt = s.get_one(Attempt, dial.attempt_id)
        assert attempt.outcome == AttemptOutcome.SUCCEEDED and attempt.number == 1
        assert task.status == TaskStatus.SUCCEEDED and task.connected


def test_on_a_line_that_cannot_record_the_call_is_placed_and_said_to_be_unrecorded(
    tmp_path: Path, speech: object
) -> None:
    """Somleng's `<Dial>` has no `record` and its Calls API no progress events: the call still runs through."""
    with open_line(tmp_path, PERSONAS, speech, ring_timeout=20, gateway_profile="somleng") as line:
        with line.session() as s, s.begin():
            ensure_filed(s, line.settings.scripts_dir, NOW)
            s.add(User(username="sun_agent", role=Role.AGENT, display_name="孙专员", phone=AGENT,
                       password_hash=hash_password(PASSWORD)))  # fmt: skip
        line.add("黄蓉", ANSWERS)
        client = _client(line)
        dial = _work_until(
            line, _press(line, client, _callback(line, "黄蓉")).id, {"completed", "no-answer", "failed"}
        )
        assert dial.status == "completed" and dial.customer_answered_at is not None
        agent_leg = line.emu.call(dial.agent_call_sid or "")
        twiml = agent_leg["documents"][0]["twiml"]
        assert "record=" not in twiml and "本线路不能录音" in twiml
        with line.session() as s:
            attempt = s.get_one(Attempt, dial.attempt_id)
            assert attempt.outcome == AttemptOutcome.OPEN and not attempt.recordings
        page = client.get(f"/dials/{dial.id}").get_data(as_text=True)
        assert "本线路（Somleng）不能录音，本次通话不会录音" in page


def test_every_webhook_of_the_agent_calls_sent_again_changes_nothing(line: Line) -> None:
    """A gateway's retry of any callback (agent answered, customer ringing, result, status) stores nothing new."""
    with line.session() as s:
        sids = [d.agent_call_sid for d in s.scalars(select(AgentDial)) if d.agent_call_sid]
    hooks = [
        w for sid in sids for w in line.emu.call(sid)["webhooks"]
        if "/ivr/dial/" in w["url"] and w["status"] == 200
    ]  # fmt: skip
    assert {urlsplit(h["url"]).path for h in hooks} >= {
        "/ivr/dial/agent", "/ivr/dial/customer", "/ivr/dial/result", "/ivr/dial/agent/status"
    }  # fmt: skip
    before = (row_counts(line.db), snapshot(line.db), _dial_rows(line))
    for hook in hooks:
        params = {k: str(v) for k, v in hook["params"].items()}
        signature = compute_signature(hook["url"], params, line.settings.twilio_auth_token)
        reply = requests.post(hook["url"], data=params, headers={"X-Twilio-Signature": signature}, timeout=20)
        assert reply.status_code == 200 and reply.text.lstrip().startswith("<?xml"), hook["url"]
    assert (row_counts(line.db), snapshot(line.db), _dial_rows(line)) == before


def _dial_rows(line: Line) -> list[tuple[object, ...]]:
    with line.session() as s:
        return [
            (d.id, d.status, d.agent_answered_at, d.customer_answered_at, d.ended_at, d.error)
            for d in s.scalars(select(AgentDial).order_by(AgentDial.id))
        ]
