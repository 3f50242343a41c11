"""A call the robot handed to an agent after the first question: the rest of its required items are open."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from dialer.ivr.values import State
from dialer.ivr.versions import ensure_filed
from dialer.model import Answer, Attempt, Callback, Customer, Database, Escalation, Task, TaskStatus
from dialer.model.scripts import approved_version
from dialer.settings import PROJECT_ROOT
from tests.web.seed import NOW

ANSWERED = "purchased_personally"  # the one item the robot heard before the customer asked for a person


@dataclass(frozen=True)
class Handover:
    task: int
    attempt: int
    escalation: int
    callback: int


def copy_scripts(folder: Path) -> None:
    """Put the shipped call scripts where the app under test reads them."""
    shutil.copytree(PROJECT_ROOT / "ivr_scripts", folder, dirs_exist_ok=True)


def seed_handover(db: Database, agent_id: int | None, *, live: bool = False, name: str = "王芳") -> Handover:
    """Add a new_policy call handed over after one 是; `live`: the call is still on, else it ended open."""
    with db.session() as s, s.begin():
        ensure_filed(s, PROJECT_ROOT / "ivr_scripts", NOW)  # as `dialer init` does: approved version 1
        filed = approved_version(s, "new_policy")
        assert filed is not None
        c = Customer(name=name, phone="+8613955550001", gender="女")
        t = Task(customer=c, type="new_policy", script="new_policy", event_at=NOW - timedelta(days=3),
                 earliest_at=NOW - timedelta(days=3), deadline_at=NOW + timedelta(days=12), attempt_count=1,
                 status=TaskStatus.DIALLING if live else TaskStatus.PENDING, department="个险部",
                 next_attempt_at=None if live else NOW + timedelta(days=1))  # fmt: skip
        a = Attempt(task=t, number=1, call_sid="CA" + hashlib.md5(name.encode()).hexdigest(), to_number=c.phone, script="new_policy",
                    status="in-progress" if live else "completed", outcome=None if live else "open",
                    placed_at=NOW - timedelta(minutes=5), answered_at=NOW - timedelta(minutes=5),
                    ended_at=None if live else NOW - timedelta(minutes=1),
                    script_version=filed.version, script_sha256=filed.sha256)  # fmt: skip
        state = State(script="new_policy", phase="escalated", index=0, turn=3, escalated="agent")
        a.ivr_state = {"state": state.to_dict(), "twiml": "<Response/>"}
        s.add_all([c, t, a])
        s.flush()
        s.add_all([
            Answer(attempt_id=a.id, question_id="identity", question_text="请问是王芳女士本人吗？", turn=1,
                   label="yes", keys="1", created_at=NOW - timedelta(minutes=4)),
            Answer(attempt_id=a.id, question_id=ANSWERED, question_text="请问这份保险是您本人亲自投保的吗？",
                   turn=2, label="yes", keys="1", created_at=NOW - timedelta(minutes=3)),
        ])  # fmt: skip
        esc = Escalation(attempt_id=a.id, reason="agent", agent_id=agent_id, agent_phone="+8613900001111",
                         status="bridged" if live else "ended", enqueued_at=NOW - timedelta(minutes=3),
                         bridged_at=NOW - timedelta(minutes=2))  # fmt: skip
        cb = Callback(
            task_id=t.id, attempt_id=a.id, reason="转人工未接通（agent）", due_at=NOW + timedelta(days=1)
        )
        s.add_all([esc, cb])
        s.flush()
        return Handover(t.id, a.id, esc.id, cb.id)
