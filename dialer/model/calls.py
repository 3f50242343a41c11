"""Attempts (one outbound call each), their event timeline, recordings, answers and escalations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialer.clock import utcnow
from dialer.model.base import Base
from dialer.model.bounds import bound_text_columns
from dialer.model.states import CallStatus, EscalationStatus, RecordingStatus

if TYPE_CHECKING:
    from dialer.model.people import User
    from dialer.model.tasks import Task

# Gateway ids: Twilio's are 34 characters, SignalWire's and Somleng's UUIDs 36, Telnyx's about 56.
SID_LENGTH = 64


class Attempt(Base):
    """One call placed for a task. `status` is a `CallStatus`: ours until placed, then the gateway's."""

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("task_id", "number", name="uq_attempts_task_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    number: Mapped[int]
    call_sid: Mapped[str | None] = mapped_column(String(SID_LENGTH), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=CallStatus.CLAIMED)
    last_sequence: Mapped[int] = mapped_column(default=-1)
    outcome: Mapped[str | None] = mapped_column(String(20))  # an AttemptOutcome; may be set while still live
    answered_by: Mapped[str | None] = mapped_column(String(30))
    to_number: Mapped[str] = mapped_column(String(20))
    script: Mapped[str] = mapped_column(String(64))
    # The exact approved version of the script the call used, fixed when the customer answers.
    script_version: Mapped[int | None]
    script_sha256: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    placed_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    duration: Mapped[int | None]  # seconds, from the gateway's CallDuration
    error_code: Mapped[int | None]
    error_message: Mapped[str | None] = mapped_column(Text)
    error_permanent: Mapped[bool | None]
    ivr_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The agent who placed this call from the console (拨打); None: the robot dialled it.
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    task: Mapped[Task] = relationship(back_populates="attempts")
    events: Mapped[list[AttemptEvent]] = relationship(
        order_by="AttemptEvent.id", cascade="all, delete-orphan"
    )
    recordings: Mapped[list[Recording]] = relationship(order_by="Recording.id", cascade="all, delete-orphan")
    answers: Mapped[list[Answer]] = relationship(order_by="Answer.id", cascade="all, delete-orphan")


class AttemptEvent(Base):
    """One line of an attempt's timeline: a status callback, a TwiML step, a webhook, a note."""

    __tablename__ = "attempt_events"
    __table_args__ = (Index("ix_attempt_events_attempt", "attempt_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # status | twiml | answer | queue | agent | dial | recording | note | webhook
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    sequence: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Recording(Base):
    """An audio file: the full call, an agent leg, or one answer clip."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # a RecordingKind
    gateway_sid: Mapped[str | None] = mapped_column(String(SID_LENGTH), unique=True)
    gateway_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=RecordingStatus.PENDING)  # a RecordingStatus
    # `last_error` says why a recording is `failed`; the console shows it.
    path: Mapped[str | None] = mapped_column(Text)  # relative to the recordings folder
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    duration: Mapped[float | None]
    channels: Mapped[int | None]
    download_tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    gateway_deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stored_at: Mapped[datetime | None]
    # Where the bytes are and what they are: `sha256`/`size` describe the kept file, which after archiving
    # is the compact copy; the downloaded original's checksum and size stay beside it.
    store: Mapped[str] = mapped_column(String(10), default="folder", server_default="folder")  # folder | s3
    codec: Mapped[str | None] = mapped_column(String(10))  # None or wav = as downloaded; opus = archived
    original_sha256: Mapped[str | None] = mapped_column(String(64))
    original_size: Mapped[int | None]
    archived_at: Mapped[datetime | None]
    retain_until: Mapped[datetime | None]  # the object lock's date, where the store has one


class Answer(Base):
    """What the customer said or keyed to one question, how it was classified, and who recorded it.

    `recorded_by_id` is None when the robot heard the answer, else the agent who noted it while talking with
    the customer (`created_at` says when either was recorded).
    """

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", "turn", name="uq_answers_turn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    question_id: Mapped[str] = mapped_column(String(64))
    question_text: Mapped[str] = mapped_column(Text)
    turn: Mapped[int] = mapped_column(default=1)  # 1 = first ask, 2.. = re-asks
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("recordings.id"))
    transcript: Mapped[str] = mapped_column(Text, default="")
    keys: Mapped[str] = mapped_column(String(32), default="")
    label: Mapped[str] = mapped_column(String(20))  # yes | no | unclear | agent | no_answer
    matched: Mapped[str] = mapped_column(String(64), default="")
    problem: Mapped[bool] = mapped_column(default=False)
    final: Mapped[bool] = mapped_column(default=True)  # False for a turn that was asked again
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the robot
    note: Mapped[str | None] = mapped_column(Text)  # the agent's note on this answer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    clip: Mapped[Recording | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class Escalation(Base):
    """A caller handed to a person: waiting in the agent queue, bridged, or given up on."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    reason: Mapped[str] = mapped_column(
        String(40)
    )  # an EscalationReason (older rows: key0, asked, critical_no)
    queue: Mapped[str] = mapped_column(String(64), default="agents")
    status: Mapped[str] = mapped_column(String(20), default=EscalationStatus.WAITING)  # an EscalationStatus
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    agent_phone: Mapped[str | None] = mapped_column(String(20))
    agent_call_sid: Mapped[str | None] = mapped_column(String(SID_LENGTH))
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    bridged_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


# Webhooks write these rows from forms of any length: bound each text to its column (see bounds.py).
bound_text_columns(Attempt, AttemptEvent, Recording, Answer, Escalation)
