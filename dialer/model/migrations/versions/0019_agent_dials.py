"""agents' own calls (拨打): the request rows, and who placed each attempt

Revision ID: 0019_agent_dials
Revises: 0018_quality_checks
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_agent_dials"
down_revision: str | None = "0018_quality_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("placed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_attempts_placed_by_id_users"), "users", ["placed_by_id"], ["id"]
        )
    op.create_table(
        "agent_dials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agent_phone", sa.String(length=20), nullable=False),
        sa.Column("agent_call_sid", sa.String(length=64), nullable=True),
        sa.Column("customer_call_sid", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agent_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("customer_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["users.id"], name=op.f("fk_agent_dials_agent_id_users")),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_agent_dials_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["callback_id"], ["callbacks.id"], name=op.f("fk_agent_dials_callback_id_callbacks")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["problem_cases.id"], name=op.f("fk_agent_dials_case_id_problem_cases")
        ),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_agent_dials_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_dials")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_agent_dials_attempt_id")),
    )
    op.create_index("ix_agent_dials_status", "agent_dials", ["status", "id"], unique=False)
    op.create_index(op.f("ix_agent_dials_agent_id"), "agent_dials", ["agent_id"], unique=False)
    op.create_index(op.f("ix_agent_dials_task_id"), "agent_dials", ["task_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_agent_dials_task_id"), table_name="agent_dials")
    op.drop_index(op.f("ix_agent_dials_agent_id"), table_name="agent_dials")
    op.drop_index("ix_agent_dials_status", table_name="agent_dials")
    op.drop_table("agent_dials")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_attempts_placed_by_id_users"), type_="foreignkey")
        batch_op.drop_column("placed_by_id")
