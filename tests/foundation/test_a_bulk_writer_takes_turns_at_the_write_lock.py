"""On SQLite a bulk writer (a list import) writes only while no other connection is writing, and a connection
that wants to write while a bulk transaction runs waits on the turns lock, never inside SQLite: even with no busy
timeout at all it is not told "database is locked"."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from dialer.model import migrate, open_database
from dialer.model import turns as turns_module
from dialer.model.turns import NoTurn

TOUCH = text("UPDATE dial_pacer SET id = id WHERE id = 1")


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'dialer.sqlite3'}"
    db = open_database(url)
    migrate(db)
    db.dispose()
    return url


def test_a_bulk_writer_waits_while_another_connection_writes(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turns_module, "PATIENCE", 0.2)
    web, bulk = open_database(url), open_database(url, bulk=True)
    with web.engine.begin() as writing:
        writing.execute(TOUCH)  # a webhook's transaction, not yet committed
        with pytest.raises(NoTurn), bulk.engine.begin() as conn:
            conn.execute(TOUCH)
    with bulk.engine.begin() as conn:  # the webhook is done: the import's turn
        conn.execute(TOUCH)
    web.dispose()
    bulk.dispose()


def test_a_writer_waits_its_turn_outside_sqlite_while_a_bulk_transaction_runs(url: str) -> None:
    bulk = open_database(url, bulk=True)
    impatient = open_database(url, connect_args={"timeout": 0})  # would fail at once on SQLite's lock
    outcome: list[str] = []

    def webhook() -> None:
        try:
            with impatient.engine.begin() as conn:
                conn.execute(TOUCH)
            outcome.append("written")
        except Exception as exc:  # what SQLite says when the lock is taken
            outcome.append(str(exc))

    with bulk.engine.begin() as conn:
        conn.execute(TOUCH)  # the import's chunk holds SQLite's write lock
        waiting = threading.Thread(target=webhook)
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive() and outcome == []  # waiting for its turn, not failing
    waiting.join(10)
    assert outcome == ["written"]
    bulk.dispose()
    impatient.dispose()
