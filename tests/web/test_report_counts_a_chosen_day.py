"""`dialer report --day` counts that local day's calls, one row per task type in use."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dialer.cli import main
from dialer.model import Database
from tests.web.seed import Seeded


def _report(database: Database, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {"DIALER_DATABASE_URL": database.url, "DIALER_VAR_DIR": str(tmp_path / "var")}
    result = CliRunner().invoke(main, ["report", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_the_seeded_day_counts_its_call_once(database: Database, seeded: Seeded, tmp_path: Path) -> None:
    code, out = _report(database, tmp_path, "--day", "2026-03-10", "--json")
    assert code == 0, out
    assert [(r["type_id"], r["dialled"]) for r in json.loads(out)["progress"]] == [("new_policy", 1)]


def test_a_day_without_calls_lists_nothing(database: Database, seeded: Seeded, tmp_path: Path) -> None:
    code, out = _report(database, tmp_path, "--day", "2026-03-09", "--json")
    assert code == 0 and json.loads(out)["progress"] == []


def test_a_bad_day_is_refused_with_the_format(database: Database, tmp_path: Path) -> None:
    code, out = _report(database, tmp_path, "--day", "2026-02-30")
    assert code == 2 and "%Y-%m-%d" in out
