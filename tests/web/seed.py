"""Seeded data for the console tests: personas, one recorded call with a problem case, a waiting caller."""

from __future__ import annotations

import hashlib
import math
import re
import struct
import wave
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from dialer.model import (
    AgentDial,
    Answer,
    Attempt,
    AttemptEvent,
    Callback,
    CaseStatus,
    Customer,
    Database,
    Escalation,
    ImportBatch,
    ProblemCase,
    Recording,
    Role,
    Task,
    TaskStatus,
    User,
)
from dialer.model.users import hash_password

PASSWORD = "correct-horse-1"
NOW = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)  # a Tuesday, 10:30 in Shanghai
PERSONAS = {
    "agent": ("li_agent", Role.AGENT, "+8613900001111", "李专员"),
    "supervisor": ("zhao_sup", Role.SUPERVISOR, None, "赵主管"),
    "compliance": ("wang_qc", Role.COMPLIANCE, None, "王质检"),
    "admin": ("admin", Role.ADMIN, None, "管理员"),
}


@cache
def _password_hash() -> str:
    # argon2 is slow on purpose: hash once and share it between the personas.
    return hash_password(PASSWORD)


def write_wav(path: Path, seconds: float, channels: int = 1, rate: int = 8000, freq: float = 440.0) -> str:
    """Write a real PCM WAV tone and return its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = bytearray()
    for i in range(int(seconds * rate)):
        sample = int(8000 * math.sin(2 * math.pi * freq * i / rate))
        frames += struct.pack("<h", sample) * channels
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Seeded:
    users: dict[str, int]
    attempt: int
    call_recording: int
    clip: int
    case: int
    escalation: int
    task: int
    customer: int


def add_personas(db: Database) -> dict[str, int]:
    """Add one user per role, all with PASSWORD."""
    ids = {}
    with db.session() as s, s.begin():
        for key, (name, role, phone, display) in PERSONAS.items():
            u = User(
                username=name, role=role, phone=phone, display_name=display, password_hash=_password_hash()
            )
            s.add(u)
            s.flush()
            ids[key] = u.id
    return ids


def seed(db: Database, root: Path, *, name: str = "张三", phone: str = "+8613812341234") -> Seeded:
    """Add the personas and one recorded call whose third answer was 否 (a problem case)."""
    users = add_personas(db) if not _has_users(db) else _user_ids(db)
    with db.session() as s, s.begin():
        c = Customer(name=name, phone=phone)
        t = Task(customer=c, type="new_policy", script="new_policy", event_at=NOW - timedelta(days=3),
                 earliest_at=NOW - timedelta(days=3), deadline_at=NOW + timedelta(days=12),
                 status=TaskStatus.PROBLEM, attempt_count=1, department="个险部", seller="陈销售")  # fmt: skip
        a = Attempt(task=t, number=1, call_sid="CA" + hashlib.md5(phone.encode()).hexdigest(), status="completed", outcome="problem",
                    to_number=phone, script="new_policy", placed_at=NOW - timedelta(minutes=20),
                    answered_at=NOW - timedelta(minutes=19, seconds=50), ended_at=NOW - timedelta(minutes=17),
                    duration=170)  # fmt: skip
        s.add_all([c, t, a])
        s.flush()
        rec = _recording(root, a.id, "call", f"{a.id}/call.wav", 6.0, 2)
        clip = _recording(root, a.id, "clip", f"{a.id}/q3.wav", 1.5, 1)
        a.recordings.extend([rec, clip])
        s.flush()
        ans = Answer(attempt_id=a.id, question_id="q3", question_text="您是否已阅读产品说明书和风险提示？",
                     clip_id=clip.id, transcript="没有", keys="", label="no", matched="没有", problem=True)  # fmt: skip
        s.add(ans)
        s.flush()
        for n, (kind, ev) in enumerate([("status", "initiated"), ("status", "ringing"), ("status", "in-progress"),
                                        ("twiml", "greeting"), ("twiml", "q3"), ("status", "completed")]):  # fmt: skip
            s.add(AttemptEvent(attempt_id=a.id, kind=kind, name=ev, sequence=n, data={"CallStatus": ev},
                               at=NOW - timedelta(minutes=20) + timedelta(seconds=10 * n)))  # fmt: skip
        case = ProblemCase(task_id=t.id, attempt_id=a.id, answer_id=ans.id, question_id="q3",
                           question_text=ans.question_text, answer_label="no", transcript="没有",
                           department="个险部", created_at=NOW - timedelta(minutes=17))  # fmt: skip
        esc = Escalation(attempt_id=a.id, reason="critical_no", status="waiting",
                         enqueued_at=NOW - timedelta(seconds=45))  # fmt: skip
        s.add_all([case, esc])
        s.flush()
        return Seeded(users, a.id, rec.id, clip.id, case.id, esc.id, t.id, c.id)


def seed_campaign(db: Database, root: Path) -> Seeded:
    """The seeded call plus two more customers, a closed case, callbacks open and done, and a plan to approve."""
    seeded = seed(db, root)
    li = seed(db, root, name="李四", phone="+8613912345678")
    seed(db, root, name="王五", phone="+8613700001111")
    with db.session() as s, s.begin():
        c = s.get_one(ProblemCase, li.case)
        c.status, c.cause, c.resolution, c.closed_at = CaseStatus.CLOSED, "其他", "已解释清楚。", NOW
        c.assignee_id = seeded.users["agent"]
        s.add(Callback(task_id=seeded.task, problem_case_id=seeded.case, reason="问题件二次回访（agent）",
                       assignee_id=seeded.users["agent"], due_at=NOW + timedelta(days=1)))  # fmt: skip
        s.add(Callback(task_id=li.task, reason="转人工无人接听", status="done", note="已回拨，客户满意。",
                       assignee_id=seeded.users["agent"], done_at=NOW))  # fmt: skip
        s.add(ImportBatch(filename="理赔名单.csv", sha256="0" * 64, task_type="claim", status="pending", rows=1,
                          imported=1, created_by="zhao_sup"))  # fmt: skip
        _agent_dial(s, seeded)
    from tests.web.followup_seed import add_follow_ups  # it builds on this module

    add_follow_ups(db, root)  # the 机构自访 queue: one task waiting, one closed with its receipt
    return seeded


def _agent_dial(s: Session, seeded: Seeded) -> None:
    """An agent's own call (拨打, /dials/1) whose agent did not pick up."""
    a = Attempt(task_id=seeded.task, number=2, to_number="+8613812341234", script="new_policy", status="failed",
                outcome="error", placed_by_id=seeded.users["agent"], created_at=NOW, ended_at=NOW)  # fmt: skip
    s.add(a)
    s.flush()
    s.add(AgentDial(agent_id=seeded.users["agent"], task_id=seeded.task, attempt_id=a.id, status="agent_missed",
                    agent_phone="+8613900001111", requested_at=NOW, ended_at=NOW,
                    error="您的电话未接通（无人接听），未呼叫客户。请确认电话畅通后重新拨打。"))  # fmt: skip


def _recording(root: Path, attempt_id: int, kind: str, rel: str, seconds: float, channels: int) -> Recording:
    sha = write_wav(root / rel, seconds, channels)
    return Recording(attempt_id=attempt_id, kind=kind, status="stored", path=rel, sha256=sha,
                     size=(root / rel).stat().st_size, duration=seconds, channels=channels)  # fmt: skip


def _has_users(db: Database) -> bool:
    with db.session() as s:
        return s.query(User).count() > 0


def _user_ids(db: Database) -> dict[str, int]:
    with db.session() as s:
        by_name = {u.username: u.id for u in s.query(User)}
    return {key: by_name[p[0]] for key, p in PERSONAS.items()}


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    """Return the CSRF token from a page's form."""
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def sign_in(client: FlaskClient, persona: str, password: str = PASSWORD) -> None:
    """Sign in as one of the personas (agent, supervisor, compliance, admin)."""
    token = csrf_token(client)
    resp = client.post(
        "/login", data={"username": PERSONAS[persona][0], "password": password, "csrf_token": token}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)


def post(client: FlaskClient, url: str, data: dict[str, str] | None = None, page: str = "/") -> object:
    """POST a form with a valid CSRF token taken from `page`."""
    token = csrf_token(client, page)
    return client.post(url, data={**(data or {}), "csrf_token": token})


def get(client: FlaskClient, url: str, **kwargs: object) -> TestResponse:
    """GET `url`, read the whole body and close the response (file responses hold the file open)."""
    resp = client.get(url, **kwargs)  # type: ignore[arg-type]
    resp.get_data()
    resp.close()
    return resp
