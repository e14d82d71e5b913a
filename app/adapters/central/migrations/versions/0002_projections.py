"""typed projections for the plant view: qc_measurements (exploded from ct_qc.result
payloads) and alarm_events (records whose kind contains '.alarm').

Revision ID: 0002_projections
Revises: 0001_central
Create Date: 2026-11-28
"""
from alembic import op

revision = "0002_projections"
down_revision = "0001_central"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_c_records_ctqc ON records (created_at) "
               "WHERE kind = 'ct_qc.result'")
    op.execute("CREATE INDEX ix_c_records_station_kind ON records (station_id, kind, created_at)")
    op.execute("""
CREATE VIEW qc_measurements AS
SELECT r.id AS record_id, r.station_id, r.station_seq, r.created_at,
       COALESCE(NULLIF(r.payload->'inputs'->>'scanner_serial', ''), r.subject) AS scanner_serial,
       r.payload->>'phantom' AS phantom,
       m->>'key' AS key,
       CASE WHEN json_typeof(m->'value') = 'number'
            THEN (m->>'value')::double precision END AS value,
       m->>'value' AS value_text,
       m->>'unit' AS unit,
       m->>'verdict' AS verdict,
       r.verdict AS result_verdict
FROM records r
CROSS JOIN LATERAL json_array_elements(
    CASE WHEN json_typeof(r.payload->'measurements') = 'array'
         THEN r.payload->'measurements' ELSE '[]'::json END) AS m
WHERE r.kind = 'ct_qc.result'""")
    op.execute("""
CREATE VIEW alarm_events AS
SELECT r.id AS record_id, r.station_id, r.station_seq, r.created_at,
       r.kind, r.subject AS room,
       COALESCE(r.payload->>'alarm_id', r.payload->>'alarm', NULLIF(r.ref, '')) AS alarm_id,
       COALESCE(r.payload->>'severity', '') AS severity,
       COALESCE(r.payload->>'state', r.payload->>'event', '') AS state,
       COALESCE(r.payload->>'message', '') AS message,
       r.verdict
FROM records r
WHERE r.kind LIKE '%.alarm%'""")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS alarm_events")
    op.execute("DROP VIEW IF EXISTS qc_measurements")
    op.execute("DROP INDEX IF EXISTS ix_c_records_station_kind")
    op.execute("DROP INDEX IF EXISTS ix_c_records_ctqc")
