"""recordings: where each recording is kept, its archive codec, the original's checksum and its lock date

Revision ID: 0008_recordings
Revises: 0007_report
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_recordings"
down_revision: str | None = "0007_report"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("store", sa.String(length=10), server_default="folder", nullable=False))
        batch.add_column(sa.Column("codec", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("original_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("original_size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("retain_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        for name in ("retain_until", "archived_at", "original_size", "original_sha256", "codec", "store"):
            batch.drop_column(name)
