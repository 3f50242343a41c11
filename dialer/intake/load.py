"""Load a validated call list into the database as one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from dialer.errors import ImportFileError
from dialer.intake.reader import iter_records, read_call_list
from dialer.intake.rows import ParsedRow, RowError, map_columns, parse_row
from dialer.model import Customer, ImportBatch, Task, TaskStatus
from dialer.model.bulk import Statistics, insert_many
from dialer.policy.rules import TaskTypeRules

CHUNK = 2000
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did (or, with dry_run or errors, would have done)."""

    filename: str
    task_type: str
    total: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    dry_run: bool = False
    encoding: str = ""
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.committed or (self.dry_run and not self.errors)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.filename, "type": self.task_type, "rows": self.total, "imported": self.imported,
            "duplicates": self.duplicates, "rejected": self.rejected, "committed": self.committed,
            "dry_run": self.dry_run, "encoding": self.encoding, "batch_id": self.batch_id,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors],
        }  # fmt: skip


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
) -> ImportReport:
    """Import `path` as tasks of type `rules`; all rows or none unless skip_invalid. Caller owns the session."""
    sheet = read_call_list(path)
    mapping, missing = map_columns(sheet.headers, rules.date_column)
    if missing:
        raise ImportFileError(
            f"{path}: missing column(s): {', '.join(missing)}. Found: {', '.join(h for h in sheet.headers if h)}"
        )
    report = ImportReport(
        path.name, rules.id, total=len(sheet.rows), dry_run=dry_run, encoding=sheet.encoding
    )
    parsed: list[ParsedRow] = []
    for i, (row_no, record) in enumerate(iter_records(sheet), start=1):
        result = parse_row(row_no, record, mapping, region, default_tz, today)
        if isinstance(result, list):
            report.errors.extend(result)
            report.rejected += 1
        else:
            parsed.append(result)
        if progress and i % CHUNK == 0:
            progress(i // 2, report.total)
    if report.errors and not skip_invalid:
        return report
    tx = session.begin()
    try:
        batch = ImportBatch(
            filename=path.name, sha256=_sha256(path), task_type=rules.id, created_by=created_by
        )
        session.add(batch)
        session.flush()
        _load(session, parsed, rules, script or rules.script, batch, report, progress)
        batch.imported, batch.duplicates, batch.rejected = report.imported, report.duplicates, report.rejected
    except BaseException:
        tx.rollback()
        raise
    if dry_run:
        tx.rollback()
        return report
    tx.commit()
    report.batch_id = batch.id
    report.committed = True
    return report


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(
    session: Session,
    rows: list[ParsedRow],
    rules: TaskTypeRules,
    script: str,
    batch: ImportBatch,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    done = 0
    stats = Statistics(session.connection(), [cast(Table, Customer.__table__), cast(Table, Task.__table__)])
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        customers = _customer_ids(session, chunk)
        _insert_tasks(session, chunk, customers, rules, script, batch, report)
        done += len(chunk)
        stats.grew(len(chunk))
        if progress:
            progress(report.total // 2 + done // 2, report.total)


def _customer_ids(session: Session, rows: list[ParsedRow]) -> dict[tuple[str, str], int]:
    """Find or create the customers of `rows`, keyed by (phone, name)."""
    keys = {(r.phone, r.name) for r in rows}
    found = _find_customers(session, keys)
    new: dict[tuple[str, str], ParsedRow] = {}
    for r in rows:
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
        found.update(_find_customers(session, set(new)))
    return found


def _find_customers(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Return the ids of the customers with these (phone, name) keys that exist."""
    found: dict[tuple[str, str], int] = {}
    # Look up by the indexed phone alone, then match names here: row-value IN scans on SQLite.
    for part in _chunks(sorted({p for p, _ in keys}), 500):
        q = select(Customer.phone, Customer.name, Customer.id).where(Customer.phone.in_(part))
        found.update({(p, n): i for p, n, i in session.execute(q) if (p, n) in keys})
    return found


def _insert_tasks(
    session: Session,
    rows: list[ParsedRow],
    customers: dict[tuple[str, str], int],
    rules: TaskTypeRules,
    script: str,
    batch: ImportBatch,
    report: ImportReport,
) -> None:
    wanted = {(customers[(r.phone, r.name)], r.event_at): r for r in rows}
    existing: set[tuple[int, datetime]] = set()
    for part in _chunks(sorted({c for c, _ in wanted}), 500):
        q = select(Task.customer_id, Task.event_at).where(Task.type == rules.id, Task.customer_id.in_(part))
        existing.update((c, e) for c, e in session.execute(q) if (c, e) in wanted)
    values = []
    seen: set[tuple[int, datetime]] = set()
    for r in rows:
        key = (customers[(r.phone, r.name)], r.event_at)
        if key in existing or key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        values.append(_task_values(key[0], r, rules, script, batch.id))
    if values:
        # Core, not the ORM: the ORM's bulk path costs more than the insert itself here.
        insert_many(session.connection(), cast(Table, Task.__table__), values)
    report.imported += len(values)


def _task_values(customer_id: int, r: ParsedRow, rules: TaskTypeRules, script: str, batch_id: int) -> dict:
    earliest = r.event_at + rules.earliest_offset
    deadline = None if rules.deadline is None else r.event_at + rules.deadline
    return {
        "customer_id": customer_id, "type": rules.id, "script": script, "event_at": r.event_at,
        "earliest_at": earliest, "deadline_at": deadline, "status": TaskStatus.PENDING, "attempt_count": 0,
        "next_attempt_at": earliest, "department": r.department, "seller": r.seller,
        "extra": json.dumps(r.extra, ensure_ascii=False) if r.extra else None,
        "import_batch_id": batch_id, "source_row": r.row,
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
