"""The append-only audit log, an HMAC chain keyed by a secret (DIALER_AUDIT_KEY).

Each entry's hash is the HMAC-SHA256, under the audit key, of the previous entry's hash and the entry's own
content. Without the key nobody can write an entry that verifies, so an edit, an insertion or a rewrite of
the whole chain is detected; a cut tail is detected by comparing with a head exported earlier (`chain_head`,
`dialer audit head`), kept outside the database. Entries written before the key existed (`keyed` false) are
plain SHA-256 links; the first keyed entry after them seals them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Index, String, Text, false, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.clock import utcnow
from dialer.model.base import Base


class AuditEntry(Base):
    """Who did what to which record, chained to the entry before it by SHA-256."""

    __tablename__ = "audit_log"
    # Two entries may never claim the same predecessor: the chain cannot fork (migration 0002_console).
    __table_args__ = (Index("uq_audit_log_prev_hash", "prev_hash", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    # False only for entries written before the chain was keyed (migration 0009_hardening).
    keyed: Mapped[bool] = mapped_column(default=True, server_default=false())


GENESIS = "0" * 64
# Only one writer may extend the chain at a time; PostgreSQL takes this advisory lock per transaction.
CHAIN_LOCK_KEY = 0x0D1A1E7
# The key of a development database when DIALER_AUDIT_KEY is unset; `dialer serve` refuses it off loopback.
DEV_AUDIT_KEY = "dev-audit-key-not-for-production"
AUDIT_KEY_INFO = "audit_key"  # where a session carries its database's audit key (Database(audit_key=...))


def audit_key(session: Session) -> bytes:
    """Return the audit key of the database this session belongs to."""
    return str(session.info.get(AUDIT_KEY_INFO) or DEV_AUDIT_KEY).encode("utf-8")


def entry_digest(prev_hash: str, at: datetime, actor: str, action: str, target: str,
                 detail: dict[str, Any], ip: str | None, *, key: bytes | None = None) -> str:  # fmt: skip
    """Return the HMAC-SHA256 under `key` (plain SHA-256 without one) of the previous hash and one entry."""
    body = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "target": target,
        "detail": detail,
        "ip": ip,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    message = (prev_hash + canonical).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def append_audit(
    session: Session,
    actor: str,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    *,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry to the chain in the caller's transaction and return it."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK_KEY})
    elif dialect == "sqlite":
        # A read takes no lock on SQLite: two appends (a page's players loading at once) would read the same
        # head and the second would break the chain. A write that changes nothing takes the lock first.
        session.execute(text("UPDATE audit_log SET id = id WHERE 0 = 1"))
    prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    # Store what we hash: JSON round-trips turn tuples into lists and keys into strings.
    clean = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    when = (at or utcnow()).astimezone(UTC)
    entry = AuditEntry(
        at=when, actor=actor[:64], action=action[:40], target=target[:120], detail=clean, ip=ip,
        prev_hash=prev, keyed=True,
        hash=entry_digest(prev, when, actor[:64], action[:40], target[:120], clean, ip, key=audit_key(session)),
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def verify_chain(session: Session) -> list[str]:
    """Return the problems found walking the chain from the first entry; empty means intact."""
    problems: list[str] = []
    expected_prev, key, seen_keyed = GENESIS, audit_key(session), False
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000))
    for e in rows:
        if e.prev_hash != expected_prev:
            problems.append(f"第 {e.id} 条：与前一条接不上（有条目被删除、插入，或其哈希被改写）")
        if seen_keyed and not e.keyed:
            problems.append(f"第 {e.id} 条：在带密钥的条目之后出现了不带密钥的条目（被插入或改写）")
        digest = entry_digest(e.prev_hash, e.at, e.actor, e.action, e.target, e.detail, e.ip,
                              key=key if e.keyed else None)  # fmt: skip
        if not hmac.compare_digest(digest, e.hash):
            problems.append(f"第 {e.id} 条：写入后内容被改动，或不是用当前审计密钥（DIALER_AUDIT_KEY）写的")
        expected_prev, seen_keyed = e.hash, seen_keyed or e.keyed
    return problems


@dataclass(frozen=True)
class Head:
    """The chain's head at one moment: how many entries, the last one's id and hash. Keep it elsewhere."""

    entries: int
    last_id: int
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"entries": self.entries, "last_id": self.last_id, "head": self.hash}


def chain_head(session: Session) -> Head:
    """Return the chain's head; record it outside the database to detect a cut tail or a rewrite later."""
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return Head(count, last[0] if last else 0, last[1] if last else GENESIS)


def check_head(session: Session, head: Head) -> list[str]:
    """Return how the chain differs from a head exported earlier: a cut tail, or entries rewritten."""
    if head.last_id == 0:
        return []
    found = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == head.last_id))
    if found is None:
        return [f"导出的链头第 {head.last_id} 条已不在日志中：日志末尾的条目被删除了"]
    problems = []
    if not hmac.compare_digest(found, head.hash):
        problems.append(f"第 {head.last_id} 条的哈希与导出的链头不同：链被改写过")
    upto = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.id <= head.last_id))
    if upto != head.entries:
        problems.append(f"导出链头时共有 {head.entries} 条，现在到第 {head.last_id} 条为止只有 {upto} 条")
    return problems
