"""Customers, opt-outs and console users."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dialer.clock import utcnow
from dialer.model.base import Base, Role


class Customer(Base):
    """A person to be called back. The phone is stored in E.164."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("phone", "name", name="uq_customers_phone_name"),
        Index("ix_customers_external_id", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    birth_year: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(String(8))
    legal_hold: Mapped[bool] = mapped_column(default=False)
    purged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def age_at(self, year: int) -> int | None:
        """Return the customer's age in `year`, if the birth year is known."""
        return None if self.birth_year is None else year - self.birth_year


class OptOut(Base):
    """A customer's request not to be called. Mandatory task types still call (see task_types.toml)."""

    __tablename__ = "opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    task_type: Mapped[str | None] = mapped_column(String(40))  # None: every optional type
    reason: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(40), default="operator")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person who signs in to the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    department: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
