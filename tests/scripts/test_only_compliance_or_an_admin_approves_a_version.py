"""Only a compliance officer or an admin approves or retires a version; approver and time are kept and audited."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select

from dialer.cli import main
from dialer.model import AuditEntry, Database
from dialer.model.audit import verify_chain
from tests.scripts.helpers import add_users, write_edited_complaint


def cli(args: list[str], database_url: str, tmp_path: Path) -> Result:
    env = {"DIALER_DATABASE_URL": database_url, "DIALER_VAR_DIR": str(tmp_path / "var")}
    return CliRunner().invoke(main, args, env=env)


def versions(database_url: str, tmp_path: Path) -> list[dict[str, object]]:
    result = cli(["scripts", "versions", "complaint", "--json"], database_url, tmp_path)
    assert result.exit_code == 0, result.output
    listed: list[dict[str, object]] = json.loads(result.output)["versions"]
    return listed


def test_an_agent_cannot_approve_and_a_compliance_officer_can(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    first = cli(["init"], database_url, tmp_path)
    assert first.exit_code == 0 and "登记为已批准的第1版" in first.output, first.output
    add_users(db)
    [v1] = versions(database_url, tmp_path)
    assert (v1["version"], v1["status"], v1["approved_by"]) == (1, "approved", "dialer init")

    imported = cli(["scripts", "import", str(write_edited_complaint(tmp_path / "edit")), "--by", "zhao_sup"],
                   database_url, tmp_path)  # fmt: skip
    assert imported.exit_code == 0 and "第2版（草稿" in imported.output, imported.output

    refused = cli(
        ["scripts", "approve", "complaint", "--version", "2", "--by", "li_agent"], database_url, tmp_path
    )
    assert refused.exit_code != 0 and "只有合规质检或系统管理员可以" in refused.output, refused.output
    refused = cli(
        ["scripts", "approve", "complaint", "--version", "2", "--by", "zhao_sup"], database_url, tmp_path
    )
    assert refused.exit_code != 0
    assert [v["status"] for v in versions(database_url, tmp_path)] == ["approved", "draft"]

    approved = cli(
        ["scripts", "approve", "complaint", "--version", "2", "--by", "wang_qc"], database_url, tmp_path
    )
    assert approved.exit_code == 0, approved.output
    old, new = versions(database_url, tmp_path)
    assert (old["status"], old["retired_by"]) == ("retired", "wang_qc")
    assert (new["status"], new["approved_by"]) == ("approved", "wang_qc") and new["approved_at"]
    assert new["sha256"] != old["sha256"] and len(str(new["sha256"])) == 64

    again = cli(
        ["scripts", "approve", "complaint", "--version", "2", "--by", "admin"], database_url, tmp_path
    )
    assert again.exit_code != 0 and "只有草稿可以批准" in again.output
    retired = cli(
        ["scripts", "retire", "complaint", "--version", "2", "--by", "admin"], database_url, tmp_path
    )
    assert retired.exit_code == 0 and "没有已批准的版本" in retired.output, retired.output

    with db.session() as s:
        entries = [(e.actor, e.action, e.detail.get("version")) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.target == "script:complaint").order_by(AuditEntry.id))]  # fmt: skip
        assert entries == [("dialer init", "script_approve", 1), ("zhao_sup", "script_draft", 2),
                           ("wang_qc", "script_approve", 2), ("admin", "script_retire", 2)]  # fmt: skip
        assert verify_chain(s) == []


def test_an_unknown_user_or_version_is_told_plainly(db: Database, database_url: str, tmp_path: Path) -> None:
    assert cli(["init"], database_url, tmp_path).exit_code == 0
    add_users(db)
    nobody = cli(
        ["scripts", "approve", "complaint", "--version", "1", "--by", "ghost"], database_url, tmp_path
    )
    assert nobody.exit_code != 0 and "没有名为 ghost 的可用用户" in nobody.output
    missing = cli(
        ["scripts", "approve", "complaint", "--version", "9", "--by", "wang_qc"], database_url, tmp_path
    )
    assert missing.exit_code != 0 and "没有第9版" in missing.output and "第1版" in missing.output
    bad = tmp_path / "complaint.toml"
    bad.write_text('id = "complaint"\nname = "x"\n', encoding="utf-8")
    refused = cli(["scripts", "import", str(bad)], database_url, tmp_path)
    assert refused.exit_code != 0 and "task_types" in refused.output
    assert [v["version"] for v in versions(database_url, tmp_path)] == [1]
