"""`dialer audit verify` passes on an intact chain and fails on an edited or deleted entry."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import delete, update

from dialer.cli import main
from dialer.model import AuditEntry, Database
from dialer.model.audit import append_audit


def _verify(database: Database, tmp_path: Path) -> Result:
    env = {"DIALER_DATABASE_URL": database.url, "DIALER_VAR_DIR": str(tmp_path / "var")}
    return CliRunner().invoke(main, ["audit", "verify"], env=env, catch_exceptions=False)


def _three_entries(database: Database) -> None:
    with database.session() as s, s.begin():
        append_audit(s, "wang_qc", "login", "user:3", {"role": "compliance"}, "127.0.0.1")
        append_audit(s, "wang_qc", "replay", "recording:1", {"range": "bytes=0-99"}, "127.0.0.1")
        append_audit(s, "wang_qc", "download", "recording:1", {"kind": "call"}, "127.0.0.1")


def test_an_intact_chain_verifies(database: Database, tmp_path: Path) -> None:
    _three_entries(database)
    result = _verify(database, tmp_path)
    assert result.exit_code == 0, result.output
    assert "审计日志完整：共 3 条" in result.output


def test_an_edited_entry_is_detected(database: Database, tmp_path: Path) -> None:
    _three_entries(database)
    with database.session() as s, s.begin():
        s.execute(update(AuditEntry).where(AuditEntry.action == "download").values(actor="someone_else"))
    result = _verify(database, tmp_path)
    assert result.exit_code == 1
    assert "第 3 条：写入后内容被改动" in result.output


def test_an_edited_detail_is_detected(database: Database, tmp_path: Path) -> None:
    _three_entries(database)
    with database.session() as s, s.begin():
        s.execute(update(AuditEntry).where(AuditEntry.id == 2).values(detail={"range": "bytes=0-1"}))
    result = _verify(database, tmp_path)
    assert result.exit_code == 1
    assert "第 2 条" in result.output


def test_a_deleted_entry_is_detected(database: Database, tmp_path: Path) -> None:
    _three_entries(database)
    with database.session() as s, s.begin():
        s.execute(delete(AuditEntry).where(AuditEntry.id == 2))
    result = _verify(database, tmp_path)
    assert result.exit_code == 1
    assert "第 3 条：与前一条接不上" in result.output


def test_a_rehashed_edit_still_breaks_the_next_link(database: Database, tmp_path: Path) -> None:
    from dialer.model.audit import entry_digest

    _three_entries(database)
    with database.session() as s, s.begin():
        e = s.get_one(AuditEntry, 2)
        e.actor = "forger"
        e.hash = entry_digest(e.prev_hash, e.at, e.actor, e.action, e.target, e.detail, e.ip)
    result = _verify(database, tmp_path)
    assert result.exit_code == 1
    assert "第 3 条：与前一条接不上" in result.output
