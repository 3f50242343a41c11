"""Shared fixtures: settings → engine/session; a developer's environment never leaks in."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dialer.model import Database, migrate, open_database
from dialer.settings import Settings
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
    """A fresh, empty database: a SQLite file, or a private schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dialer.sqlite3'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"{POSTGRES_URL_VAR} is not set: no PostgreSQL server to test against")
    with fresh_postgres_schema(base) as url:
        yield url


@contextmanager
def fresh_postgres_schema(base: str) -> Iterator[str]:
    """Create a throw-away schema and yield a URL whose search_path points at it."""
    from sqlalchemy import create_engine, text

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
    """A migrated database on each backend."""
    database = open_database(database_url)
    migrate(database)
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
