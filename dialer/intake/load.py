"""Load a validated call list into the database as a plan, in short transactions.

Every row is read and checked before anything is written. The rows then go in a chunk per transaction, so other
writers (webhooks, the scheduler) never wait more than a moment on SQLite's single write lock. While it loads the
plan is `loading` and none of its tasks can be dialled; if loading fails, what was written is removed again, so
nothing is half-imported. A dry run only reads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Table, delete, exists, select, update
from sqlalchemy.orm import Session

from dialer.clock import utcnow
from dialer.intake.layout import Sheet, SkippedRow, iter_records, locate
from dialer.intake.reader import DEFAULT_LIMITS, Limits, read_raw
from dialer.intake.rows import ParsedRow, RowError, parse_row
from dialer.model import Customer, ImportBatch, Task, TaskStatus
from dialer.model.batches import PlanStatus, draw_sample
from dialer.model.bulk import Statistics, insert_many
from dialer.policy.rules import TaskTypeRules
from dialer.policy.series import Step, series_steps

CHUNK = 2000
# SQLite has one write lock for the whole database: write fewer rows per transaction there, so a webhook or the
# scheduler waiting for the lock waits for a few hundred rows at most.
SQLITE_CHUNK = 200
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did (or, with dry_run or errors, would have done)."""

    filename: str
    task_type: str
    total: int = 0
    imported: int = 0  # tasks created (a row of a repeating type makes several)
    rows_imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False
    encoding: str = ""
    batch_id: int | None = None
    header_row: int = 1
    skipped: list[SkippedRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    plan_status: str = ""
    not_sampled: int = 0

    @property
    def ok(self) -> bool:
        return self.committed or (self.dry_run and not self.errors)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.filename, "type": self.task_type, "rows": self.total, "imported": self.imported,
            "rows_imported": self.rows_imported, "duplicates": self.duplicates, "rejected": self.rejected,
            "committed": self.committed, "dry_run": self.dry_run, "encoding": self.encoding,
            "batch_id": self.batch_id, "plan_status": self.plan_status, "not_sampled": self.not_sampled,
            "header_row": self.header_row, "ignored_columns": self.ignored_columns,
            "skipped_rows": [{"row": s.row, "reason": s.reason} for s in self.skipped],
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors],
        }  # fmt: skip


@dataclass(frozen=True)
class Options:
    """How to read and where to file one list."""

    script: str
    region: str = "CN"
    default_tz: str = "Asia/Shanghai"
    today: date = date(2000, 1, 1)
    created_by: str = "cli"


@dataclass
class ReadyRow:
    """A valid row with the calls it makes."""

    row: ParsedRow
    steps: list[Step]


def import_call_list(
    session: Session,
    path: Path,
    rules: TaskTypeRules,
    *,
    script: str | None = None,
    region: str = "CN",
    default_tz: str = "Asia/Shanghai",
    today: date,
    skip_invalid: bool = False,
    dry_run: bool = False,
    created_by: str = "cli",
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    plan_id: int | None = None,
) -> ImportReport:
    """Import `path` as a plan of tasks of type `rules`; all rows or none unless skip_invalid.

    The session must have no transaction open: this function begins and commits its own, a chunk at a time.
    `plan_id` names a `loading` plan made beforehand (a page's background import) to fill in.
    """
    opts = Options(script or rules.script, region, default_tz, today, created_by)
    sheet = locate(read_raw(path, limits), rules.date_column, path.name)
    report = ImportReport(
        path.name, rules.id, total=len(sheet.rows), dry_run=dry_run, encoding=sheet.encoding,
        header_row=sheet.header_row, skipped=sheet.skipped, ignored_columns=sheet.ignored_columns,
    )  # fmt: skip
    ready = _check_rows(sheet, rules, opts, report, progress)
    if report.errors and not skip_invalid:
        return report
    if dry_run:
        try:
            _count_duplicates(session, ready, rules, report, progress)
        finally:
            session.rollback()  # it only read: end the read transaction
        return report
    _write(session, path, ready, rules, opts, report, progress, plan_id)
    return report


def _check_rows(
    sheet: Sheet, rules: TaskTypeRules, opts: Options, report: ImportReport, progress: Progress | None
) -> list[ReadyRow]:
    ready: list[ReadyRow] = []
    for i, (row_no, record) in enumerate(iter_records(sheet), start=1):
        result = parse_row(row_no, record, sheet.mapping, opts.region, opts.default_tz, opts.today)
        if not isinstance(result, list):
            steps = series_steps(rules, result.event_at, result.end_at, result.grade)
            if isinstance(steps, str):
                result = [
                    RowError(row_no, sheet.mapping.get("grade", sheet.mapping.get("end_at", "")), steps)
                ]
            else:
                ready.append(ReadyRow(result, steps))
        if isinstance(result, list):
            report.errors.extend(result)
            report.rejected += 1
        if progress and i % CHUNK == 0:
            progress(i // 2, report.total)
    return ready


def _write(
    session: Session,
    path: Path,
    ready: list[ReadyRow],
    rules: TaskTypeRules,
    opts: Options,
    report: ImportReport,
    progress: Progress | None,
    plan_id: int | None,
) -> None:
    plan_id = _open_plan(session, path, rules, opts, report, plan_id)
    created: list[int] = []
    stats = Statistics(session.connection(), _tables())
    session.rollback()
    sqlite = session.get_bind().dialect.name == "sqlite"
    size = SQLITE_CHUNK if sqlite else CHUNK
    try:
        for start in range(0, len(ready), size):
            with session.begin():
                chunk = ready[start : start + size]
                customers = _customer_ids(session, chunk, created)
                _insert_tasks(session, chunk, customers, rules, opts.script, plan_id, report)
                stats.conn = session.connection()
                stats.grew(len(chunk))
                done = start + len(chunk)
                session.execute(
                    update(ImportBatch)
                    .where(ImportBatch.id == plan_id)
                    .values(loaded=done, heartbeat_at=utcnow())
                )
            if sqlite:
                _checkpoint(session)
            if progress:
                progress(report.total // 2 + done // 2, report.total)
        with session.begin():
            _finish_plan(session, plan_id, rules, report)
    except BaseException:
        _undo(session, plan_id, created)
        raise
    report.batch_id = plan_id
    report.committed = True


def _checkpoint(session: Session) -> None:
    """Copy what the import wrote from SQLite's WAL into the database file, here rather than in another writer.

    Otherwise the WAL grows past its auto-checkpoint size and whichever connection commits next (a webhook)
    does the copy and its fsync, and waits for it.
    """
    session.connection().exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    session.rollback()


def _tables() -> list[Table]:
    return [cast(Table, Customer.__table__), cast(Table, Task.__table__)]


def _open_plan(
    session: Session,
    path: Path,
    rules: TaskTypeRules,
    opts: Options,
    report: ImportReport,
    plan_id: int | None,
) -> int:
    """Create (or fill in) the plan in its own short transaction, as `loading`."""
    summary = json.dumps({"skipped_rows": [[s.row, s.reason] for s in report.skipped],
                          "ignored_columns": report.ignored_columns,
                          "errors": [[e.row, e.column, e.reason] for e in report.errors[:500]]},
                         ensure_ascii=False)  # fmt: skip
    with session.begin():
        plan = session.get(ImportBatch, plan_id) if plan_id else None
        if plan is None:
            plan = ImportBatch(filename=path.name, task_type=rules.id, created_by=opts.created_by)
            session.add(plan)
        plan.sha256, plan.status, plan.rows, plan.header_row = (
            _sha256(path),
            PlanStatus.LOADING,
            report.total,
            report.header_row,
        )
        plan.summary, plan.rejected, plan.heartbeat_at = summary, report.rejected, utcnow()
        session.flush()
        return plan.id


def _finish_plan(session: Session, plan_id: int, rules: TaskTypeRules, report: ImportReport) -> None:
    plan = session.get(ImportBatch, plan_id)
    assert plan is not None
    plan.imported, plan.duplicates, plan.rejected = report.imported, report.duplicates, report.rejected
    plan.loaded = report.total
    if rules.approval:
        plan.status = PlanStatus.PENDING
    else:
        plan.status, plan.decided_by, plan.decided_at = (
            PlanStatus.APPROVED,
            "自动（该类型无需审批）",
            utcnow(),
        )
        draw_sample(session, plan, rules.sample_rate, utcnow())
    report.plan_status, report.not_sampled = plan.status, plan.not_sampled


def _undo(session: Session, plan_id: int, created: list[int]) -> None:
    """Remove what a failed import wrote: its tasks, the customers it created, and mark the plan failed."""
    session.rollback()
    with session.begin():
        session.execute(delete(Task).where(Task.import_batch_id == plan_id))
        for part in _chunks(created, 500):
            orphan = ~exists().where(Task.customer_id == Customer.id)
            session.execute(delete(Customer).where(Customer.id.in_(part), orphan))
        session.execute(update(ImportBatch).where(ImportBatch.id == plan_id).values(status=PlanStatus.FAILED))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _customer_ids(session: Session, rows: list[ReadyRow], created: list[int]) -> dict[tuple[str, str], int]:
    """Find or create the customers of `rows`, keyed by (phone, name); note the ids of those created."""
    keys = {(r.row.phone, r.row.name) for r in rows}
    found = _find_customers(session, keys)
    new: dict[tuple[str, str], ParsedRow] = {}
    for ready in rows:
        r = ready.row
        if (r.phone, r.name) not in found:
            new.setdefault((r.phone, r.name), r)
    if new:
        values = [
            {"name": r.name, "phone": r.phone, "timezone": r.timezone, "external_id": r.external_id,
             "birth_year": r.birth_year, "gender": r.gender}
            for r in new.values()
        ]  # fmt: skip
        # Insert without RETURNING, then look up: RETURNING in parameter order goes row by row on SQLite.
        insert_many(session.connection(), cast(Table, Customer.__table__), values)
        fresh = _find_customers(session, set(new))
        created.extend(fresh.values())
        found.update(fresh)
    return found


def _find_customers(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Return the ids of the customers with these (phone, name) keys that exist."""
    found: dict[tuple[str, str], int] = {}
    # Look up by the indexed phone alone, then match names here: row-value IN scans on SQLite.
    for part in _chunks(sorted({p for p, _ in keys}), 500):
        q = select(Customer.phone, Customer.name, Customer.id).where(Customer.phone.in_(part))
        found.update({(p, n): i for p, n, i in session.execute(q) if (p, n) in keys})
    return found


TaskKey = tuple[int, datetime, int]  # customer, event, place in the series


def _existing_tasks(session: Session, rules: TaskTypeRules, customer_ids: set[int]) -> set[TaskKey]:
    existing: set[TaskKey] = set()
    for part in _chunks(sorted(customer_ids), 500):
        q = select(Task.customer_id, Task.event_at, Task.series_step).where(
            Task.type == rules.id, Task.customer_id.in_(part)
        )
        existing.update((c, e, s) for c, e, s in session.execute(q))
    return existing


def _count_duplicates(
    session: Session,
    rows: list[ReadyRow],
    rules: TaskTypeRules,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Count what a dry run would import, reading only."""
    for start in range(0, len(rows), CHUNK):
        if progress:
            progress(report.total // 2 + start // 2, report.total)
        chunk = rows[start : start + CHUNK]
        customers = _find_customers(session, {(r.row.phone, r.row.name) for r in chunk})
        existing = _existing_tasks(session, rules, set(customers.values()))
        seen: set[tuple[tuple[str, str], datetime]] = set()
        for ready in chunk:
            r = ready.row
            cid = customers.get((r.phone, r.name))
            key = ((r.phone, r.name), r.event_at)
            if key in seen or (cid is not None and (cid, r.event_at, 1) in existing):
                report.duplicates += 1
                continue
            seen.add(key)
            report.rows_imported += 1
            report.imported += len(ready.steps)


def _insert_tasks(
    session: Session,
    rows: list[ReadyRow],
    customers: dict[tuple[str, str], int],
    rules: TaskTypeRules,
    script: str,
    plan_id: int,
    report: ImportReport,
) -> None:
    existing = _existing_tasks(session, rules, {customers[(r.row.phone, r.row.name)] for r in rows})
    values: list[dict] = []
    for ready in rows:
        r = ready.row
        cid = customers[(r.phone, r.name)]
        if (cid, r.event_at, 1) in existing:
            report.duplicates += 1
            continue
        existing.update((cid, r.event_at, step.number) for step in ready.steps)
        values.extend(_task_values(cid, r, step, script, rules.id, plan_id) for step in ready.steps)
        report.rows_imported += 1
    if values:
        # Core, not the ORM: the ORM's bulk path costs more than the insert itself here.
        insert_many(session.connection(), cast(Table, Task.__table__), values)
    report.imported += len(values)


def _task_values(customer_id: int, r: ParsedRow, step: Step, script: str, type_id: str, plan_id: int) -> dict:
    return {
        "customer_id": customer_id, "type": type_id, "script": script, "event_at": r.event_at,
        "earliest_at": step.earliest, "deadline_at": step.deadline, "status": TaskStatus.PENDING,
        "attempt_count": 0, "next_attempt_at": step.earliest, "department": r.department, "seller": r.seller,
        "extra": json.dumps(r.extra, ensure_ascii=False) if r.extra else None,
        "import_batch_id": plan_id, "source_row": r.row, "series_step": step.number,
        "series_total": step.total, "grade": r.grade.strip().upper() if r.grade else None,
    }  # fmt: skip


def _chunks(items: Iterable, size: int) -> Iterable[list]:
    buf: list = []
    for item in items:
        buf.append(item)
        if len(buf) == size:
            yield buf
            buf = []
    if buf:
        yield buf
