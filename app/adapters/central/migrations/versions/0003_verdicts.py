"""one verdict vocabulary for local and central records: FLAG (AI / image review) and
ABORTED (tunnel runs) join PASS, WARN, FAIL, ERROR, SKIP (ck_c_records_verdict).

The list is written out here (a migration is history); the test
tests/sync/test_verdicts.py checks it equals app.adapters.schema.RECORD_VERDICTS.

Revision ID: 0003_verdicts
Revises: 0002_projections
Create Date: 2026-12-05
"""
from alembic import op

revision = "0003_verdicts"
down_revision = "0002_projections"
branch_labels = None
depends_on = None

VERDICTS = ("PASS", "WARN", "FAIL", "ERROR", "SKIP", "FLAG", "ABORTED")
OLD = ("PASS", "WARN", "FAIL", "ERROR", "SKIP")


def _check(values: tuple[str, ...]) -> str:
    return "verdict IS NULL OR verdict IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.execute("ALTER TABLE records DROP CONSTRAINT ck_c_records_verdict")
    op.execute(f"ALTER TABLE records ADD CONSTRAINT ck_c_records_verdict CHECK ({_check(VERDICTS)})")


def downgrade() -> None:
    op.execute("ALTER TABLE records DROP CONSTRAINT ck_c_records_verdict")
    op.execute(f"ALTER TABLE records ADD CONSTRAINT ck_c_records_verdict CHECK ({_check(OLD)}) "
               "NOT VALID")
