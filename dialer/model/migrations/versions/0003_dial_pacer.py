"""dial pacer: one row that serialises claims and paces calls across scheduler processes

Revision ID: 0003_dial_pacer
Revises: 0002_console
Create Date: 2026-11-22
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003_dial_pacer"
down_revision: str | None = "0002_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pacer = op.create_table(
        "dial_pacer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("next_slot_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dial_pacer")),
    )
    op.bulk_insert(pacer, [{"id": 1, "next_slot_at": datetime(2000, 1, 1, tzinfo=UTC)}])


def downgrade() -> None:
    op.drop_table("dial_pacer")
