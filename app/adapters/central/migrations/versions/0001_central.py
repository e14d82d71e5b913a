"""central schema: records, audit trail, signatures, anchors, stations, published
configuration, quarantine (PostgreSQL). Append-only tables refuse UPDATE and DELETE.

Revision ID: 0001_central
Revises:
Create Date: 2026-11-28
"""
from alembic import op

revision = "0001_central"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("records", "audit_log", "signatures", "audit_anchors")

DDL = (
    """CREATE TABLE audit_anchors (
        station_id VARCHAR(64) NOT NULL,
        seq BIGINT NOT NULL,
        hash VARCHAR(64) NOT NULL,
        anchored_utc TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        PRIMARY KEY (station_id, seq)
)""",
    """CREATE TABLE audit_log (
        id UUID NOT NULL,
        station_id VARCHAR(64) NOT NULL,
        seq BIGINT NOT NULL,
        ts_utc VARCHAR(32) NOT NULL,
        username VARCHAR(64) NOT NULL,
        action VARCHAR(64) NOT NULL,
        entity VARCHAR(64) NOT NULL,
        entity_id VARCHAR(128) NOT NULL,
        old_value TEXT,
        new_value TEXT,
        reason TEXT NOT NULL,
        prev_hash VARCHAR(64) NOT NULL,
        hash VARCHAR(64) NOT NULL,
        received_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT uq_c_audit_station_seq UNIQUE (station_id, seq),
        CONSTRAINT ck_c_audit_seq CHECK (seq > 0)
)""",
    """CREATE TABLE published_config (
        id UUID NOT NULL,
        kind VARCHAR(32) NOT NULL,
        name VARCHAR(128) NOT NULL,
        version INTEGER NOT NULL,
        content TEXT NOT NULL,
        content_sha256 VARCHAR(64) NOT NULL,
        approved_by VARCHAR(64) NOT NULL,
        signature TEXT NOT NULL,
        approved_utc TIMESTAMP WITH TIME ZONE NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT uq_c_published_version UNIQUE (kind, name, version),
        CONSTRAINT ck_c_published_kind CHECK (kind IN ('limit_profile', 'phantom', 'sequence',
            'alarm_definitions', 'users')),
        CONSTRAINT ck_c_published_version CHECK (version > 0)
)""",
    """CREATE TABLE quarantine (
        station_id VARCHAR(64) NOT NULL,
        table_name VARCHAR(64) NOT NULL,
        row_id VARCHAR(64) NOT NULL,
        station_seq BIGINT NOT NULL,
        row_text TEXT NOT NULL,
        reason TEXT NOT NULL,
        received_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        PRIMARY KEY (station_id, table_name, row_id)
)""",
    """CREATE TABLE records (
        id UUID NOT NULL,
        station_id VARCHAR(64) NOT NULL,
        station_seq BIGINT NOT NULL,
        kind VARCHAR(64) NOT NULL,
        subject VARCHAR(128) NOT NULL,
        ref VARCHAR(128) NOT NULL,
        verdict VARCHAR(8),
        payload JSON NOT NULL,
        payload_sha256 VARCHAR(64) NOT NULL,
        supersedes UUID,
        username VARCHAR(64) NOT NULL,
        created_utc VARCHAR(32) NOT NULL,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        software_version VARCHAR(32) NOT NULL,
        config_hash VARCHAR(32) NOT NULL,
        received_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT uq_c_records_station_seq UNIQUE (station_id, station_seq),
        CONSTRAINT ck_c_records_verdict CHECK (verdict IS NULL OR verdict IN ('PASS', 'WARN', 'FAIL', 'ERROR', 'SKIP')),
        CONSTRAINT ck_c_records_seq CHECK (station_seq > 0),
        CONSTRAINT ck_c_records_kind CHECK (kind <> ''),
        CONSTRAINT ck_c_records_sha CHECK (payload_sha256 = encode(sha256(convert_to(payload::text, 'UTF8')), 'hex'))
)""",
    """CREATE INDEX ix_c_records_kind_subject ON records (kind, subject, created_at)""",
    """CREATE INDEX ix_c_records_ref ON records (ref)""",
    """CREATE TABLE signatures (
        id UUID NOT NULL,
        station_id VARCHAR(64) NOT NULL,
        station_seq BIGINT NOT NULL,
        record_kind VARCHAR(64) NOT NULL,
        record_id VARCHAR(128) NOT NULL,
        content_sha256 VARCHAR(64) NOT NULL,
        meaning VARCHAR(32) NOT NULL,
        username VARCHAR(64) NOT NULL,
        printed_name VARCHAR(200) NOT NULL,
        signed_utc VARCHAR(32) NOT NULL,
        comment TEXT NOT NULL,
        audit_seq BIGINT NOT NULL,
        received_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT uq_c_signatures_station_seq UNIQUE (station_id, station_seq)
)""",
    """CREATE INDEX ix_c_signatures_record ON signatures (record_kind, record_id)""",
    """CREATE TABLE station_rows (
        station_id VARCHAR(64) NOT NULL,
        table_name VARCHAR(64) NOT NULL,
        row_id VARCHAR(64) NOT NULL,
        station_seq BIGINT NOT NULL,
        row JSONB NOT NULL,
        received_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        PRIMARY KEY (station_id, table_name, row_id)
)""",
    """CREATE TABLE stations (
        id VARCHAR(64) NOT NULL,
        last_seen TIMESTAMP WITH TIME ZONE NOT NULL,
        schema_version VARCHAR(64) NOT NULL,
        software_version VARCHAR(32) NOT NULL,
        backlog INTEGER DEFAULT 0 NOT NULL,
        PRIMARY KEY (id)
)""",
)


def upgrade() -> None:
    for stmt in DDL:
        op.execute(stmt)
    op.execute("""CREATE FUNCTION pharos_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$""")
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION pharos_append_only()")


def downgrade() -> None:
    for table in ("quarantine", "published_config", "stations", "audit_anchors",
                  "station_rows", "signatures", "audit_log", "records"):
        op.execute(f"DROP TABLE IF EXISTS {table}")
    op.execute("DROP FUNCTION IF EXISTS pharos_append_only()")
