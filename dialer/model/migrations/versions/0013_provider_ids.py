"""provider ids: gateway call and recording ids up to 64 characters

Twilio's ids are 34 characters; SignalWire and Somleng use 36-character UUIDs and Telnyx about 56, which
PostgreSQL refused in the former String(34) columns.

Revision ID: 0013_provider_ids
Revises: 0009_hardening
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_provider_ids"
down_revision: str | None = "0012_programme_more"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("attempts", "call_sid"), ("recordings", "gateway_sid"), ("escalations", "agent_call_sid"))


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(length=34), type_=sa.String(length=64), existing_nullable=True
            )


def downgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(length=64), type_=sa.String(length=34), existing_nullable=True
            )
