"""Alembic environment: runs on the engine the caller hands in (see dialer.model.db.migrate)."""

from __future__ import annotations

from alembic import context

from dialer.model import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only through dialer.model.db
    raise RuntimeError("run migrations through `dialer init`, which hands alembic an engine")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
