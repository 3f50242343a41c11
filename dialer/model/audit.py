"""The append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Index, String, Text, func, select, text
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


GENESIS = "0" * 64
# Only one writer may extend the chain at a time; PostgreSQL takes this advisory lock per transaction.
CHAIN_LOCK_KEY = 0x0D1A1E7


def entry_digest(prev_hash: str, at: datetime, actor: str, action: str, target: str,
                 detail: dict[str, Any], ip: str | None) -> str:  # fmt: skip
    """Return the SHA-256 of the previous hash followed by the canonical JSON of one entry."""
    body = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "target": target,
        "detail": detail,
        "ip": ip,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


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
        prev_hash=prev, hash=entry_digest(prev, when, actor[:64], action[:40], target[:120], clean, ip),
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def verify_chain(session: Session) -> list[str]:
    """Return the problems found walking the chain from the first entry; empty means intact."""
    problems: list[str] = []
    expected_prev = GENESIS
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000))
    for e in rows:
        if e.prev_hash != expected_prev:
            problems.append(
                f"entry #{e.id}: does not follow the entry before it (an entry was deleted, inserted or "
                "its hash was rewritten)"
            )
        if entry_digest(e.prev_hash, e.at, e.actor, e.action, e.target, e.detail, e.ip) != e.hash:
            problems.append(f"entry #{e.id}: its content was changed after it was written")
        expected_prev = e.hash
    return problems


def chain_head(session: Session) -> tuple[int, str]:
    """Return (number of entries, hash of the last entry); record it elsewhere to detect a cut tail."""
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    head = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    return count, head
