"""programme, continued: a loading plan's heartbeat, so an import whose process died is found and cleared;
when an agent closed a lead's series, so that no further call of it is made

Revision ID: 0012_programme_more
Revises: 0009_hardening
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_programme_more"
down_revision: str | None = "0011_report_facts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_closed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("series_closed_at")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
