"""Rows stored in bulk (COPY on PostgreSQL) read back exactly like rows stored one by one by the ORM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import cast

import pytest
from sqlalchemy import Table, select, text

from dialer.model import Customer, Database, Task, TaskStatus
from dialer.model.bulk import Statistics, insert_many

CUSTOMERS = cast(Table, Customer.__table__)
TASKS = cast(Table, Task.__table__)
BEIJING = timezone(timedelta(hours=8))


def customer_row(i: int) -> dict[str, object]:
    return {"name": f"客户{i}", "phone": f"+86138000{i:05d}", "timezone": "Asia/Shanghai",
            "external_id": None, "birth_year": 1950 + i % 50, "gender": None}  # fmt: skip


def test_bulk_rows_get_the_python_defaults_and_utc_times(db: Database) -> None:
    event = datetime(2026, 11, 20, 9, 30, tzinfo=BEIJING)  # given in +08:00, stored as the same instant
    with db.session() as s, s.begin():
        insert_many(s.connection(), CUSTOMERS, [customer_row(1), customer_row(2)])
        ids = {name: id_ for name, id_ in s.execute(select(Customer.name, Customer.id))}
        task = {"customer_id": ids["客户1"], "type": "claim", "script": "claim", "event_at": event,
                "earliest_at": event, "deadline_at": None, "status": TaskStatus.PENDING, "attempt_count": 0,
                "next_attempt_at": event, "department": "理赔部", "seller": "业务员1", "extra": '{"备注": "加急"}',
                "import_batch_id": None, "source_row": 2}  # fmt: skip
        insert_many(s.connection(), TASKS, [task])
    with db.session() as s:
        c = s.scalars(select(Customer).where(Customer.name == "客户1")).one()
        t = s.scalars(select(Task)).one()
        assert c.legal_hold is False and c.purged_at is None
        assert c.created_at.tzinfo is UTC and abs(c.created_at - datetime.now(UTC)) < timedelta(minutes=5)
        assert t.event_at == event and t.event_at.tzinfo is UTC
        assert t.status == TaskStatus.PENDING and t.manual_followup is False
        assert t.extra == '{"备注": "加急"}' and t.deadline_at is None
        assert t.updated_at.tzinfo is UTC
        # The raw stored text is the enum's value, so plain SQL and reports see "pending".
        assert s.execute(text("SELECT status FROM tasks")).scalar_one() == "pending"


def test_a_rollback_takes_bulk_rows_back(db: Database) -> None:
    with db.session() as s:
        tx = s.begin()
        insert_many(s.connection(), CUSTOMERS, [customer_row(i) for i in range(50)])
        assert s.execute(text("SELECT count(*) FROM customers")).scalar_one() == 50
        tx.rollback()
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM customers")).scalar_one() == 0


def test_rows_must_share_the_first_rows_columns(db: Database) -> None:
    ragged = [customer_row(1), {"name": "缺列", "phone": "+8613800000009"}]
    with db.session() as s, s.begin(), pytest.raises(Exception, match=r"same columns|timezone"):
        insert_many(s.connection(), CUSTOMERS, ragged)
    with db.session() as s, s.begin(), pytest.raises(ValueError, match="no column"):
        insert_many(s.connection(), CUSTOMERS, [{**customer_row(1), "nickname": "x"}])


def test_statistics_catch_up_inside_the_importing_transaction(db: Database) -> None:
    with db.session() as s, s.begin():
        stats = Statistics(s.connection(), [CUSTOMERS], floor=1000)
        for start in range(0, 3000, 500):
            insert_many(s.connection(), CUSTOMERS, [customer_row(i) for i in range(start, start + 500)])
            stats.grew(500)
        if not db.is_postgres:
            assert not stats.enabled  # SQLite plans from its indexes without statistics
            return
        # Analysed at 1,000 rows (the floor), then at 3,000 (2,000 more: the size last known). The planner no
        # longer takes the table for empty, though nothing is committed yet.
        known = s.execute(
            text("SELECT reltuples FROM pg_class WHERE oid = 'customers'::regclass")
        ).scalar_one()
        assert known == 3000


def test_a_refused_row_raises_the_same_error_as_an_insert_would(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    nameless = {**customer_row(1), "name": None}
    with db.session() as s:
        with pytest.raises(IntegrityError, match="name"), s.begin():
            insert_many(s.connection(), CUSTOMERS, [customer_row(2), nameless])
        # The transaction rolled back: the good row went too.
        assert s.execute(text("SELECT count(*) FROM customers")).scalar_one() == 0
