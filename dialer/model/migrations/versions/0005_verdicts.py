"""verdicts: why a problem case repeats an earlier one (repeat complaint or repeat repair)

Revision ID: 0005_verdicts
Revises: 0004_scheduler_indexes
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_verdicts"
down_revision: str | None = "0004_scheduler_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("problem_cases") as batch:
        batch.add_column(sa.Column("repeat_kind", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("problem_cases") as batch:
        batch.drop_column("repeat_kind")
