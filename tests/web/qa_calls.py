"""Calls agents took in March 2026 (and one in February), for the quality-check tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from dialer.model import (
    Answer,
    Attempt,
    Callback,
    Customer,
    Database,
    Escalation,
    Role,
    Task,
    TaskStatus,
    User,
)
from tests.web.seed import NOW, _password_hash, _recording


@dataclass(frozen=True)
class AgentCalls:
    agents: dict[str, int]  # login → user id
    calls: dict[str, list[int]]  # login → attempt ids in March 2026
    february: int  # a call li_agent took in February: never in March's sample


def _call(s: object, n: int, when: object, root: Path) -> Attempt:
    c = Customer(name=f"客户{n}", phone=f"+86139{n:08d}")
    t = Task(customer=c, type="new_policy", script="new_policy", event_at=when, earliest_at=when,
             status=TaskStatus.SUCCEEDED, attempt_count=1, department="个险部")  # fmt: skip
    a = Attempt(task=t, number=1, status="completed", outcome="succeeded", to_number=c.phone, script="new_policy",
                placed_at=when, answered_at=when, ended_at=when + timedelta(minutes=3), duration=180,
                created_at=when)  # fmt: skip
    s.add_all([c, t, a])  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    a.recordings.append(_recording(root, a.id, "call", f"qa/{a.id}.wav", 1.0, 2))
    return a


def add_agent_calls(db: Database, root: Path, agent_id: int) -> AgentCalls:
    """li_agent (`agent_id`) took 7 calls from the queue, noted answers on 1 and finished 1 callback: 9 calls;
    a second agent, 周专员, took 3."""
    day = NOW - timedelta(days=5)
    calls: dict[str, list[int]] = {"li_agent": [], "zhou_agent": []}
    with db.session() as s, s.begin():
        zhou = User(
            username="zhou_agent", role=Role.AGENT, display_name="周专员", password_hash=_password_hash()
        )
        s.add(zhou)
        s.flush()
        for n in range(12):
            a = _call(s, n, day + timedelta(hours=n), root)
            who, login = (agent_id, "li_agent") if n < 9 else (zhou.id, "zhou_agent")
            if n == 7:
                s.add(Answer(attempt_id=a.id, question_id="q1", question_text="您是否本人投保？", label="yes",
                             recorded_by_id=who))  # fmt: skip
            elif n == 8:
                s.add(Callback(task_id=a.task_id, attempt_id=a.id, reason="客户要求回拨", status="done",
                               assignee_id=who, done_at=day + timedelta(days=1)))  # fmt: skip
            else:
                s.add(Escalation(attempt_id=a.id, reason="key0", status="ended", agent_id=who,
                                 enqueued_at=a.placed_at, bridged_at=a.answered_at))  # fmt: skip
            calls[login].append(a.id)
        old = _call(s, 99, NOW - timedelta(days=30), root)
        s.add(Escalation(attempt_id=old.id, reason="key0", status="ended", agent_id=agent_id,
                         enqueued_at=old.placed_at, bridged_at=old.answered_at))  # fmt: skip
        return AgentCalls({"li_agent": agent_id, "zhou_agent": zhou.id}, calls, old.id)
