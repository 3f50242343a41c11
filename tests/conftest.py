"""Shared fixtures: settings → engine/session; a developer's environment never leaks in."""

from __future__ import annotations

import os
import queue
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from dialer.model import Database, migrate, open_database
from dialer.settings import Settings
from tests.demo_run import run_demo
from tests.s3server import moto_server

LEAKY_PREFIXES = ("DIALER_", "TWILIO_", "VOSK_")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every setting from the environment so a developer's .env never leaks into a test."""
    for name in list(os.environ):
        if name.startswith(LEAKY_PREFIXES) and name != "DIALER_TEST_POSTGRES_URL":
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings on a fresh SQLite file and recordings folder under tmp_path."""
    yield Settings(
        database_url=f"sqlite:///{tmp_path / 'dialer.sqlite3'}",
        recordings_dir=tmp_path / "recordings",
        var_dir=tmp_path / "var",
    )


POSTGRES_URL_VAR = "DIALER_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    """The PostgreSQL server for the PostgreSQL half of the suite (CI sets it), or None."""
    return os.environ.get(POSTGRES_URL_VAR) or None


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a private database or schema on the test PostgreSQL server.

    A test that asks for `db` gets a copy of the session's migrated template (migrating once per session
    instead of once per test); any other test gets an empty database, as `dialer init` finds one.
    """
    migrated = "db" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "dialer.sqlite3"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"{POSTGRES_URL_VAR} is not set: no PostgreSQL server to test against")
    if migrated:
        template: PostgresTemplate = request.getfixturevalue("postgres_template")
        with template.copy() as url:
            yield url
        return
    with fresh_postgres_schema(base) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the head revision once per session; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "dialer.sqlite3"
    database = open_database(f"sqlite:///{path}")
    migrate(database)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, ready to copy
    database.dispose()
    return path


class PostgresTemplate:
    """A database migrated once per session; each test gets `CREATE DATABASE … TEMPLATE` of it.

    Copies are dropped by a background thread, so a test never waits for the checkpoint a drop makes.
    """

    def __init__(self, base: str) -> None:
        self.base = make_url(base)
        self.admin = create_engine(
            self.base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        self.name = f"tpl_{uuid.uuid4().hex[:12]}"
        self.doomed: queue.Queue[str | None] = queue.Queue()
        self.dropper = threading.Thread(target=self._drop_all, name="drop-test-databases", daemon=True)
        self._run(f'CREATE DATABASE "{self.name}"')
        database = open_database(self.url(self.name))
        migrate(database)
        database.dispose()
        self.dropper.start()

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    @contextmanager
    def copy(self) -> Iterator[str]:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}" STRATEGY WAL_LOG')
        try:
            yield self.url(name)
        finally:
            self.doomed.put(name)

    def close(self) -> None:
        self.doomed.put(None)
        self.dropper.join()
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()

    def _drop_all(self) -> None:
        while (name := self.doomed.get()) is not None:
            self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _run(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate]:
    base = postgres_url()
    assert base is not None
    template = PostgresTemplate(base)
    yield template
    template.close()


@contextmanager
def fresh_postgres_schema(base: str) -> Iterator[str]:
    """Create a throw-away schema and yield a URL whose search_path points at it."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database on each backend (a copy of the session's template)."""
    database = open_database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings on the parametrised database, with audio and state under tmp_path."""
    return Settings(
        database_url=database_url, recordings_dir=tmp_path / "recordings", var_dir=tmp_path / "var"
    )


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API server (moto's, as its own process) on 127.0.0.1 for the whole run."""
    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Connection, Path]]:
    """One `dialer demo --json` run, shared by the files that read it, and its database."""
    root = tmp_path_factory.mktemp("demo") / "run"
    summary = run_demo(root)
    engine = create_engine(f"sqlite:///{root / 'dialer.sqlite3'}")
    with engine.connect() as conn:
        yield summary, conn, root
    engine.dispose()
