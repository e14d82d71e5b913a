"""Central quality database tables (PostgreSQL, SQLAlchemy Core).

Every row pushed by a station carries its ``station_id`` and per-station sequence;
UUID primary keys make pushes idempotent (``ON CONFLICT (id) DO NOTHING``) and the
``(station_id, station_seq)`` uniqueness makes a reused sequence number a loud error
(quarantined), never a silent skip. The Alembic line in ``migrations/`` creates these;
``HEAD_REVISION`` is what this code expects and the sync service refuses any other.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, DateTime, Index, Integer,
                        MetaData, String, Table, Text, UniqueConstraint, text)
from sqlalchemy.dialects.postgresql import JSON, JSONB, UUID

from app.adapters.schema import RECORD_VERDICTS

HEAD_REVISION = "0003_verdicts"
VERSION_TABLE = "central_alembic_version"
VERDICTS = RECORD_VERDICTS          # one vocabulary, local and central (D4)
_VERDICT_SQL = ", ".join(f"'{v}'" for v in VERDICTS)

metadata = MetaData()
_NOW = text("now()")

records = Table(
    "records", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("station_id", String(64), nullable=False),
    Column("station_seq", BigInteger, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("ref", String(128), nullable=False),
    Column("verdict", String(8), nullable=True),
    Column("payload", JSON, nullable=False),          # exact text as hashed
    Column("payload_sha256", String(64), nullable=False),
    Column("supersedes", UUID(as_uuid=False), nullable=True),
    Column("username", String(64), nullable=False),
    Column("created_utc", String(32), nullable=False),        # exactly as the station wrote it
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("software_version", String(32), nullable=False),
    Column("config_hash", String(32), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=_NOW),
    UniqueConstraint("station_id", "station_seq", name="uq_c_records_station_seq"),
    CheckConstraint(f"verdict IS NULL OR verdict IN ({_VERDICT_SQL})", name="ck_c_records_verdict"),
    CheckConstraint("station_seq > 0", name="ck_c_records_seq"),
    CheckConstraint("kind <> ''", name="ck_c_records_kind"),
    # the central database itself refuses a payload that does not match its hash
    CheckConstraint("payload_sha256 = encode(sha256(convert_to(payload::text, 'UTF8')), 'hex')",
                    name="ck_c_records_sha"),
    Index("ix_c_records_kind_subject", "kind", "subject", "created_at"),
    Index("ix_c_records_ref", "ref"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("station_id", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("ts_utc", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("entity_id", String(128), nullable=False),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
    Column("reason", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=_NOW),
    UniqueConstraint("station_id", "seq", name="uq_c_audit_station_seq"),
    CheckConstraint("seq > 0", name="ck_c_audit_seq"),
)

signatures = Table(
    "signatures", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("station_id", String(64), nullable=False),
    Column("station_seq", BigInteger, nullable=False),
    Column("record_kind", String(64), nullable=False),
    Column("record_id", String(128), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("meaning", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("printed_name", String(200), nullable=False),
    Column("signed_utc", String(32), nullable=False),
    Column("comment", Text, nullable=False),
    Column("audit_seq", BigInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=_NOW),
    UniqueConstraint("station_id", "station_seq", name="uq_c_signatures_station_seq"),
    Index("ix_c_signatures_record", "record_kind", "record_id"),
)

# rows of station-specific outbox tables that have no typed central table (nothing lost)
station_rows = Table(
    "station_rows", metadata,
    Column("station_id", String(64), primary_key=True),
    Column("table_name", String(64), primary_key=True),
    Column("row_id", String(64), primary_key=True),
    Column("station_seq", BigInteger, nullable=False),
    Column("row", JSONB, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=_NOW),
)

audit_anchors = Table(
    "audit_anchors", metadata,
    Column("station_id", String(64), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("anchored_utc", DateTime(timezone=True), nullable=False, server_default=_NOW),
)

stations = Table(
    "stations", metadata,
    Column("id", String(64), primary_key=True),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("schema_version", String(64), nullable=False),
    Column("software_version", String(32), nullable=False),
    Column("backlog", Integer, nullable=False, server_default=text("0")),
)

published_config = Table(
    "published_config", metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("content", Text, nullable=False),                  # canonical JSON
    Column("content_sha256", String(64), nullable=False),
    Column("approved_by", String(64), nullable=False),
    Column("signature", Text, nullable=False),                # canonical JSON manifest
    Column("approved_utc", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "name", "version", name="uq_c_published_version"),
    CheckConstraint("kind IN ('limit_profile', 'phantom', 'sequence', 'alarm_definitions', "
                    "'users')", name="ck_c_published_kind"),
    CheckConstraint("version > 0", name="ck_c_published_version"),
)

quarantine = Table(
    "quarantine", metadata,
    Column("station_id", String(64), primary_key=True),
    Column("table_name", String(64), primary_key=True),
    Column("row_id", String(64), primary_key=True),
    Column("station_seq", BigInteger, nullable=False),
    Column("row_text", Text, nullable=False),                 # the exact outbox snapshot
    Column("reason", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=_NOW),
)

PUBLISHED_KINDS = ("limit_profile", "phantom", "sequence", "alarm_definitions", "users")
