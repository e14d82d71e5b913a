"""Local store tables (SQLAlchemy Core). Migrations in ``migrations/`` create them.

Every synced row carries: UUID ``id``, ``station_id``, a per-station monotonic
``station_seq``, user, UTC timestamps, software version and config hash.
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, DateTime, Integer, MetaData, String, Table,
                        Text, UniqueConstraint, Index)

metadata = MetaData()

# The one vocabulary of record verdicts, shared by the local store (checked on write,
# ``Store.add_record``) and the central database (``ck_c_records_verdict``, migration
# 0003_verdicts). A verdict a station may write is one the plant accepts.
#   PASS / WARN / FAIL / ERROR / SKIP  measurement verdicts (app.core.measurement.Verdict)
#   FLAG     the AI or an image reviewer flagged the series (image_review, ct_qc hand-off)
#   ABORTED  a tunnel test run stopped by the operator (tunnel_test disposition)
RECORD_VERDICTS = ("PASS", "WARN", "FAIL", "ERROR", "SKIP", "FLAG", "ABORTED")

users = Table(
    "users", metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("roles", Text, nullable=False),            # JSON list of role names
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("password_changed_utc", DateTime(timezone=True), nullable=False),
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("created_utc", DateTime(timezone=True), nullable=False),
    Column("password_history", Text, nullable=False, default="[]"),  # JSON: last hashes
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # gap-free 1..n
    Column("id", String(36), nullable=False, unique=True),
    Column("ts_utc", String(32), nullable=False),     # ISO-8601 ms 'Z' (hashed as text)
    Column("station_id", String(64), nullable=False),
    Column("username", String(64), nullable=False),   # '' for the system
    Column("action", String(64), nullable=False),     # create/change/delete/sign/login...
    Column("entity", String(64), nullable=False),
    Column("entity_id", String(128), nullable=False),
    Column("old_value", Text, nullable=True),         # canonical JSON
    Column("new_value", Text, nullable=True),
    Column("reason", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

signatures = Table(
    "signatures", metadata,
    Column("id", String(36), primary_key=True),
    Column("station_id", String(64), nullable=False),
    Column("station_seq", Integer, nullable=False),
    Column("record_kind", String(64), nullable=False),
    Column("record_id", String(128), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("meaning", String(32), nullable=False),
    Column("username", String(64), nullable=False),
    Column("printed_name", String(200), nullable=False),
    Column("signed_utc", String(32), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("audit_seq", Integer, nullable=False),
    Index("ix_signatures_record", "record_kind", "record_id"),
)

records = Table(
    "records", metadata,
    Column("id", String(36), primary_key=True),
    Column("station_id", String(64), nullable=False),
    Column("station_seq", Integer, nullable=False),
    Column("kind", String(64), nullable=False),       # e.g. ct_qc.result, tunnel.run
    Column("subject", String(128), nullable=False),   # scanner / unit / detector serial
    Column("ref", String(128), nullable=False),       # e.g. Series Instance UID
    Column("verdict", String(8), nullable=True),
    Column("payload", Text, nullable=False),          # canonical JSON
    Column("payload_sha256", String(64), nullable=False),
    Column("supersedes", String(36), nullable=True),  # append-only: a change is a new row
    Column("username", String(64), nullable=False),
    Column("created_utc", String(32), nullable=False),
    Column("software_version", String(32), nullable=False),
    Column("config_hash", String(32), nullable=False),
    Index("ix_records_kind_subject", "kind", "subject", "created_utc"),
    Index("ix_records_ref", "ref"),
    UniqueConstraint("station_id", "station_seq", name="uq_records_station_seq"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("table_name", String(64), nullable=False),
    Column("row_id", String(64), nullable=False),
    Column("station_seq", Integer, nullable=False),
    Column("created_utc", String(32), nullable=False),
    Column("payload", Text, nullable=False),          # canonical JSON snapshot of the row
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("quarantined", Boolean, nullable=False, default=False),
)

sequences = Table(
    "sequences", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)

settings_kv = Table(
    "settings_kv", metadata,
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_utc", String(32), nullable=False),
)

APPEND_ONLY_TABLES = ("audit_log", "signatures", "records")
