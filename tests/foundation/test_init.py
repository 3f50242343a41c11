"""`dialer init` creates or upgrades the schema, and running it twice does no harm."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from dialer.model import open_database
from tests.foundation.helpers import run_cli


def test_init_twice_is_harmless(database_url: str, tmp_path: Path) -> None:
    first = run_cli(["init"], database_url, tmp_path)
    assert first.exit_code == 0, first.output
    assert "已从空库升级" in first.output
    second = run_cli(["init"], database_url, tmp_path)
    assert second.exit_code == 0, second.output
    assert "已是最新版本" in second.output
    db = open_database(database_url)
    tables = set(inspect(db.engine).get_table_names())
    db.dispose()
    assert {"customers", "tasks", "attempts", "answers", "problem_cases", "users", "opt_outs", "audit_log",
            "recordings", "attempt_events", "escalations", "callbacks"} <= tables  # fmt: skip


def test_init_keeps_existing_data(database_url: str, tmp_path: Path) -> None:
    run_cli(["init"], database_url, tmp_path)
    csv = tmp_path / "list.csv"
    csv.write_text("姓名,手机,事件时间\n张三,13812345678,2026-11-20\n", encoding="utf-8")
    assert run_cli(["import", str(csv), "--type", "claim"], database_url, tmp_path).exit_code == 0
    assert run_cli(["init"], database_url, tmp_path).exit_code == 0
    listed = run_cli(["tasks", "--json"], database_url, tmp_path)
    assert '"张三"' in listed.output
