"""scheduler indexes: a partial index on the attempts in flight, and a second pacer row for claims

Revision ID: 0004_scheduler_indexes
Revises: 0003_dial_pacer
Create Date: 2026-11-22
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004_scheduler_indexes"
down_revision: str | None = "0003_dial_pacer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IN_FLIGHT_SQL = "status IN ('claimed', 'placing', 'queued', 'initiated', 'ringing', 'in-progress')"


def upgrade() -> None:
    # Row 1 paces calls per second; row 2 is locked while a scheduler claims, so pacing never waits on it.
    pacer = sa.table(
        "dial_pacer", sa.column("id", sa.Integer()), sa.column("next_slot_at", sa.DateTime(timezone=True))
    )
    op.bulk_insert(pacer, [{"id": 2, "next_slot_at": datetime(2000, 1, 1, tzinfo=UTC)}])
    op.create_index(
        "ix_attempts_in_flight",
        "attempts",
        ["status"],
        postgresql_where=sa.text(IN_FLIGHT_SQL),
        sqlite_where=sa.text(IN_FLIGHT_SQL),
    )


def downgrade() -> None:
    op.execute("DELETE FROM dial_pacer WHERE id = 2")
    op.drop_index("ix_attempts_in_flight", table_name="attempts")
