"""Alembic environment of the central PostgreSQL schema (its own line and version table).

Runs on the connection handed over by app.adapters.central.db.migrate_central().
"""
from __future__ import annotations

from alembic import context

from app.adapters.central.tables import VERSION_TABLE, metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called programmatically
    raise RuntimeError("Central migrations run through app.adapters.central.db.migrate_central()")

context.configure(connection=connection, target_metadata=metadata,
                  version_table=VERSION_TABLE, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
