"""Fixtures: a reachable PostgreSQL schema, an emulator whose customers end calls fast, the service's webhooks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from dialer.emulator import Emulator, run_emulator
from dialer.model import Database, migrate, open_database
from dialer.settings import Settings
from tests.conftest import fresh_postgres_schema

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PERSONAS = """
[[persona]]
pattern = "+86137*"
name = "busy"
outcome = "busy"

[[persona]]
pattern = "+86136*"
name = "never-answers"
outcome = "no-answer"
"""


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A private schema on the test PostgreSQL server; skip only when no server is reachable."""
    base = os.environ.get("DIALER_TEST_POSTGRES_URL") or LOCAL_POSTGRES
    engine = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        pytest.skip(f"no PostgreSQL server reachable at {base} ({exc.orig}); set DIALER_TEST_POSTGRES_URL")
    finally:
        engine.dispose()
    with fresh_postgres_schema(base) as url:
        yield url


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    database = open_database(pg_url)
    migrate(database)
    yield database
    database.dispose()


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[Emulator]:
    """An emulator where +86137… numbers are busy and +86136… never answer, 50 times faster than life."""
    personas = tmp_path / "personas.toml"
    personas.write_text(PERSONAS, encoding="utf-8")
    settings = Settings(var_dir=tmp_path / "var")
    with run_emulator(
        settings, personas=personas, speed=50.0, data_dir=tmp_path / "emu", cps=2000, max_queued=5000
    ) as e:
        yield e
