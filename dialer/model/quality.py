"""Quality checks (质检): each month a reproducible random sample of each agent's calls, scored on a checklist.

An agent's calls in a month are the calls they took from the queue (a bridged escalation), the calls they noted
answers on, the calls behind the callbacks they finished, and the calls they placed themselves (拨打) that the
customer answered. The sample is drawn with a random generator seeded
by the month and the agent, so drawing again gives the same calls. A scored call stays in the sample.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select, union
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.clock import utcnow
from dialer.errors import DialerError
from dialer.model.base import Base
from dialer.model.calls import Answer, Attempt, Escalation
from dialer.model.tasks import Callback

NOTE_MAX = 500  # characters of one item's note


class QaSample(Base):
    """One call drawn for an agent's monthly quality check, and its score once checked."""

    __tablename__ = "qa_samples"
    __table_args__ = (UniqueConstraint("month", "agent_id", "attempt_id", name="uq_qa_samples_call"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM in the service's time zone
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    drawn_by: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    # {"items": [{"item": "开场白规范", "ok": true, "note": ""}, ...]}; empty until scored
    checks: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score: Mapped[int | None]  # items met
    out_of: Mapped[int | None]  # items checked
    comment: Mapped[str | None] = mapped_column(Text)
    scored_by: Mapped[str | None] = mapped_column(String(64))
    scored_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Drawn:
    """What one draw did for one agent: how many calls they had, which were drawn, how many are new."""

    agent_id: int
    pool: int
    attempt_ids: list[int]
    added: int


def agent_calls(session: Session, start: datetime, end: datetime) -> dict[int, list[int]]:
    """Return each agent's calls in [start, end): attempt ids, ascending, per agent id."""
    took = select(Escalation.agent_id.label("agent"), Escalation.attempt_id.label("attempt")).where(
        Escalation.agent_id.is_not(None), Escalation.bridged_at >= start, Escalation.bridged_at < end
    )
    noted = (
        select(Answer.recorded_by_id.label("agent"), Answer.attempt_id.label("attempt"))
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Answer.recorded_by_id.is_not(None), Attempt.created_at >= start, Attempt.created_at < end)
    )
    called = select(Callback.assignee_id.label("agent"), Callback.attempt_id.label("attempt")).where(
        Callback.assignee_id.is_not(None), Callback.attempt_id.is_not(None), Callback.status == "done",
        Callback.done_at >= start, Callback.done_at < end)  # fmt: skip
    placed = select(Attempt.placed_by_id.label("agent"), Attempt.id.label("attempt")).where(
        Attempt.placed_by_id.is_not(None), Attempt.answered_at.is_not(None), Attempt.created_at >= start,
        Attempt.created_at < end)  # fmt: skip
    out: dict[int, set[int]] = {}
    found: Any = session.execute(union(took, noted, called, placed))  # a union's rows carry no column types
    for agent, attempt in found:
        out.setdefault(int(agent), set()).add(int(attempt))
    return {agent: sorted(ids) for agent, ids in sorted(out.items())}


def pick(month: str, agent_id: int, pool: list[int], count: int) -> list[int]:
    """Return the sample of `pool` for this month and agent: the same pool gives the same calls every time."""
    rng = random.Random(f"质检:{month}:{agent_id}")  # a str seed is hashed the same way in every process
    return sorted(rng.sample(sorted(pool), min(count, len(pool))))


def draw(
    session: Session, month: str, span: tuple[datetime, datetime], count: int, actor: str
) -> list[Drawn]:
    """Draw (or draw again) the month's sample of every agent; scored calls are kept. The caller commits."""
    if count < 1:
        raise DialerError("每名坐席抽取的通话数须至少为 1：请检查设置 DIALER_QA_SAMPLE_PER_AGENT。")
    done: list[Drawn] = []
    for agent_id, pool in agent_calls(session, *span).items():
        chosen = pick(month, agent_id, pool, count)
        have = {s.attempt_id: s for s in samples(session, month, agent_id)}
        for attempt_id, s in have.items():
            if attempt_id not in chosen and s.score is None:
                session.delete(s)  # the calls changed since the last draw; an unscored extra goes
        new = [a for a in chosen if a not in have]
        session.add_all(QaSample(month=month, agent_id=agent_id, attempt_id=a, drawn_by=actor) for a in new)
        done.append(Drawn(agent_id, len(pool), chosen, len(new)))
    session.flush()
    return done


def samples(session: Session, month: str, agent_id: int | None = None) -> list[QaSample]:
    """Return the month's sampled calls (of one agent, or of all), by agent then call."""
    q = select(QaSample).where(QaSample.month == month)
    if agent_id is not None:
        q = q.where(QaSample.agent_id == agent_id)
    return list(session.scalars(q.order_by(QaSample.agent_id, QaSample.attempt_id)))


def score(sample: QaSample, items: tuple[str, ...], marks: dict[str, tuple[bool, str]], actor: str,
          now: datetime, comment: str = "") -> None:  # fmt: skip
    """Score a sampled call: every checklist item 符合 (True) or 不符合 (False), with a note. The caller commits."""
    missing = [i for i in items if i not in marks]
    if missing:
        raise DialerError(f"请为每一项选择“符合”或“不符合”：{'、'.join(missing)} 尚未选择。")
    too_long = [i for i in items if len(marks[i][1]) > NOTE_MAX]
    if too_long or len(comment) > NOTE_MAX:
        raise DialerError(f"备注过长：每条请不超过 {NOTE_MAX} 个字（{'、'.join(too_long) or '总评'}）。")
    sample.checks = {"items": [{"item": i, "ok": marks[i][0], "note": marks[i][1].strip()} for i in items]}
    sample.score = sum(1 for i in items if marks[i][0])
    sample.out_of = len(items)
    sample.comment = comment.strip() or None
    sample.scored_by, sample.scored_at = actor, now


def averages(session: Session, month: str) -> dict[int, dict[str, Any]]:
    """Return per agent: calls sampled, calls scored, and the average score in percent (None if none scored)."""
    out: dict[int, dict[str, Any]] = {}
    for s in samples(session, month):
        row = out.setdefault(s.agent_id, {"sampled": 0, "scored": 0, "points": 0, "of": 0})
        row["sampled"] += 1
        if s.score is not None and s.out_of:
            row["scored"] += 1
            row["points"] += s.score
            row["of"] += s.out_of
    for row in out.values():
        row["average"] = round(100 * row.pop("points") / row["of"], 1) if row["of"] else None
        row.pop("of")
    return out
