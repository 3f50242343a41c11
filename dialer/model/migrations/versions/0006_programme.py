"""programme: plans (import batches) with approval, sampling and progress; tasks in repeating series

Revision ID: 0006_programme
Revises: 0005_verdicts
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_programme"
down_revision: str | None = "0005_verdicts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Lists imported before plans existed were dialled at once: they stay approved.
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="approved"))
        batch.add_column(sa.Column("rows", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("loaded", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("header_row", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("decided_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("decided_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("decision_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("sample_rate", sa.Double(), nullable=True))
        batch.add_column(sa.Column("sample_seed", sa.String(80), nullable=True))
        batch.add_column(sa.Column("not_sampled", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("summary", sa.Text(), nullable=True))
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("series_step", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("series_total", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("grade", sa.String(10), nullable=True))
        batch.drop_constraint("uq_tasks_customer_type_event", type_="unique")
        batch.create_unique_constraint(
            "uq_tasks_customer_type_event", ["customer_id", "type", "event_at", "series_step"]
        )
    op.create_index("ix_tasks_import_batch_id", "tasks", ["import_batch_id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_import_batch_id", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_constraint("uq_tasks_customer_type_event", type_="unique")
        batch.create_unique_constraint("uq_tasks_customer_type_event", ["customer_id", "type", "event_at"])
        for name in ("grade", "series_total", "series_step"):
            batch.drop_column(name)
    with op.batch_alter_table("import_batches") as batch:
        for name in ("summary", "not_sampled", "sample_seed", "sample_rate", "decision_note", "decided_at",
                     "decided_by", "header_row", "loaded", "rows", "status"):  # fmt: skip
            batch.drop_column(name)
