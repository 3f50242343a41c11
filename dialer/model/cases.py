"""Problem cases (问题件) and their notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialer.clock import utcnow
from dialer.model.base import Base, CaseStatus
from dialer.model.calls import Answer


class ProblemCase(Base):
    """A bad or unclear answer that someone other than the seller must work until closed."""

    __tablename__ = "problem_cases"
    __table_args__ = (Index("ix_problem_cases_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id"), unique=True)
    question_id: Mapped[str] = mapped_column(String(64))
    question_text: Mapped[str] = mapped_column(Text)
    answer_label: Mapped[str] = mapped_column(String(20))
    transcript: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[CaseStatus] = mapped_column(String(20), default=CaseStatus.OPEN)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(String(100))
    repeat: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    answer: Mapped[Answer | None] = relationship()
    notes: Mapped[list[CaseNote]] = relationship(order_by="CaseNote.id", cascade="all, delete-orphan")


class CaseNote(Base):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("problem_cases.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
