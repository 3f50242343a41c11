"""manual follow-up (机构自访): each visit, letter, message or branch call with its signed receipt

Revision ID: 0020_follow_ups
Revises: 0018_quality_checks
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_follow_ups"
down_revision: str | None = "0019_agent_dials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("way", sa.String(length=20), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("staff_name", sa.String(length=100), nullable=False),
        sa.Column("reached_name", sa.String(length=100), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("receipt_store", sa.String(length=20), nullable=False),
        sa.Column("receipt_path", sa.String(length=255), nullable=False),
        sa.Column("receipt_name", sa.String(length=255), nullable=False),
        sa.Column("receipt_type", sa.String(length=40), nullable=False),
        sa.Column("receipt_size", sa.Integer(), nullable=False),
        sa.Column("receipt_sha256", sa.String(length=64), nullable=False),
        sa.Column("receipt_uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("receipt_uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_follow_ups_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index(op.f("ix_follow_ups_task_id"), "follow_ups", ["task_id"], unique=False)
    op.create_index(op.f("ix_follow_ups_done_on"), "follow_ups", ["done_on"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_follow_ups_done_on"), table_name="follow_ups")
    op.drop_index(op.f("ix_follow_ups_task_id"), table_name="follow_ups")
    op.drop_table("follow_ups")
