"""Answers heard live on a call's Media Stream by `dialer ear`, before the IVR takes them.

One row per question the ear listened to (`attempt`, `step` = the question's turn): written `listening` when the
stream starts (so the IVR can tell a silent customer from an ear that never got the stream), then `final` with
what was heard, the clip and the timings in audio time (milliseconds since the stream began).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.clock import utcnow
from dialer.model.base import Base
from dialer.model.calls import SID_LENGTH


class HeardStatus(StrEnum):
    LISTENING = "listening"  # the stream started; nothing final yet
    FINAL = "final"  # an answer (words, keys, or nothing but noise) was heard and the call moved on


class HeardAnswer(Base):
    """What the ear heard for one question of one call."""

    __tablename__ = "heard_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "step", name="uq_heard_answers_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    step: Mapped[int]  # the question's turn (State.turn)
    stream_sid: Mapped[str] = mapped_column(String(SID_LENGTH), default="")
    status: Mapped[str] = mapped_column(String(20), default=HeardStatus.LISTENING)  # a HeardStatus
    kind: Mapped[str] = mapped_column(String(20), default="yes_no")  # the question kind's grammar
    text: Mapped[str] = mapped_column(Text, default="")  # the recognizer's words (unknown token removed)
    keys: Mapped[str] = mapped_column(String(32), default="")
    # Audio time, ms since the stream began: speech began, speech ended, the answer was judged final.
    speech_start_ms: Mapped[int | None]
    speech_end_ms: Mapped[int | None]
    final_ms: Mapped[int | None]
    barged_in: Mapped[bool] = mapped_column(default=False)  # the prompt was stopped when speech began
    server_ms: Mapped[int | None]  # wall time from the final frame to the call update being sent
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("recordings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    heard_at: Mapped[datetime | None]


def heard_for(s: Session, attempt_id: int, step: int) -> HeardAnswer | None:
    """Return what the ear heard for this attempt's step, if it listened at all."""
    return s.scalar(select(HeardAnswer).where(HeardAnswer.attempt_id == attempt_id, HeardAnswer.step == step))
