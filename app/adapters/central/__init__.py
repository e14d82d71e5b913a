"""Central quality database (PostgreSQL): schema and migrations, idempotent push,
published-config pull, agreement check, plant queries."""
