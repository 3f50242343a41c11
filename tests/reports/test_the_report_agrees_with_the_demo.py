"""After `dialer demo`, `dialer report --month 2026-11 --json` (both real processes) agrees with the demo's summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dialer.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
CONSOLE = Path(sys.executable).with_name("dialer")


def run(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run([str(CONSOLE), *args, "--json"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, **(env or {})})  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def both(demo: tuple[dict[str, Any], Any, Path]) -> tuple[dict[str, Any], dict[str, Any]]:
    summary, _, root = demo  # the session's one demo run (tests/conftest.py)
    report = run(
        "report", "--month", "2026-11", env={"DIALER_DATABASE_URL": f"sqlite:///{root / 'dialer.sqlite3'}"}
    )
    return summary, report


def test_the_counts_agree_with_the_demo(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    summary, report = both
    total = report["total"]
    assert total["tasks"] == summary["tasks"] > 0
    # The demo counts clean successes and problem follow-ups apart; the report's 回访成功 is both.
    assert total["succeeded"] - total["succeeded_with_problem"] == summary["succeeded"] > 0
    assert total["succeeded_with_problem"] == summary["problem"] > 0
    assert total["problem_cases"] == len(summary["problem_cases"]) > 0
    assert total["unreachable"] == summary["unreachable"]


def test_its_rates_are_the_ratios_of_its_counts(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, report = both
    for row in [report["total"], *report["by_type"], *report["by_department"]]:
        assert row["reach_rate"] == pytest.approx(row["reached"] / row["tasks"])
        assert row["success_rate"] == pytest.approx(row["succeeded"] / row["tasks"])
        assert row["timely_rate"] == pytest.approx(row["timely"] / row["tasks"])
        assert row["problem_rate"] == pytest.approx(row["problem_cases"] / row["succeeded"])
        assert row["unreachable_share"] == pytest.approx(row["unreachable"] / row["tasks"])


def test_the_rows_of_each_view_add_up_to_the_total(both: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, report = both
    counts = (
        "tasks",
        "reached",
        "succeeded",
        "succeeded_with_problem",
        "timely",
        "problem_cases",
        "unreachable",
    )
    for view in ("by_type", "by_department", "by_seller", "by_script"):
        assert report[view], view
        for key in counts:
            assert sum(r[key] for r in report[view]) == report["total"][key], (view, key)
    assert {r["key"] for r in report["by_type"]} == {"new_policy", "claim"}
