"""Engines, sessions and migrations. Sessions belong to the caller: `with db.session() as s, s.begin():`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dialer.model.turns import take_turns

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: a larger one names no row


def parse_id(text: str | None) -> int | None:
    """Return a row id from untrusted text, or None when it cannot name a row."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class Database:
    """An engine and its session factory for one database URL."""

    def __init__(self, url: str, *, audit_key: str = "", bulk: bool = False, **engine_args: Any) -> None:
        self.url = url
        self.engine = make_engine(url, bulk=bulk, **engine_args)
        # Every session carries the key that signs the audit chain (empty: the development key).
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info={"audit_key": audit_key})

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session; the caller decides where the transaction begins and ends."""
        with self.sessions() as s:
            yield s

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def dispose(self) -> None:
        self.engine.dispose()


def make_engine(url: str, *, bulk: bool = False, **engine_args: Any) -> Engine:
    """Create an engine; for SQLite make the folder, use WAL and wait for locks instead of failing.

    On a SQLite file the connections take turns with other processes' (`dialer.model.turns`); a `bulk` engine
    (a list import) writes only when no other connection is at work, and pauses between its transactions.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine_args.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **engine_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            take_turns(engine, Path(parsed.database), bulk=bulk)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    if parsed.get_backend_name() == "postgresql":
        # No server-side prepared statements: after five runs PostgreSQL may switch a statement to a generic
        # plan, and a generic plan for `phone IN ($1 … $500)` scans the whole table (seconds, not milliseconds).
        engine_args.setdefault("connect_args", {"prepare_threshold": None})
    engine_args.setdefault("pool_pre_ping", True)
    return create_engine(url, **engine_args)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = db.engine
    return cfg


def migrate(db: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Create or upgrade the database to `revision`; return (version before, version after)."""
    before = current_revision(db)
    command.upgrade(alembic_config(db), revision)
    return before, current_revision(db)


def current_revision(db: Database) -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    with db.engine.connect() as conn:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()


def open_database(url: str, *, audit_key: str = "", bulk: bool = False, **engine_args: Any) -> Database:
    return Database(url, audit_key=audit_key, bulk=bulk, **engine_args)
