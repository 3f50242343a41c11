"""The console's fixtures (settings → app → client, a fixed clock, seeded personas) for the hostile-input suite."""

from __future__ import annotations

from tests.web.conftest import app, client, clock, database, seeded

__all__ = ["app", "client", "clock", "database", "seeded"]
