"""Follow-up tasks, the import batches that created them, and agents' callbacks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialer.clock import utcnow
from dialer.model.base import Base, TaskStatus
from dialer.model.people import Customer

if TYPE_CHECKING:
    from dialer.model.calls import Attempt


class ImportBatch(Base):
    """One call-list file loaded by `dialer import` or the console."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    task_type: Mapped[str] = mapped_column(String(40))
    imported: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(64), default="cli")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The plan (回访计划) this list is: see dialer.model.batches for its statuses and decisions.
    status: Mapped[str] = mapped_column(String(20), default="approved", server_default="approved")
    rows: Mapped[int] = mapped_column(default=0, server_default="0")  # data rows in the file
    loaded: Mapped[int] = mapped_column(default=0, server_default="0")  # rows written so far (progress)
    # While `loading`: when the import last wrote. An import whose process died stops renewing it.
    heartbeat_at: Mapped[datetime | None]
    header_row: Mapped[int | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    sample_rate: Mapped[float | None]
    sample_seed: Mapped[str | None] = mapped_column(String(80))
    not_sampled: Mapped[int] = mapped_column(default=0, server_default="0")
    summary: Mapped[str | None] = mapped_column(Text)  # skipped rows, ignored columns, errors: JSON text


class Task(Base):
    """One customer to call back about one event, by one script, before a deadline."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint(
            "customer_id", "type", "event_at", "series_step", name="uq_tasks_customer_type_event"
        ),
        # The tick walks due tasks earliest deadline first.
        Index("ix_tasks_due", "status", "next_attempt_at"),
        Index("ix_tasks_edf", "status", "deadline_at", "id"),
        Index("ix_tasks_claim_expiry", "status", "claim_expires_at"),
        # The monthly report picks a month's due tasks by their first allowed call date.
        Index("ix_tasks_earliest", "earliest_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    script: Mapped[str] = mapped_column(String(64))
    event_at: Mapped[datetime]
    earliest_at: Mapped[datetime]
    deadline_at: Mapped[datetime | None]
    status: Mapped[TaskStatus] = mapped_column(String(20), default=TaskStatus.PENDING)
    attempt_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    department: Mapped[str | None] = mapped_column(String(100))
    seller: Mapped[str | None] = mapped_column(String(100))
    extra: Mapped[str | None] = mapped_column(Text)  # other columns of the source row, as JSON text
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_expires_at: Mapped[datetime | None]
    manual_followup: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)
    source_row: Mapped[int | None]
    series_step: Mapped[int] = mapped_column(default=1, server_default="1")  # place in a repeating series
    series_total: Mapped[int | None]  # calls the series plans; None: open-ended (leads, until closed)
    grade: Mapped[str | None] = mapped_column(String(10))  # a lead's grade: how many days between calls
    series_closed_at: Mapped[datetime | None]  # a lead closed by an agent: no further call of its series
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    # What the monthly report reads of the task's calls, written as each of them ends (dialer.model.facts),
    # so that a month is counted from the task rows alone.
    connected: Mapped[bool] = mapped_column(default=False, server_default=false())  # a call was answered
    case_count: Mapped[int] = mapped_column(default=0, server_default="0")  # problem cases from its calls
    answer_facts: Mapped[str | None] = mapped_column(Text)  # its calls' final answers, JSON (see facts.py)

    customer: Mapped[Customer] = relationship(lazy="joined")
    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="task", order_by="Attempt.number", cascade="all, delete-orphan"
    )


class Callback(Base):
    """A call an agent owes a customer: no agent answered an escalation, or a case asks for a second call."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    problem_case_id: Mapped[int | None] = mapped_column(ForeignKey("problem_cases.id"))
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
