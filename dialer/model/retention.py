"""Retention: delete the recordings and personal data of tasks past their type's retention period.

A task's retention runs from the day it closed. A customer under legal hold is never touched. The database
is changed (and the audit log written) in one transaction first; the files go after it commits, so a crash
can leave a file behind but never a record pointing at nothing. A later run deletes such leftovers.

Recordings live in a store (a folder, or an S3 bucket with object lock). On S3 each object's retention date
is never later than the purge date (it runs from when the recording was stored, the task's from when it
closed), and a customer's legal hold is also set on the objects, so the store's lock and the purge agree.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.model.audit import append_audit
from dialer.model.base import FINAL_STATUSES
from dialer.model.calls import Attempt, Recording
from dialer.model.cases import ProblemCase
from dialer.model.people import Customer
from dialer.model.tasks import Task
from dialer.policy.privacy import mask_phone
from dialer.policy.rules import TaskTypeRules
from dialer.storage import Store, StoreError, Stores

log = logging.getLogger(__name__)
PURGED_NAME = "（已清理）"


@dataclass
class PurgeReport:
    """What a purge did, or with dry_run would do."""

    dry_run: bool
    tasks: list[int] = field(default_factory=list)
    recordings: list[int] = field(default_factory=list)
    customers: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # task ids skipped for legal hold
    files: list[tuple[Store, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _expired(task: Task, types: Mapping[str, TaskTypeRules], now: datetime) -> bool:
    rules = types.get(task.type)
    if rules is None or task.closed_at is None or task.status not in FINAL_STATUSES:
        return False  # an unknown type or an open task is kept: deleting is the one thing not undone
    return task.closed_at + rules.retention <= now


def _file(where: Stores, rec: Recording) -> tuple[Store, str] | None:
    if not rec.path:
        return None
    try:
        store = where.get(rec.store)
        return (store, rec.path) if store.stat(rec.path) is not None else None
    except StoreError as exc:
        log.error("purge cannot look for recording %s: %s", rec.id, exc)
        return None


def _scrub_task(session: Session, task: Task, where: Stores, report: PurgeReport) -> list[int]:
    recs: list[int] = []
    for a in session.scalars(select(Attempt).where(Attempt.task_id == task.id)):
        for rec in a.recordings:
            found = _file(where, rec)
            if found is not None:
                report.files.append(found)
            if rec.status != "purged":
                recs.append(rec.id)
                rec.status = "purged"
        for ans in a.answers:
            ans.transcript, ans.keys = "", ""
        for ev in a.events:
            ev.data = {}
        a.to_number, a.ivr_state = mask_phone(a.to_number), {}
    for case in session.scalars(select(ProblemCase).where(ProblemCase.task_id == task.id)):
        case.transcript = ""
    task.extra = None
    return recs


def _customer_done(session: Session, customer: Customer, types: Mapping[str, TaskTypeRules],
                   now: datetime) -> bool:  # fmt: skip
    tasks = session.scalars(select(Task).where(Task.customer_id == customer.id))
    return customer.purged_at is None and all(_expired(t, types, now) for t in tasks)


def _anonymise(customer: Customer, now: datetime) -> None:
    customer.name, customer.phone = PURGED_NAME, f"purged-{customer.id}"
    customer.external_id, customer.birth_year, customer.gender = None, None, None
    customer.purged_at = now


def purge(session: Session, types: Mapping[str, TaskTypeRules], where: Stores, now: datetime, *,
          dry_run: bool = False, actor: str = "purge") -> PurgeReport:  # fmt: skip
    """Purge what is past retention (the caller commits, then calls `delete_files`)."""
    report = PurgeReport(dry_run)
    q = select(Task).where(Task.closed_at.is_not(None)).order_by(Task.id)
    for task in session.scalars(q).all():
        if not _expired(task, types, now):
            continue
        if task.customer.legal_hold:
            report.held.append(task.id)
            continue
        recs = _scrub_task(session, task, where, report)
        anonymise = _customer_done(session, task.customer, types, now)
        if anonymise:
            report.customers.append(task.customer_id)
            if not dry_run:
                _anonymise(task.customer, now)
        if recs or anonymise:
            report.tasks.append(task.id)
            report.recordings += recs
            if not dry_run:
                append_audit(session, actor, "purge", f"task:{task.id}",
                             {"recordings": recs, "customer_anonymised": anonymise, "type": task.type}, at=now)  # fmt: skip
    if dry_run:
        session.rollback()
    return report


def delete_files(report: PurgeReport) -> None:
    """Delete the purged recordings' files; note the ones that could not be deleted."""
    for store, key in report.files:
        try:
            store.delete(key)
        except StoreError as exc:
            report.failed.append(f"{key}: {exc}")
            log.error("purge could not delete %s: %s", key, exc)


def set_legal_hold(session: Session, customer: Customer, on: bool, where: Stores, actor: str,
                   now: datetime) -> list[str]:  # fmt: skip
    """Put a customer under legal hold (or release it), on the record and on each stored object.

    Return the recordings whose object could not be changed; the database's hold stands either way.
    """
    customer.legal_hold = on
    failed: list[str] = []
    recs = session.scalars(select(Recording).join(Attempt).join(Task).where(
        Task.customer_id == customer.id, Recording.status == "stored", Recording.path.is_not(None)))  # fmt: skip
    for rec in recs:
        try:
            where.get(rec.store).hold(rec.path or "", on)
        except StoreError as exc:
            failed.append(f"{rec.id}: {exc}")
            log.error("legal hold of recording %s not set on its store: %s", rec.id, exc)
    append_audit(session, actor, "legal_hold" if on else "legal_hold_released", f"customer:{customer.id}",
                 {"failed": failed}, at=now)  # fmt: skip
    return failed
