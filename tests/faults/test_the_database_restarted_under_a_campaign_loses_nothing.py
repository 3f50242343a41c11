"""The database goes away again and again while a campaign runs, and the service, scheduler and worker carry on.

PostgreSQL: every few hundred milliseconds every connection to the test database is terminated
(`pg_terminate_backend`), as a server restart or a failover does to them. SQLite: another process takes the
file's write lock for a moment, again and again. Meanwhile the scheduler dials, the gateway calls the
webhooks, and the worker stores recordings. At the end: no task lost, none dialled twice, in flight in the
database equal to live at the gateway, no 5xx to the gateway (Twilio would not retry it), every answered
call's recording stored.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from dialer.model import Database, open_database
from tests.faults.conftest import Campaign
from tests.faults.harness import settle, tally
from tests.scheduler.helpers import phones, wait_for

ROUNDS = 8  # at least this many times, whether or not the campaign is over sooner
OBSERVER = "fault-observer"  # the test's own connection: it watches, it is not the system under test


def _observer(db: Database) -> Database:
    if not db.is_postgres:
        return db
    return open_database(
        make_url(db.url).update_query_dict({"application_name": OBSERVER}).render_as_string(False)
    )


def _terminate_backends(db: Database) -> Callable[[], int]:
    url = make_url(db.url).set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    kill = text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :name "
                "AND pid <> pg_backend_pid() AND application_name <> :observer")  # fmt: skip

    def fault() -> int:
        with admin.connect() as conn:
            return int(conn.execute(kill, {"name": url.database, "observer": OBSERVER}).scalar() or 0)

    return fault


def _lock_the_file(db: Database) -> Callable[[], int]:
    path = make_url(db.url).database or ""

    def fault() -> int:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            conn.execute("BEGIN EXCLUSIVE")  # every other writer waits (busy timeout) until it ends
            time.sleep(0.4)
            conn.execute("COMMIT")
        finally:
            conn.close()
        return 1

    return fault


@contextmanager
def again_and_again(fault: Callable[[], int], every: float) -> Iterator[list[int]]:
    """Run `fault` every `every` seconds in a thread until the block ends; yield what each run reported."""
    hits: list[int] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            hits.append(fault())

    thread = threading.Thread(target=loop, name="database-fault", daemon=True)
    thread.start()
    try:
        yield hits
    finally:
        stop.set()
        thread.join(timeout=30)


def test_a_campaign_survives_its_database_going_away(campaign: Campaign) -> None:
    db = _observer(campaign.db)
    ids = campaign.seed(phones("+86135", 6) + phones("+86137", 3) + phones("+86136", 3))
    fault = _terminate_backends(db) if db.is_postgres else _lock_the_file(db)
    with again_and_again(fault, every=1.0) as hits:
        campaign.start_scheduler()
        settle(db, campaign.gateway, ids, timeout=120, recordings=False)  # every call placed and over
        wait_for(lambda: len(hits) >= ROUNDS, timeout=60, what=f"{ROUNDS} rounds of the fault")
    assert sum(hits) >= ROUNDS, hits  # the database really went away, many times
    settle(db, campaign.gateway, ids, timeout=60)  # and the recordings, once it stays
    result = tally(db, campaign.gateway, ids)
    if db.is_postgres:
        result.show(f"PostgreSQL: {sum(hits)} connections terminated in {len(hits)} rounds, 1 s apart")
    else:
        result.show(f"SQLite: the file write-locked 0.4 s, {len(hits)} times, 1 s apart")
    result.assert_whole()
    assert result.recordings_missing == 0
    if db is not campaign.db:
        db.dispose()
