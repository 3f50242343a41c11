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

from sqlalchemy import ForeignKey, String, Text, and_, case, func, literal_column, select
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
    done_on: Mapped[date]  # the local day it was done
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

    `months` are (label, first instant, first instant after), newest first. A task belongs to the month of
    its first allowed call date, as the monthly report counts due tasks (应回访), so the two agree.
    """
    if not months:
        return []
    month = case(
        *[((Task.earliest_at >= a) & (Task.earliest_at < b), label) for label, a, b in months]
    ).label("month")
    due = and_(plan_approved(), Task.status.not_in(NOT_DUE))
    closed = and_(due, Task.status == TaskStatus.FOLLOWED_UP)
    stmt = (
        select(Task.type, month, func.sum(case((due, 1), else_=0)).label("due"),
               func.sum(case((closed, 1), else_=0)).label("closed"))
        .where(Task.earliest_at >= min(a for _, a, _ in months), Task.earliest_at < max(b for _, _, b in months))
        .group_by(Task.type, literal_column("month"))
    )  # fmt: skip
    order = {label: n for n, (label, _, _) in enumerate(months)}
    out = []
    for type_, m, n_due, n_closed in session.execute(stmt):
        n_due, n_closed = int(n_due or 0), int(n_closed or 0)
        if m is None or not n_due:
            continue
        share = n_closed / n_due
        out.append({"type": type_, "month": m, "due": n_due, "closed": n_closed, "share": share,
                    "over": share > LIMIT})  # fmt: skip
    return sorted(out, key=lambda r: (order[r["month"]], r["type"]))
