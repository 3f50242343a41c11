"""Agents' own calls to customers (拨打): the request a page writes and the worker carries out.

Pressing 拨打 writes an `AgentDial` (status "requested") and its `Attempt` (placed by that agent, pinned to
the script version the task uses); no page ever dials. The scheduler's worker rings the agent's phone, whose
TwiML then dials the customer, recorded in two channels; the webhooks move the row along and store the
outcome on the attempt as the robot's calls do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.clock import utcnow
from dialer.errors import DialerError
from dialer.model.base import Base
from dialer.model.bounds import bound_text_columns
from dialer.model.calls import SID_LENGTH, Attempt
from dialer.model.scripts import approved_version
from dialer.model.states import AGENT_DIALS_LIVE, CALLS_IN_FLIGHT, AgentDialStatus, CallStatus, TaskStatus
from dialer.model.tasks import Task

# How long an agent's call may hold its task before recovery asks the gateway about it: both legs ringing
# plus the longest call the gateway allows.
DIAL_LEASE = timedelta(minutes=35)


class DialRefused(DialerError):
    """An agent's call may not be placed; the message says why and what to do, in Chinese."""


class AgentDial(Base):
    """One 拨打: who asked, for which task (and callback or problem case), and how far the call got."""

    __tablename__ = "agent_dials"
    __table_args__ = (Index("ix_agent_dials_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("problem_cases.id"))
    status: Mapped[str] = mapped_column(String(20), default=AgentDialStatus.REQUESTED)  # an AgentDialStatus
    agent_phone: Mapped[str] = mapped_column(String(20))
    agent_call_sid: Mapped[str | None] = mapped_column(String(SID_LENGTH))
    customer_call_sid: Mapped[str | None] = mapped_column(String(SID_LENGTH))
    error: Mapped[str | None] = mapped_column(Text)  # why it ended without a conversation, in Chinese
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    agent_answered_at: Mapped[datetime | None]
    customer_answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    @property
    def live(self) -> bool:
        return self.status in AGENT_DIALS_LIVE


def live_dial_for_task(session: Session, task_id: int) -> AgentDial | None:
    """Return the agent call in progress for this task, if any (its attempt still holds a line)."""
    q = (
        select(AgentDial)
        .join(Attempt, Attempt.id == AgentDial.attempt_id)
        .where(
            AgentDial.task_id == task_id,
            AgentDial.status.in_(AGENT_DIALS_LIVE),
            Attempt.status.in_(CALLS_IN_FLIGHT),
        )
    )
    return session.scalars(q.order_by(AgentDial.id.desc()).limit(1)).first()


def dial_of_attempt(session: Session, attempt: Attempt) -> AgentDial | None:
    """Return the agent call an attempt belongs to, or None for the robot's calls."""
    if attempt.placed_by_id is None:
        return None
    return session.scalar(select(AgentDial).where(AgentDial.attempt_id == attempt.id))


def open_agent_dial(
    s: Session, task: Task, agent_id: int, phone: str, now: datetime, *, callback_id: int | None = None,
    case_id: int | None = None, opted_out: bool = False,
) -> AgentDial:  # fmt: skip
    """Write the request and its attempt (placed by the agent, pinned to the approved script); nothing is dialled.

    Raise DialRefused when another call to this customer's task is on, or the task's script has no approved
    version. A task waiting for its next attempt is claimed as the robot claims it, so the robot leaves it be.
    """
    live = live_dial_for_task(s, task.id)
    if live is not None:
        raise DialRefused("该任务已有一通坐席拨打正在进行，请等它结束后再拨打。")
    if any(a.status in CALLS_IN_FLIGHT for a in task.attempts):
        raise DialRefused("系统正在拨打这位客户，请等这通电话结束后再拨打。")
    if opted_out:
        raise DialRefused("客户已要求不再接听此类回访电话，不能拨打。如有疑问请联系主管。")
    filed = approved_version(s, task.script)
    if filed is None:
        raise DialRefused("该任务所用的话术还没有已批准的版本，不能拨打。请联系主管或合规人员批准话术。")
    who = f"agent:{agent_id}"
    if task.status == TaskStatus.PENDING:
        won = s.execute(
            update(Task).where(Task.id == task.id, Task.status == TaskStatus.PENDING)
            .values(status=TaskStatus.DIALLING, claimed_by=who, claim_expires_at=utcnow() + DIAL_LEASE,
                    attempt_count=Task.attempt_count + 1)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        if won.rowcount != 1:  # type: ignore[attr-defined]
            raise DialRefused("系统正在拨打这位客户，请等这通电话结束后再拨打。")
        s.refresh(task)
    elif task.status == TaskStatus.DIALLING:
        raise DialRefused("系统正在拨打这位客户，请等这通电话结束后再拨打。")
    number = max((a.number for a in task.attempts), default=0) + 1
    attempt = Attempt(task_id=task.id, number=number, to_number=task.customer.phone, script=task.script,
                      status=CallStatus.CLAIMED, claimed_by=who, placed_by_id=agent_id,
                      script_version=filed.version, script_sha256=filed.sha256, created_at=utcnow())  # fmt: skip
    s.add(attempt)
    s.flush()
    dial = AgentDial(agent_id=agent_id, task_id=task.id, attempt_id=attempt.id, callback_id=callback_id,
                     case_id=case_id, agent_phone=phone, requested_at=now)  # fmt: skip
    s.add(dial)
    s.flush()
    return dial


bound_text_columns(AgentDial)
