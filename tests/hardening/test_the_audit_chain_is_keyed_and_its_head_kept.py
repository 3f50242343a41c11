"""The audit log is an HMAC chain under DIALER_AUDIT_KEY, and `dialer audit verify --head FILE` compares it with
a head exported earlier: an edited entry, a deleted tail and a chain rewritten from the start are all found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import delete, select, update

from dialer.cli import main
from dialer.model import AuditEntry, Database, migrate, open_database
from dialer.model.audit import GENESIS, append_audit, entry_digest, verify_chain

KEY = "a-long-random-audit-key-for-the-tests"


@pytest.fixture
def keyed(database_url: str) -> Iterator[Database]:
    db = open_database(database_url, audit_key=KEY)
    migrate(db)
    yield db
    db.dispose()


def _cli(db: Database, tmp_path: Path, *args: str, key: str = KEY) -> Result:
    env = {"DIALER_DATABASE_URL": db.url, "DIALER_VAR_DIR": str(tmp_path / "var"), "DIALER_AUDIT_KEY": key}
    return CliRunner().invoke(main, ["audit", *args], env=env, catch_exceptions=False)


def _entries(db: Database, n: int, start: int = 0) -> None:
    with db.session() as s, s.begin():
        for i in range(start, start + n):
            append_audit(s, "wang_qc", "replay", f"recording:{i}", {"range": f"bytes={i}-"}, "127.0.0.1")


def _head(db: Database, tmp_path: Path) -> Path:
    out = tmp_path / "head.json"
    result = _cli(db, tmp_path, "head", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_an_untouched_log_verifies_against_its_head(keyed: Database, tmp_path: Path) -> None:
    _entries(keyed, 3)
    head = _head(keyed, tmp_path)
    assert json.loads(head.read_text(encoding="utf-8"))["entries"] == 3
    _entries(keyed, 2, start=3)  # entries written after the head was exported are fine
    result = _cli(keyed, tmp_path, "verify", "--head", str(head))
    assert result.exit_code == 0, result.output
    assert "审计日志完整：共 5 条" in result.output


def test_an_edited_entry_is_found(keyed: Database, tmp_path: Path) -> None:
    _entries(keyed, 3)
    head = _head(keyed, tmp_path)
    with keyed.session() as s, s.begin():
        s.execute(update(AuditEntry).where(AuditEntry.id == 2).values(target="recording:99"))
    result = _cli(keyed, tmp_path, "verify", "--head", str(head))
    assert result.exit_code == 1
    assert "第 2 条：写入后内容被改动" in result.output


def test_a_deleted_tail_is_found_only_with_the_head(keyed: Database, tmp_path: Path) -> None:
    _entries(keyed, 4)
    head = _head(keyed, tmp_path)
    with keyed.session() as s, s.begin():
        s.execute(delete(AuditEntry).where(AuditEntry.id >= 3))
    assert _cli(keyed, tmp_path, "verify").exit_code == 0  # what is left is a valid chain on its own
    result = _cli(keyed, tmp_path, "verify", "--head", str(head))
    assert result.exit_code == 1
    assert "第 4 条已不在日志中" in result.output


def _rewrite(db: Database, key: bytes | None) -> None:
    """Rewrite every entry (a new actor) and re-chain them all, as someone with database access could."""
    with db.session() as s, s.begin():
        prev = GENESIS
        for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id)):
            e.actor, e.prev_hash = "someone_else", prev
            e.hash = entry_digest(prev, e.at, e.actor, e.action, e.target, e.detail, e.ip, key=key)
            s.flush()
            prev = e.hash


def test_a_chain_rewritten_without_the_key_is_found(keyed: Database, tmp_path: Path) -> None:
    _entries(keyed, 3)
    _rewrite(keyed, key=None)
    result = _cli(keyed, tmp_path, "verify")
    assert result.exit_code == 1
    assert "第 1 条：写入后内容被改动，或不是用当前审计密钥" in result.output


def test_a_chain_rewritten_with_the_key_is_found_by_the_head(keyed: Database, tmp_path: Path) -> None:
    _entries(keyed, 3)
    head = _head(keyed, tmp_path)
    _rewrite(keyed, key=KEY.encode())  # an insider who holds the key, too
    assert _cli(keyed, tmp_path, "verify").exit_code == 0
    result = _cli(keyed, tmp_path, "verify", "--head", str(head))
    assert result.exit_code == 1
    assert "第 3 条的哈希与导出的链头不同" in result.output


def test_the_wrong_key_fails_every_entry(keyed: Database, tmp_path: Path) -> None:
    _entries(keyed, 2)
    result = _cli(keyed, tmp_path, "verify", key="not-the-key")
    assert result.exit_code == 1 and "第 2 条" in result.output


def test_entries_from_before_the_key_are_sealed_by_the_first_keyed_one(keyed: Database) -> None:
    with keyed.session() as s, s.begin():  # as migration 0010 leaves an older log: plain SHA-256 links
        prev = GENESIS
        for i in range(2):
            e = append_audit(s, "cli", "import", f"batch:{i}")
            e.keyed, e.prev_hash = False, prev
            e.hash = entry_digest(prev, e.at, e.actor, e.action, e.target, e.detail, e.ip)
            s.flush()
            prev = e.hash
    _entries(keyed, 2)
    with keyed.session() as s:
        assert verify_chain(s) == []
    with keyed.session() as s, s.begin():  # rewriting an old entry breaks the keyed link after it
        old = s.get_one(AuditEntry, 2)
        old.actor = "forger"
        old.hash = entry_digest(old.prev_hash, old.at, old.actor, old.action, old.target, old.detail, old.ip)
    with keyed.session() as s:
        assert any(p.startswith("第 3 条：与前一条接不上") for p in verify_chain(s))


def test_an_unkeyed_entry_after_keyed_ones_is_found(keyed: Database) -> None:
    _entries(keyed, 2)
    with keyed.session() as s, s.begin():
        e = append_audit(s, "cli", "purge", "task:1")
        e.keyed = False
        e.hash = entry_digest(e.prev_hash, e.at, e.actor, e.action, e.target, e.detail, e.ip)
    with keyed.session() as s:
        assert any("不带密钥的条目" in p for p in verify_chain(s))


def test_a_head_file_that_cannot_be_read_gets_a_plain_message(keyed: Database, tmp_path: Path) -> None:
    bad = tmp_path / "head.json"
    bad.write_text("not json", encoding="utf-8")
    result = _cli(keyed, tmp_path, "verify", "--head", str(bad))
    assert result.exit_code == 1 and "无法读取链头文件" in result.output
