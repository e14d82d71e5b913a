"""Alembic environment: runs on the connection handed over by app.adapters.store."""
from __future__ import annotations

from alembic import context

from app.adapters.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called programmatically
    raise RuntimeError("Pharos migrations run through app.adapters.store.migrate()")

context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=True, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
