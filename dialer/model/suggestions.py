"""Customers' opinions and suggestions (意见或建议): an open question's clip, its free-form transcript, and the
department a supervisor routes it to. A suggestion is never a problem case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.clock import utcnow
from dialer.errors import DialerError
from dialer.model.base import Base
from dialer.model.states import SuggestionStatus


class Suggestion(Base):
    """One opinion a customer left in answer to an open question."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"))
    clip_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"))
    question_id: Mapped[str] = mapped_column(String(64))
    question_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=SuggestionStatus.TRANSCRIBING, index=True)
    transcript: Mapped[str | None] = mapped_column(Text)
    transcribed_at: Mapped[datetime | None]
    tries: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(100))
    routed_by: Mapped[str | None] = mapped_column(String(64))
    routed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


MAX_TRIES = 3


def awaiting_transcription(session: Session, limit: int = 20) -> list[Suggestion]:
    """Return the suggestions whose clip is still to be transcribed, oldest first."""
    q = (
        select(Suggestion)
        .where(Suggestion.status == SuggestionStatus.TRANSCRIBING, Suggestion.tries < MAX_TRIES)
        .order_by(Suggestion.id)
        .limit(limit)
    )
    return list(session.scalars(q))


def suggestions_of(session: Session, attempt_id: int) -> list[Suggestion]:
    """Return one call's suggestions in the order they were given."""
    q = select(Suggestion).where(Suggestion.attempt_id == attempt_id).order_by(Suggestion.id)
    return list(session.scalars(q))


def route_suggestion(session: Session, row: Suggestion, department: str, actor: str, now: datetime) -> None:
    """Hand a suggestion to a department; the caller commits and audits."""
    department = department.strip()
    if not department:
        raise DialerError("请填写要转交的部门名称。")
    if len(department) > 100:
        raise DialerError("部门名称过长：请不超过 100 个字。")
    row.department, row.routed_by, row.routed_at = department, actor, now
    row.status = SuggestionStatus.ROUTED
