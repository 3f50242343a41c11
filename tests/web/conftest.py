"""Fixtures for the console: settings → database → app → client, with a fixed clock and seeded data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dialer.app import create_app
from dialer.clock import FixedClock
from dialer.model import Database, migrate
from dialer.services import services
from dialer.settings import Settings
from tests.web.seed import NOW, Seeded, seed


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[Flask]:
    """The whole app (webhooks and pages) on a migrated database."""
    settings = settings.replace(scripts_dir=tmp_path / "ivr_scripts", secret_key="test-secret")
    app = create_app(settings, clock=clock)
    app.config["TESTING"] = True
    migrate(services(app).db)
    yield app
    services(app).db.dispose()


@pytest.fixture
def database(app: Flask) -> Database:
    return services(app).db


@pytest.fixture
def seeded(app: Flask, database: Database) -> Seeded:
    return seed(database, services(app).settings.recordings_dir)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
