"""`dialer report --day` counts that local day's calls, one row per task type in use."""

from __future__ import annotations

import json
import re
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


def test_the_day_is_printed_in_chinese(database: Database, seeded: Seeded, tmp_path: Path) -> None:
    code, out = _report(database, tmp_path, "--day", "2026-03-10")
    assert code == 0, out
    assert "2026年3月10日 回访进度" in out and "已拨打" in out and "回访成功" in out
    assert "没有可能错过截止时间的任务" in out or "可能错过截止时间的任务共" in out
    # Only identifiers are Latin: the task type's id and the time zone's name.
    assert set(re.findall(r"[A-Za-z]+", out)) <= {"new", "policy", "UTC"}, out


def test_a_bad_day_is_refused_with_the_format(database: Database, tmp_path: Path) -> None:
    for bad in ("2026-02-30", "2026/03/10", "yesterday"):
        code, out = _report(database, tmp_path, "--day", bad)
        assert code == 1 and f"日期“{bad}”不对" in out and "年-月-日" in out and "2026-11-23" in out, out
