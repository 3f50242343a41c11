"""report facts on each task: a call answered, its problem cases, its final answers; tasks by first call date

The monthly report counts a month from the task rows alone. The facts are filled here from the calls already
stored, and from now on each time one of a task's calls ends.

Revision ID: 0011_report_facts
Revises: 0009_hardening
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from dialer.model.facts import backfill_statements

revision: str = "0011_report_facts"
down_revision: str | None = "0010_answers_by"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connected", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("case_count", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("answer_facts", sa.Text(), nullable=True))
        batch_op.create_index("ix_tasks_earliest", ["earliest_at"], unique=False)
    bind = op.get_bind()
    for stmt in backfill_statements(bind.dialect.name):
        bind.execute(sa.text(stmt))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_earliest")
        batch_op.drop_column("answer_facts")
        batch_op.drop_column("case_count")
        batch_op.drop_column("connected")
