"""A global pacer shared by every scheduler process: calls per second and claims are serialised here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Index, func, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from dialer.model.base import Base
from dialer.model.calls import Attempt
from dialer.model.states import CALLS_IN_FLIGHT, CallStatus

PACER_ID = 1  # the row whose next_slot_at paces calls per second
CLAIMS_ROW = 2  # the row whose lock serialises claims (migration 0004), so pacing never waits on a claim
IN_FLIGHT = tuple(status for status in CallStatus if status in CALLS_IN_FLIGHT)
IN_FLIGHT_SQL = "status IN ({})".format(", ".join(f"'{status}'" for status in IN_FLIGHT))

# Each pass counts the calls in flight; a partial index keeps that count as small as the calls themselves
# however many finished attempts the table holds (migration 0004).
Index(
    "ix_attempts_in_flight",
    Attempt.status,
    postgresql_where=text(IN_FLIGHT_SQL),
    sqlite_where=text(IN_FLIGHT_SQL),
)


class DialPacer(Base):
    """One row: when the next call may be placed. Locking it serialises claims across processes."""

    __tablename__ = "dial_pacer"

    id: Mapped[int] = mapped_column(primary_key=True)
    next_slot_at: Mapped[datetime]


def lock_pacer(session: Session, now: datetime, row: int = PACER_ID) -> DialPacer:
    """Take a pacer row's lock until this transaction ends (a row lock on PostgreSQL, the write lock on SQLite)."""
    # Writing first makes SQLite take its write lock now, so concurrent claimers queue instead of racing.
    session.execute(update(DialPacer).where(DialPacer.id == row).values(id=row))
    q = select(DialPacer).where(DialPacer.id == row).with_for_update()
    pacer = session.scalar(q.execution_options(populate_existing=True))
    if pacer is None:  # the migrations create the rows; this only guards a hand-made schema
        pacer = DialPacer(id=row, next_slot_at=now)
        session.add(pacer)
        session.flush()
    return pacer


def reserve_slot(session: Session, now: datetime, calls_per_second: float) -> datetime:
    """Reserve the next free instant to place a call; the caller waits until then."""
    pacer = lock_pacer(session, now)
    slot = max(pacer.next_slot_at, now)
    pacer.next_slot_at = slot + timedelta(seconds=1.0 / calls_per_second)
    return slot


def calls_in_flight(session: Session) -> int:
    """Return how many attempts are being placed or are live at the gateway."""
    q = select(func.count()).select_from(Attempt).where(Attempt.status.in_(IN_FLIGHT))
    return session.scalar(q) or 0
