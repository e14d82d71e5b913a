"""Plant-view queries across stations (central database, read-only, Qt-free).

Each returns plain dicts; the plant view runs them in the background.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, text


def _since(days: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days)


def _rows(conn: Connection, sql: str, **params: object) -> list[dict]:
    return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def scanner_serials(conn: Connection, days: float = 365) -> list[str]:
    return [r["scanner_serial"] for r in _rows(conn, """
        SELECT DISTINCT scanner_serial FROM qc_measurements
        WHERE created_at >= :since AND scanner_serial IS NOT NULL ORDER BY 1""",
        since=_since(days))]


def measurement_keys(conn: Connection, days: float = 365) -> list[str]:
    return [r["key"] for r in _rows(conn, """
        SELECT DISTINCT key FROM qc_measurements
        WHERE created_at >= :since AND value IS NOT NULL ORDER BY 1""", since=_since(days))]


def results_for_serial(conn: Connection, serial: str, days: float = 90,
                       limit: int = 2000) -> list[dict]:
    """Every record about one scanner (by subject or the QC result's scanner serial)."""
    return _rows(conn, """
        SELECT r.created_at, r.station_id, r.kind, r.verdict, r.ref, r.id::text AS record_id,
               (SELECT count(*) FROM signatures s WHERE s.record_id = r.id::text) AS signatures
        FROM records r
        WHERE r.created_at >= :since
          AND (r.subject = :serial OR
               (r.kind = 'ct_qc.result'
                AND (r.payload::jsonb)->'inputs'->>'scanner_serial' = :serial))
        ORDER BY r.created_at DESC LIMIT :limit""", serial=serial, since=_since(days),
        limit=limit)


def fleet_trend(conn: Connection, key: str, days: float = 90, limit: int = 20000) -> list[dict]:
    """One measurement key across every scanner: created_at, scanner_serial, value, verdict."""
    return _rows(conn, """
        SELECT created_at, scanner_serial, station_id, value, unit, verdict,
               record_id::text AS record_id
        FROM qc_measurements
        WHERE key = :key AND created_at >= :since AND value IS NOT NULL
        ORDER BY created_at LIMIT :limit""", key=key, since=_since(days), limit=limit)


def fleet_summary(conn: Connection, key: str, days: float = 90) -> list[dict]:
    """Per scanner: n, mean, sd, min, max, WARN/FAIL counts of one measurement key."""
    return _rows(conn, """
        SELECT scanner_serial, count(*) AS n, avg(value) AS mean, stddev_samp(value) AS sd,
               min(value) AS min, max(value) AS max,
               count(*) FILTER (WHERE verdict = 'WARN') AS warn,
               count(*) FILTER (WHERE verdict IN ('FAIL', 'ERROR')) AS fail
        FROM qc_measurements
        WHERE key = :key AND created_at >= :since AND value IS NOT NULL
        GROUP BY scanner_serial ORDER BY scanner_serial""", key=key, since=_since(days))


def alarm_kpis(conn: Connection, days: float = 30) -> list[dict]:
    """Per room and alarm: events, raised, cleared, high severity, stations, last event."""
    return _rows(conn, """
        SELECT room, alarm_id, count(*) AS events,
               count(*) FILTER (WHERE state = 'raised') AS raised,
               count(*) FILTER (WHERE state = 'cleared') AS cleared,
               count(*) FILTER (WHERE severity IN ('high', 'critical')) AS high,
               count(DISTINCT station_id) AS stations, max(created_at) AS last_event
        FROM alarm_events WHERE created_at >= :since
        GROUP BY room, alarm_id ORDER BY raised DESC, events DESC""", since=_since(days))


def stations_overview(conn: Connection) -> list[dict]:
    return _rows(conn, """
        SELECT s.id AS station_id, s.last_seen, s.schema_version, s.software_version,
               s.backlog, (SELECT count(*) FROM quarantine q WHERE q.station_id = s.id)
               AS quarantined,
               (SELECT max(seq) FROM audit_anchors a WHERE a.station_id = s.id) AS anchored_seq
        FROM stations s ORDER BY s.id""")
