"""Fixtures for the monthly report: the golden month on each database, and the request for November 2026."""

from __future__ import annotations

import pytest

from dialer.model import Database
from dialer.reports import Month, ReportRequest
from tests.reports.golden import SH, Golden, seed_golden

NAMES = {"new_policy": "新契约", "claim": "理赔"}
SATISFACTION = frozenset({("claim", "service_attitude"), ("claim", "overall_satisfaction")})


@pytest.fixture
def golden(db: Database) -> Golden:
    return seed_golden(db)


def november(**filters: str) -> ReportRequest:
    return ReportRequest(Month(2026, 11), SH, NAMES, SATISFACTION, **filters)  # type: ignore[arg-type]
