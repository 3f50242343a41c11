"""Manual follow-up (机构自访): what a branch did for a customer the phone could not reach, with its receipt.

A task whose attempts are used up is `unreachable` and waits in the 机构自访 queue. Each visit, letter, message
or branch call is recorded here with its signed receipt (回执); a completed one closes the task as
`followed_up`, any other result leaves it in the queue. The share of due tasks closed this way, per task type
and month, must stay at or under 10%.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, case, distinct, func, literal_column, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.clock import utcnow
from dialer.errors import DialerError
from dialer.model.base import Base
from dialer.model.batches import plan_approved
from dialer.model.states import FollowUpResult, FollowUpWay, TaskStatus, labels_by_word
from dialer.model.tasks import Task

LIMIT = 0.10  # the share of a type's due tasks closed by manual follow-up, per month, at most
NOTE_MAX = 1000
NAME_MAX = 100
# Never due (应回访), as the monthly report counts: withdrawn, opted out, or left out by the plan's sample.
NOT_DUE = (TaskStatus.CANCELLED, TaskStatus.NOT_SAMPLED)


class FollowUp(Base):
    """One manual follow-up of one task: the way, the day, who did it, whom they reached, the result, the receipt."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    way: Mapped[str] = mapped_column(String(20))
    done_on: Mapped[date] = mapped_column(index=True)  # the local day it was done: the month it counts in
    staff_name: Mapped[str] = mapped_column(String(NAME_MAX))  # who did it (branch staff, not always a user)
    reached_name: Mapped[str] = mapped_column(String(NAME_MAX))  # whom they met or wrote to
    result: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    # The signed receipt (回执): kept in the recordings store, by key, with its checksum.
    receipt_store: Mapped[str] = mapped_column(String(20), default="folder")
    receipt_path: Mapped[str] = mapped_column(String(255))
    receipt_name: Mapped[str] = mapped_column(String(255))  # the file's name as uploaded
    receipt_type: Mapped[str] = mapped_column(String(40))  # image/jpeg, image/png or application/pdf
    receipt_size: Mapped[int]
    receipt_sha256: Mapped[str] = mapped_column(String(64))
    receipt_uploaded_by: Mapped[str] = mapped_column(String(64))
    receipt_uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Entry:
    """What a person filled in for one follow-up (before its receipt is attached)."""

    way: str
    done_on: date | None
    staff_name: str
    reached_name: str
    result: str
    note: str = ""


@dataclass(frozen=True)
class Receipt:
    """A receipt already written to its store: where, what it was called, its type, size and checksum."""

    store: str
    path: str
    name: str
    content_type: str
    size: int
    sha256: str


def problems(entry: Entry, today: date) -> list[str]:
    """Return what is wrong with the entry, each as a Chinese sentence saying what to do (none: it is fine)."""
    out = []
    if entry.way not in labels_by_word(FollowUpWay):
        out.append("请选择自访方式（上门拜访、信函、短信、网点电话或其他）。")
    if entry.result not in labels_by_word(FollowUpResult):
        out.append("请选择自访结果。")
    if entry.done_on is None:
        out.append("请填写自访日期，格式为 年-月-日，例如 2026-11-30。")
    elif entry.done_on > today:
        out.append(f"自访日期 {entry.done_on:%Y-%m-%d} 晚于今天，请填写实际完成的日期。")
    for value, what in ((entry.staff_name, "自访人员"), (entry.reached_name, "被访人")):
        if not value.strip():
            out.append(f"请填写{what}的姓名。")
        elif len(value.strip()) > NAME_MAX:
            out.append(f"{what}的姓名最多 {NAME_MAX} 个字。")
    if len(entry.note) > NOTE_MAX:
        out.append(f"备注最多 {NOTE_MAX} 个字，请缩短。")
    return out


def may_follow_up(task: Task) -> bool:
    """Return whether the task waits for a manual follow-up (unreachable by phone and not yet closed)."""
    return task.status == TaskStatus.UNREACHABLE


def record(
    session: Session, task: Task, entry: Entry, receipt: Receipt, actor: str, now: datetime
) -> FollowUp:
    """Record a follow-up; a completed one closes the task as followed up. The caller commits."""
    if not may_follow_up(task):
        raise DialerError("该任务不在机构自访队列中（已完成机构自访，或不是无法联系的任务），不能再登记。")
    wrong = problems(entry, now.date())
    if wrong:
        raise DialerError("".join(wrong))
    assert entry.done_on is not None
    row = FollowUp(
        task_id=task.id, way=entry.way, done_on=entry.done_on, staff_name=entry.staff_name.strip(),
        reached_name=entry.reached_name.strip(), result=entry.result, note=entry.note.strip() or None,
        receipt_store=receipt.store, receipt_path=receipt.path, receipt_name=receipt.name,
        receipt_type=receipt.content_type, receipt_size=receipt.size, receipt_sha256=receipt.sha256,
        receipt_uploaded_by=actor, receipt_uploaded_at=now, recorded_by=actor, recorded_at=now,
    )  # fmt: skip
    session.add(row)
    if entry.result == FollowUpResult.COMPLETED:
        task.status = TaskStatus.FOLLOWED_UP
        task.closed_at = now
        task.next_attempt_at = None
    session.flush()
    return row


def of_tasks(session: Session, task_ids: list[int]) -> list[FollowUp]:
    """Return the follow-ups of these tasks, oldest first."""
    if not task_ids:
        return []
    return list(session.scalars(select(FollowUp).where(FollowUp.task_id.in_(task_ids)).order_by(FollowUp.id)))


def shares(session: Session, months: list[tuple[str, datetime, datetime]]) -> list[dict[str, Any]]:
    """Return per task type and month: due tasks, tasks closed by manual follow-up, and the share.

    `months` are (label "YYYY-MM", first instant, first instant after) in the local zone, newest first. Due
    tasks (应回访) belong to the month of their first allowed call date, as the monthly report counts them; a
    follow-up to the month of its own date (自访日期). The monthly report counts both the same way.
    """
    if not months:
        return []
    due_month = case(*[((Task.earliest_at >= a) & (Task.earliest_at < b), m) for m, a, b in months])
    due = select(Task.type, due_month.label("month"), func.count().label("n")).where(
        Task.earliest_at >= min(a for _, a, _ in months), Task.earliest_at < max(b for _, _, b in months),
        plan_approved(), Task.status.not_in(NOT_DUE),
    ).group_by(Task.type, literal_column("month"))  # fmt: skip
    days = [(m, a.date(), b.date()) for m, a, b in months]  # local midnights: their dates are first days
    done_month = case(*[((FollowUp.done_on >= a) & (FollowUp.done_on < b), m) for m, a, b in days])
    closed = (
        select(Task.type, done_month.label("month"), func.count(distinct(Task.id)).label("n"))
        .select_from(FollowUp).join(Task, Task.id == FollowUp.task_id)
        .where(FollowUp.result == FollowUpResult.COMPLETED, Task.status == TaskStatus.FOLLOWED_UP, plan_approved(),
               FollowUp.done_on >= min(a for _, a, _ in days), FollowUp.done_on < max(b for _, _, b in days))
        .group_by(Task.type, literal_column("month"))
    )  # fmt: skip
    n_due = {(t, m): int(n) for t, m, n in session.execute(due)}
    n_closed = {(t, m): int(n) for t, m, n in session.execute(closed)}
    order = {m: i for i, (m, _, _) in enumerate(months)}
    out = []
    for t, m in sorted(set(n_due) | set(n_closed), key=lambda k: (order[k[1]], k[0])):
        d, c = n_due.get((t, m), 0), n_closed.get((t, m), 0)
        share = c / d if d else None
        out.append({"type": t, "month": m, "due": d, "closed": c, "share": share,
                    "over": share is None or share > LIMIT})  # fmt: skip
    return out
