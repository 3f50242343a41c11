"""One pass of the dialler: recover stale claims, pick due tasks earliest deadline first, claim, place calls."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, insert, or_, select, update
from sqlalchemy.orm import Session, selectinload

from dialer.clock import utcnow
from dialer.gateway.client import Gateway
from dialer.ivr.versions import ensure_filed
from dialer.model import Attempt, AttemptOutcome, Database, Task, TaskStatus
from dialer.model.batches import plan_approved
from dialer.model.outcomes import (
    attempt_views,
    opted_out_pairs,
    settle_task,
    task_view,
)
from dialer.model.pacing import CLAIMS_ROW, calls_in_flight, lock_pacer
from dialer.model.scripts import script_switches, unapproved_scripts
from dialer.model.states import CALLS_AT_GATEWAY, CallStatus
from dialer.policy.attempts import next_attempt_at
from dialer.policy.dialing import STANDING_REASONS, may_dial
from dialer.policy.rules import DialRules
from dialer.scheduler.placing import Placer
from dialer.scheduler.recovery import recover_stale_claims
from dialer.settings import Settings

log = logging.getLogger("dialer.scheduler")
CONCURRENCY_LIMIT = "concurrency_limit"
SELECT_BATCH = 500
NO_SLOT_RECHECK = timedelta(hours=6)
# Claim no more than can be placed in this share of the lease at the paced rate, so no claim runs out
# while it waits for its turn.
LEASE_SHARE = 0.5
# At most this many claims per pass, so several scheduler processes share a large campaign between them.
PASS_CLAIMS = 50
# One person is never called twice in one window, whatever their tasks: a second task waits this long.
CUSTOMER_GAP = timedelta(hours=2)
CUSTOMER_BUSY = "customer_called_recently"
NEVER_RANG = (AttemptOutcome.ERROR, AttemptOutcome.INVALID)
Postpone = Callable[[Session, "Task", str, datetime], None]


def paused_scripts(s: Session) -> list[str]:
    """Return the scripts switched off in the console, or with versions but none approved: their tasks wait."""
    off = {k for k, on in script_switches(s).items() if not on}
    return sorted(off | set(unapproved_scripts(s)))


@dataclass
class PlannedCall:
    """One call this pass makes (or, in a dry run, would make)."""

    task_id: int
    to: str
    deadline_at: datetime | None = None
    attempt_id: int | None = None
    claimed_at: datetime | None = None  # wall clock: the claim's lease runs on real time
    call_sid: str | None = None
    status: str = "planned"
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id, "to": self.to, "attempt_id": self.attempt_id, "call_sid": self.call_sid,
            "status": self.status, "error": self.error,
            "deadline": None if self.deadline_at is None else self.deadline_at.isoformat(),
        }  # fmt: skip


@dataclass
class TickReport:
    """What one pass did, or with dry_run would do."""

    at: datetime
    dry_run: bool
    calls: list[PlannedCall] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    recovered: int = 0
    warnings: list[str] = field(default_factory=list)
    # switched off in the console, or with no approved version: their tasks wait
    paused_scripts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(), "dry_run": self.dry_run, "calls": [c.as_dict() for c in self.calls],
            "skipped": dict(sorted(self.skipped.items())), "recovered": self.recovered, "warnings": self.warnings,
            "paused_scripts": self.paused_scripts,
        }  # fmt: skip


def recently_called(s: Session, phones: Sequence[str], now: datetime) -> set[str]:
    """Return the numbers with a call in flight or placed within CUSTOMER_GAP before `now`."""
    if not phones:
        return set()
    # Only calls that reached the gateway count: a claim that never left (a crash, a refused request) did not
    # ring anyone, and recovery has given it an uncounted outcome.
    reached = and_(
        Attempt.call_sid.is_not(None), or_(Attempt.outcome.is_(None), Attempt.outcome.not_in(NEVER_RANG))
    )
    q = select(Attempt.to_number).where(
        Attempt.to_number.in_(set(phones)),
        or_(
            and_(Attempt.outcome.is_(None), Attempt.status.in_(CALLS_AT_GATEWAY)),
            and_(reached, Attempt.placed_at > now - CUSTOMER_GAP),
        ),
    )
    return set(s.scalars(q.distinct()))


class Dialer:
    """Dial due tasks for one scheduler process (`worker` names it in claims)."""

    def __init__(
        self, settings: Settings, db: Database, gateway: Gateway | None, rules: DialRules, worker: str
    ) -> None:
        self.settings = settings
        self.db = db
        self.gateway = gateway
        self.rules = rules
        self.placer = None if gateway is None else Placer(settings, db, gateway, rules, worker)
        self._worker = worker
        self.stopping = threading.Event()  # set on SIGTERM: place nothing more, release what is claimed
        self._warned: set[str] = set()
        self._filed = False
        if gateway is not None and gateway.worst_case_seconds >= settings.claim_lease_seconds:
            log.warning("DIALER_CLAIM_LEASE_SECONDS=%s is shorter than one slow gateway request (%.0f s): "
                        "raise it", settings.claim_lease_seconds, gateway.worst_case_seconds)  # fmt: skip

    @property
    def worker(self) -> str:
        """This process's name in claims; its placer claims under the same name."""
        return self._worker

    @worker.setter
    def worker(self, name: str) -> None:
        self._worker = name
        if self.placer is not None:
            self.placer.worker = name

    def plan(self, now: datetime) -> TickReport:
        """Return what a pass at `now` would dial, changing nothing (what `tick --dry-run` prints)."""
        report = self._report(now, dry_run=True)
        with self.db.session() as s:
            capacity = self.settings.max_concurrent_calls - calls_in_flight(s)
            report.paused_scripts = paused_scripts(s)
            tasks = list(s.scalars(self.due_tasks(now, paused=report.paused_scripts)).unique())
            chosen = self._choose(s, tasks, now, report, capacity, postpone=None)
            report.calls = [PlannedCall(t.id, t.customer.phone, t.deadline_at) for t in chosen]
        return report

    def tick(self, now: datetime, *, dry_run: bool = False) -> TickReport:
        """Make one pass at instant `now` (aware): recover, choose, claim, place; return what was done."""
        if dry_run:
            return self.plan(now)
        report = self._report(now, dry_run=False)
        if self.gateway is not None:
            report.recovered = recover_stale_claims(self.db, self.gateway, self.rules, now, self.worker)
        planned = self._claim_due(now, report)
        self._place_all(planned, now)
        return report

    def _report(self, now: datetime, *, dry_run: bool) -> TickReport:
        report = TickReport(at=now, dry_run=dry_run)
        report.warnings = self.rules.calendar.warnings(now.astimezone(self.settings.tz).date())
        for w in set(report.warnings) - self._warned:
            log.warning("calendar: %s", w)  # once per process and message: a pass runs every few seconds
        self._warned.update(report.warnings)
        return report

    def due_tasks(
        self, now: datetime, limit: int = SELECT_BATCH, *, lock: bool = False, paused: Collection[str] = ()
    ) -> Select[Task]:
        """Return the query for pending tasks due at `now`, earliest deadline first (no deadline last).

        Tasks whose script is `paused` are left out in the query itself, so that however many of them there
        are they never crowd the due tasks of other scripts out of the batch.
        """
        due = [Task.status == TaskStatus.PENDING, Task.next_attempt_at <= now, plan_approved()]
        if paused:
            due.append(Task.script.not_in(sorted(paused)))
        q = (
            select(Task)
            .where(*due)
            .order_by(Task.deadline_at.asc().nulls_last(), Task.id)
            .limit(limit)
            .options(selectinload(Task.attempts))
        )
        return q.with_for_update(skip_locked=True, of=Task) if lock and self.db.is_postgres else q

    def claim_budget(self) -> int:
        """Return how many calls one pass may claim: what the pacing can place well within a lease."""
        paced = int(self.settings.max_calls_per_second * self.settings.claim_lease_seconds * LEASE_SHARE)
        return max(1, min(paced, PASS_CLAIMS))

    def _claim_due(self, now: datetime, report: TickReport) -> list[PlannedCall]:
        """Choose the due tasks this pass may dial, move the others on, claim the chosen; return them."""
        with self.db.session() as s, s.begin():
            lock_pacer(s, utcnow(), CLAIMS_ROW)  # one claimer at a time: the in-flight count stays true
            if not self._filed:  # a fresh database: the shipped scripts are approved version 1
                ensure_filed(s, self.settings.scripts_dir, now)
                self._filed = True
            capacity = self.settings.max_concurrent_calls - calls_in_flight(s)
            report.paused_scripts = paused_scripts(s)
            tasks = list(s.scalars(self.due_tasks(now, lock=True, paused=report.paused_scripts)).unique())
            budget = min(capacity, self.claim_budget())
            chosen = self._choose(s, tasks, now, report, budget, postpone=self._postpone)
            report.calls = [PlannedCall(t.id, t.customer.phone, t.deadline_at) for t in chosen]
            if chosen:
                self._claim(s, chosen, report, now)
        return [c for c in report.calls if c.attempt_id is not None]

    def _choose(
        self,
        s: Session,
        tasks: list[Task],
        now: datetime,
        report: TickReport,
        budget: int,
        postpone: Postpone | None,
    ) -> list[Task]:
        """Return the tasks to dial, earliest deadline first, at most `budget`; count why the others wait.

        With `postpone` (a real pass) the choosing stops at the budget, and each task that may not be
        dialled now is moved on to when it may; without it (a plan) nothing changes and every task is counted.
        """
        opted = opted_out_pairs(s, [t.customer.phone for t in tasks])
        busy = recently_called(s, [t.customer.phone for t in tasks], now)
        chosen: list[Task] = []
        for task in tasks:
            if postpone is not None and (len(chosen) >= budget or self.stopping.is_set()):
                break  # the rest wait for the next pass; nothing about them has changed
            phone = task.customer.phone
            if phone in busy:
                report.skipped[CUSTOMER_BUSY] += 1
                if postpone is not None:
                    task.next_attempt_at = now + CUSTOMER_GAP
                continue
            opted_out = (phone, None) in opted or (phone, task.type) in opted
            if self._may_dial(s, task, opted_out, now, report, postpone):
                if len(chosen) >= budget:
                    report.skipped[CONCURRENCY_LIMIT] += 1
                else:
                    chosen.append(task)
                    busy.add(phone)  # a second task of the same person waits
        return chosen

    def _may_dial(
        self,
        s: Session,
        task: Task,
        opted_out: bool,
        now: datetime,
        report: TickReport,
        postpone: Postpone | None,
    ) -> bool:
        """Ask the policy; a task that may not be dialled now is counted, and postponed when asked to."""
        if task.type not in self.rules.types:
            report.skipped["unknown_task_type"] += 1
            return False
        view = task_view(task, opted_out)
        decision = may_dial(view, attempt_views(task.attempts), self.rules.for_type(task.type), now)
        if not decision.ok:
            report.skipped[decision.reason] += 1
            if postpone is not None:
                postpone(s, task, decision.reason, now)
        return decision.ok

    def _postpone(self, s: Session, task: Task, reason: str, now: datetime) -> None:
        """Move a task that may not be dialled now to its next possible instant, or to its final state."""
        if reason in STANDING_REASONS:
            settle_task(s, task, self.rules, now)
            return
        view = task_view(task, False)  # opted-out tasks stopped above as a standing reason
        nxt = next_attempt_at(view, attempt_views(task.attempts), self.rules.for_type(task.type), now)
        task.next_attempt_at = nxt if nxt is not None and nxt > now else now + NO_SLOT_RECHECK

    def _claim(self, s: Session, tasks: list[Task], report: TickReport, now: datetime) -> None:
        """Claim the tasks atomically (a conditional update, the rows it changed checked) and open their attempts."""
        wall = utcnow()
        lease = wall + timedelta(seconds=self.settings.claim_lease_seconds)
        claimed = set(s.scalars(
            update(Task)
            .where(Task.id.in_([t.id for t in tasks]), Task.status == TaskStatus.PENDING)
            .values(status=TaskStatus.DIALLING, claimed_by=self.worker, claim_expires_at=lease,
                    attempt_count=Task.attempt_count + 1)
            .returning(Task.id)
            .execution_options(synchronize_session=False)
        ))  # fmt: skip
        rows = [
            {"task_id": t.id, "number": max((a.number for a in t.attempts), default=0) + 1,
             "to_number": t.customer.phone, "script": t.script, "status": CallStatus.PLACING, "claimed_by": self.worker,
             "placed_at": now, "created_at": wall}
            for t in tasks if t.id in claimed
        ]  # fmt: skip
        ids = list(s.scalars(insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True), rows))
        attempt_of = dict(zip([r["task_id"] for r in rows], ids, strict=True))
        for call in report.calls:
            call.attempt_id = attempt_of.get(call.task_id)
            call.status, call.claimed_at = (
                ("claimed", wall) if call.attempt_id else ("claimed_elsewhere", None)
            )
        report.skipped["claimed_elsewhere"] += len(tasks) - len(claimed)
        report.skipped -= Counter()  # drop a zero count

    def _place_all(self, planned: Sequence[PlannedCall], now: datetime) -> None:
        if self.placer is None:
            raise RuntimeError("this dialler was built without a gateway: it can only plan (dry run)")
        go_on = True
        for call in planned:
            try:
                if self.stopping.is_set() or not go_on:
                    self.placer.release(call)
                else:
                    go_on = self.placer.place(call, now)
            except Exception:  # one call's trouble must not strand the others' claims until their lease ends
                log.exception("task %s: placing its call failed; recovery will reconcile it", call.task_id)
                call.status = "error"
