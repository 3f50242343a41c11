"""Agents' own calls to customers (拨打): the request a page writes and the worker carries out.

Pressing 拨打 writes an `AgentDial` (status "requested") and its `Attempt` (placed by that agent, pinned to
the script version the task uses); no page ever dials. The scheduler's worker rings the agent's phone, whose
TwiML then dials the customer, recorded in two channels; the webhooks move the row along and store the
outcome on the attempt as the robot's calls do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.clock import utcnow
from dialer.model.base import Base
from dialer.model.bounds import bound_text_columns
from dialer.model.calls import SID_LENGTH, Attempt
from dialer.model.states import AGENT_DIALS_LIVE, AgentDialStatus


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
    """Return the agent call in progress for this task, if any."""
    q = select(AgentDial).where(AgentDial.task_id == task_id, AgentDial.status.in_(AGENT_DIALS_LIVE))
    return session.scalars(q.order_by(AgentDial.id.desc()).limit(1)).first()


def dial_of_attempt(session: Session, attempt: Attempt) -> AgentDial | None:
    """Return the agent call an attempt belongs to, or None for the robot's calls."""
    if attempt.placed_by_id is None:
        return None
    return session.scalar(select(AgentDial).where(AgentDial.attempt_id == attempt.id))


bound_text_columns(AgentDial)
