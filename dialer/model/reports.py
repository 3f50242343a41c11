"""Filed monthly reports: append-only snapshots of the figures, the written analysis and the exported file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dialer.clock import utcnow
from dialer.model.base import Base


class FiledReport(Base):
    """One filing of one month's report for one scope; a re-filing adds a row with the next version.

    Rows are never updated or deleted: the newest version of a (month, scope) is the one in force.
    """

    __tablename__ = "filed_reports"
    __table_args__ = (
        Index("uq_filed_reports_month_scope_version", "month", "scope", "version", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    scope: Mapped[str] = mapped_column(
        String(250), default=""
    )  # the filters, canonical; "" = whole programme
    version: Mapped[int] = mapped_column(default=1)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    analysis: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)  # why it was filed again (versions after the first)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
