"""Console sign-ins kept on the server: a cookie carries only a random token, the row says whether it still
holds. Signing out, a role change or deactivation ends it at once; it also ends after an idle and an absolute
lifetime (DIALER_SESSION_IDLE_MINUTES, DIALER_SESSION_MAX_HOURS).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.model.base import Base
from dialer.model.people import User

# Writing last_seen_at on every page would make each read a write; a minute's precision is enough.
TOUCH_EVERY = timedelta(minutes=1)


class UserSession(Base):
    """One sign-in to the console. Only the SHA-256 of its token is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # the role signed in with: a change ends the session
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_why: Mapped[str | None] = mapped_column(String(20))  # logout | idle | expired | role | inactive
    ip: Mapped[str | None] = mapped_column(String(64))


@dataclass(frozen=True)
class Lifetimes:
    """How long a sign-in may sit idle, and how long it may last at all."""

    idle: timedelta
    absolute: timedelta


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, user: User, now: datetime, ip: str | None) -> str:
    """Record a new sign-in for `user` and return the token for the cookie; the caller commits."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_digest(token), user_id=user.id, role=str(user.role), created_at=now,
                            last_seen_at=now, ip=ip))  # fmt: skip
    session.flush()
    return token


def _why_over(row: UserSession, user: User | None, now: datetime, limits: Lifetimes) -> str | None:
    if user is None or not user.active:
        return "inactive"
    if row.role != str(user.role):
        return "role"
    if now - _aware(row.created_at, now) >= limits.absolute:
        return "expired"
    if now - _aware(row.last_seen_at, now) >= limits.idle:
        return "idle"
    return None


def _aware(value: datetime, like: datetime) -> datetime:
    # SQLite hands back naive UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=like.tzinfo)


def resume_session(session: Session, token: str, now: datetime, limits: Lifetimes) -> User | None:
    """Return the user of a sign-in that still holds (touching it), or None, ending one that ran out."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    why = _why_over(row, user, now, limits)
    if why is not None:
        row.ended_at, row.ended_why = now, why
        return None
    if now - _aware(row.last_seen_at, now) >= TOUCH_EVERY:
        row.last_seen_at = now
    return user


def end_session(session: Session, token: str, now: datetime, why: str = "logout") -> None:
    """End one sign-in (signing out)."""
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _digest(token), UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
    )


def end_sessions(session: Session, user_id: int, now: datetime, why: str) -> None:
    """End every open sign-in of one user (a role change, deactivation)."""
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
    )
