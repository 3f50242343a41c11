"""Retention: delete the recordings and personal data of tasks past their type's retention period.

A task's retention runs from the day it closed. A customer under legal hold is never touched. The database
is changed (and the audit log written) in one transaction first; the files go after it commits, so a crash
can leave a file behind but never a record pointing at nothing. A later run deletes such leftovers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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
    files: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _expired(task: Task, types: Mapping[str, TaskTypeRules], now: datetime) -> bool:
    rules = types.get(task.type)
    if rules is None or task.closed_at is None or task.status not in FINAL_STATUSES:
        return False  # an unknown type or an open task is kept: deleting is the one thing not undone
    return task.closed_at + rules.retention <= now


def _file(root: Path, rec: Recording) -> Path | None:
    if not rec.path:
        return None
    base = root.resolve()
    path = (base / rec.path).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None


def _scrub_task(session: Session, task: Task, root: Path, report: PurgeReport) -> list[int]:
    recs: list[int] = []
    for a in session.scalars(select(Attempt).where(Attempt.task_id == task.id)):
        for rec in a.recordings:
            path = _file(root, rec)
            if path is not None:
                report.files.append(path)
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


def purge(session: Session, types: Mapping[str, TaskTypeRules], root: Path, now: datetime, *,
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
        recs = _scrub_task(session, task, root, report)
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
    for path in report.files:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            report.failed.append(f"{path}: {exc.strerror}")
            log.error("purge could not delete %s: %s", path, exc)
