"""heard answers: what `dialer ear` heard live on each question's Media Stream

Revision ID: 0021_heard_answers
Revises: 0018_quality_checks
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_heard_answers"
down_revision: str | None = "0020_follow_ups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "heard_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("stream_sid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("keys", sa.String(length=32), nullable=False),
        sa.Column("speech_start_ms", sa.Integer(), nullable=True),
        sa.Column("speech_end_ms", sa.Integer(), nullable=True),
        sa.Column("final_ms", sa.Integer(), nullable=True),
        sa.Column("barged_in", sa.Boolean(), nullable=False),
        sa.Column("server_ms", sa.Integer(), nullable=True),
        sa.Column("clip_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heard_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_heard_answers_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["clip_id"], ["recordings.id"], name=op.f("fk_heard_answers_clip_id_recordings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heard_answers")),
        sa.UniqueConstraint("attempt_id", "step", name="uq_heard_answers_step"),
    )


def downgrade() -> None:
    op.drop_table("heard_answers")
