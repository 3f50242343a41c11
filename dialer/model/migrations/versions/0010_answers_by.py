"""answers_by: every answer says who recorded it (the robot, or which agent) and carries the agent's note

Revision ID: 0010_answers_by
Revises: 0009_hardening
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_answers_by"
down_revision: str | None = "0009_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_answers_recorded_by_id_users"), "users", ["recorded_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_answers_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_column("note")
        batch_op.drop_column("recorded_by_id")
