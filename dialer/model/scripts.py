"""Call scripts in the database: the operator's on/off switch and the filed versions (话术报备).

A script's wording lives as versions: draft → approved → retired. An approved version never changes; an edit
makes a new draft. Only the approved version is dialled; approving a newer one retires the old one, and each
call keeps the number and SHA-256 of the version it used. Only compliance officers and admins approve.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.clock import utcnow
from dialer.errors import DialerError
from dialer.model.base import Base
from dialer.model.states import Role, ScriptStatus, label

APPROVERS = frozenset({Role.COMPLIANCE, Role.ADMIN})


class ScriptVersionError(DialerError):
    """A script version cannot be stored, approved or retired as asked."""


class ScriptSetting(Base):
    """An operator's switch for one script. A script with no row is enabled (the shipped default)."""

    __tablename__ = "script_settings"

    script_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    changed_by: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScriptVersion(Base):
    """One version of one script's wording (its whole TOML text), with who approved it and when."""

    __tablename__ = "script_versions"
    __table_args__ = (UniqueConstraint("script_id", "version", name="uq_script_versions_script_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    script_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=ScriptStatus.DRAFT)  # a ScriptStatus
    name: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]
    retired_by: Mapped[str | None] = mapped_column(String(64))
    retired_at: Mapped[datetime | None]


def content_sha256(content: str) -> str:
    """Return the SHA-256 of a script's text as stored (UTF-8)."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def script_switches(session: Session) -> dict[str, bool]:
    """Return {script id: enabled} for every script an operator has switched."""
    return {s.script_id: s.enabled for s in session.scalars(select(ScriptSetting))}


def script_enabled(session: Session, script_id: str) -> bool:
    """Return whether calls may use this script (no switch means enabled)."""
    row = session.get(ScriptSetting, script_id)
    return True if row is None else row.enabled


def switch_script(session: Session, script_id: str, enabled: bool, actor: str, now: datetime) -> None:
    """Turn a script on or off; the caller commits (and writes the audit entry)."""
    row = session.get(ScriptSetting, script_id)
    if row is None:
        row = ScriptSetting(script_id=script_id)
        session.add(row)
    row.enabled, row.changed_by, row.changed_at = enabled, actor, now


def versions_of(session: Session, script_id: str) -> list[ScriptVersion]:
    """Return every version of a script, oldest first."""
    q = select(ScriptVersion).where(ScriptVersion.script_id == script_id).order_by(ScriptVersion.version)
    return list(session.scalars(q))


def version_of(session: Session, script_id: str, version: int) -> ScriptVersion:
    """Return one version; say which versions exist when it does not."""
    row = session.scalar(
        select(ScriptVersion).where(ScriptVersion.script_id == script_id, ScriptVersion.version == version)
    )
    if row is None:
        known = "、".join(f"第{v.version}版" for v in versions_of(session, script_id)) or "无"
        raise ScriptVersionError(
            f"话术 {script_id} 没有第{version}版（已有：{known}）；请用 dialer scripts versions {script_id} 查看"
        )
    return row


def approved_version(session: Session, script_id: str) -> ScriptVersion | None:
    """Return the script's approved version, the one calls use, or None."""
    return session.scalar(
        select(ScriptVersion).where(
            ScriptVersion.script_id == script_id, ScriptVersion.status == ScriptStatus.APPROVED
        )
    )


def approved_versions(session: Session) -> dict[str, ScriptVersion]:
    """Return {script id: approved version} for every script that has one."""
    q = select(ScriptVersion).where(ScriptVersion.status == ScriptStatus.APPROVED)
    return {v.script_id: v for v in session.scalars(q)}


def unapproved_scripts(session: Session) -> list[str]:
    """Return the scripts that have versions but none approved: their tasks wait."""
    approved = select(ScriptVersion.script_id).where(ScriptVersion.status == ScriptStatus.APPROVED)
    q = select(ScriptVersion.script_id).where(ScriptVersion.script_id.not_in(approved)).distinct()
    return sorted(session.scalars(q))


def has_versions(session: Session) -> bool:
    """Return whether any script has a version in the database yet."""
    return session.scalar(select(func.count()).select_from(ScriptVersion)) != 0


def add_version(
    session: Session, script_id: str, name: str, content: str, actor: str, now: datetime
) -> ScriptVersion:
    """Store `content` as the script's next version, a draft; refuse a copy of a draft or the approved one."""
    sha = content_sha256(content)
    existing = versions_of(session, script_id)
    for v in existing:
        if v.sha256 == sha and v.status != ScriptStatus.RETIRED:
            raise ScriptVersionError(
                f"话术 {script_id} 的第{v.version}版（{label(ScriptStatus(v.status))}）与此内容完全相同；无需再存一版"
            )
    number = max((v.version for v in existing), default=0) + 1
    row = ScriptVersion(script_id=script_id, version=number, status=ScriptStatus.DRAFT, name=name,
                        content=content, sha256=sha, created_by=actor, created_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def update_draft(session: Session, row: ScriptVersion, name: str, content: str, now: datetime) -> None:
    """Change a draft's wording in place; an approved or retired version never changes."""
    if row.status != ScriptStatus.DRAFT:
        raise ScriptVersionError(
            f"话术 {row.script_id} 第{row.version}版已{_word(row.status)}，不能再修改；请在它的基础上另存一个新草稿"
        )
    row.name, row.content, row.sha256, row.created_at = name, content, content_sha256(content), now
    session.flush()


def approve(
    session: Session, row: ScriptVersion, actor: str, role: str, now: datetime
) -> ScriptVersion | None:
    """Approve a draft; retire the version it replaces and return that one (None if there was none)."""
    _may_approve(actor, role)
    if row.status != ScriptStatus.DRAFT:
        raise ScriptVersionError(
            f"话术 {row.script_id} 第{row.version}版已{_word(row.status)}：只有草稿可以批准"
        )
    old = approved_version(session, row.script_id)
    if old is not None:
        _retire(old, actor, now)
        session.flush()  # the old one stops being approved before the new one starts
    row.status, row.approved_by, row.approved_at = ScriptStatus.APPROVED, actor, now
    session.flush()
    return old


def retire(session: Session, row: ScriptVersion, actor: str, role: str, now: datetime) -> None:
    """Withdraw a version; a script with no approved version is not dialled until one is approved."""
    _may_approve(actor, role)
    if row.status == ScriptStatus.RETIRED:
        raise ScriptVersionError(f"话术 {row.script_id} 第{row.version}版早已停用")
    _retire(row, actor, now)
    session.flush()


def _retire(row: ScriptVersion, actor: str, now: datetime) -> None:
    row.status, row.retired_by, row.retired_at = ScriptStatus.RETIRED, actor, now


def _may_approve(actor: str, role: str) -> None:
    if role not in APPROVERS:
        raise ScriptVersionError(
            f"用户 {actor} 的角色不能批准或停用话术：只有合规质检或系统管理员可以；请由他们操作"
        )


def _word(status: str) -> str:
    return {ScriptStatus.APPROVED: "批准", ScriptStatus.RETIRED: "停用"}.get(ScriptStatus(status), "处理")
