"""Each alarm rule and ISA-18.2 state transition of the lead-room alarm engine."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.core.errors import ConfigError, ValidationError
from station_plugins.lead_room.alarm_defs import BUILTIN, parse_definitions
from station_plugins.lead_room.alarms import AlarmEngine
from tests.lead_room.helpers import SV, FakeClock, room_values

TEMP_HIGH = {"id": "temperature_high", "title": "Room temperature high",
             "signal": "Temperature", "rule": "high", "priority": "low", "limit": 35.0,
             "deadband": 1.0, "on_delay_s": 60, "off_delay_s": 10}


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def journal():
    return []


@pytest.fixture
def engine(clock, journal):
    defs = parse_definitions([TEMP_HIGH], "test")
    return AlarmEngine(defs, clock=clock, journal=journal.append)


def events(journal, alarm_id):
    return [e.event for e in journal if e.alarm_id == alarm_id]


def test_boundary_high_on_delay_deadband_and_clear(engine, clock, journal):
    engine.ingest(room_values(poi=0.12))
    aid = "Room01/boundary_high/POI1"
    engine.ingest([SV("Room01/Boundary/POI1", 3.0, source_ts=clock.t)])
    assert engine.alarms[aid].state == "NORMAL"          # on-delay 1 s pending
    clock.advance(1.2)
    engine.ingest([SV("Room01/Boundary/POI1", 3.1)])
    a = engine.alarms[aid]
    assert a.state == "UNACK" and a.definition.priority.label == "high"
    engine.ingest([SV("Room01/Boundary/POI1", 2.4)])       # inside deadband (2.25..2.5)
    assert a.active
    engine.ingest([SV("Room01/Boundary/POI1", 2.0)])
    assert a.state == "RTN_UNACK"
    engine.ack(aid, "op1", "surveyed, door seal fixed")
    assert a.state == "NORMAL"
    assert events(journal, aid) == ["activated", "cleared", "acked"]
    assert journal[-1].comment == "surveyed, door seal fixed" and journal[-1].user == "op1"


def test_boundary_very_high_is_immediate_critical(engine):
    engine.ingest(room_values(poi=12.0))
    a = engine.alarms["Room01/boundary_very_high/POI1"]
    assert a.active and a.definition.priority.label == "critical"
    assert engine.banner()["definition"] == "boundary_very_high"


def test_door_open_while_beam_on_is_immediate_and_never_bent(engine, clock):
    engine.ingest(room_values(beam=True, door=False))
    aid = "Room01/door_beam"
    assert not engine.alarms[aid].active
    engine.ingest([SV("Room01/Doors/Door1", True, source_ts=clock.t)])
    a = engine.alarms[aid]
    assert a.state == "UNACK" and a.definition.priority.label == "critical"
    with pytest.raises(ValidationError, match="never shelved"):
        engine.shelve(aid, "sup", "testing", 60)
    with pytest.raises(ValidationError, match="never be taken out of service"):
        engine.out_of_service(aid, "sup", "P-1")
    engine.set_maintenance("Room01", True, "sup", "tube change")
    assert a.state == "UNACK"                           # never suppressed
    banner = engine.banner()
    assert banner["id"] == aid and banner["unacked"] == 1
    engine.ack(aid, "op1", "e-stop pressed")
    assert engine.banner() is not None                  # acked but active: banner stays
    engine.ingest([SV("Room01/BeamOn", False)])
    assert engine.banner() is None


def test_monitor_fault_bypass_and_calibration(engine, clock):
    past = datetime.now(timezone.utc) - timedelta(days=2)
    engine.ingest(room_values(MonitorFault=True, BypassKey=True, CalibrationDue=past))
    assert engine.alarms["Room01/monitor_fault/MonitorFault"].active
    assert engine.alarms["Room01/bypass_key/BypassKey"].active
    cal = engine.alarms["Room01/calibration_expired/CalibrationDue"]
    assert cal.active and cal.definition.priority.label == "medium"


def test_bad_status_and_stale_data_raise_monitor_stale(engine, clock):
    engine.ingest(room_values())
    engine.ingest([SV("Room01/Boundary/POI2", None, "BAD", "BadSensorFailure")])
    assert engine.alarms["Room01/monitor_stale/POI2"].active
    clock.advance(11)
    engine.ingest([SV("Room01/Boundary/POI2", 0.11)])   # POI2 fresh again, POI1 silent
    engine.tick()
    assert not engine.alarms["Room01/monitor_stale/POI2"].active
    assert engine.alarms["Room01/monitor_stale/POI1"].active


def test_connection_loss_is_one_alarm_not_a_flood(engine, clock):
    engine.ingest(room_values("Room01") + room_values("Room02"))
    engine.set_connection(False, "link down")
    engine.ingest([SV(k, None, "BAD", "connection lost") for k in list(engine.values)])
    clock.advance(30)
    engine.tick()
    active = engine.list("active")
    assert [r["id"] for r in active] == ["GATEWAY/gateway_comm"]
    assert engine.banner()["definition"] == "gateway_comm"
    engine.set_connection(True)
    engine.ingest(room_values("Room01") + room_values("Room02"))
    engine.tick()
    assert engine.alarms["GATEWAY/gateway_comm"].state == "RTN_UNACK"


def test_stuck_sensor_flatline(engine, clock):
    engine.ingest(room_values())
    for _ in range(13):
        clock.advance(10)
        engine.ingest([SV("Room01/Boundary/POI1", 0.12 + clock.t % 7 / 1000)])  # POI1 lives
        engine.ingest([SV("Room01/Boundary/POI2", 0.11)])                     # POI2 frozen
    engine.tick()
    assert engine.alarms["Room01/stuck_sensor/POI2"].active
    assert not engine.alarms["Room01/stuck_sensor/POI1"].active


def test_configurable_alarm_on_delay_off_delay_and_shelving(engine, clock, journal):
    engine.ingest(room_values(Temperature=36.0))
    aid = "Room01/temperature_high/Temperature"
    clock.advance(30)
    engine.tick()
    assert engine.alarms[aid].state == "NORMAL"      # 60 s on-delay
    clock.advance(31)
    engine.ingest(room_values(Temperature=36.2))
    a = engine.alarms[aid]
    assert a.state == "UNACK"
    with pytest.raises(ValidationError, match="reason"):
        engine.shelve(aid, "sup", "  ", 600)
    with pytest.raises(ValidationError, match="between"):
        engine.shelve(aid, "sup", "HVAC service", 9 * 3600)
    engine.shelve(aid, "sup", "HVAC service", 600)
    assert a.state == "SHELVED" and engine.list("active") == [] or \
        all(r["id"] != aid for r in engine.list("active"))
    assert [r["id"] for r in engine.list("shelved")] == [aid]
    clock.advance(601)
    engine.tick()
    assert a.state == "UNACK" and "shelve_expired" in events(journal, aid)
    engine.ingest(room_values(Temperature=34.5))     # inside the deadband (34..35)
    clock.advance(11)
    engine.ingest(room_values(Temperature=34.5))
    assert a.active
    engine.ingest(room_values(Temperature=33.5))     # below limit - deadband
    assert a.active                                   # off-delay 10 s
    clock.advance(11)
    engine.ingest(room_values(Temperature=33.4))
    assert a.state == "RTN_UNACK"


def test_suppression_by_design_from_maintenance_signal(engine, clock):
    engine.ingest(room_values(BypassKey=False, Temperature=40.0))
    clock.advance(61)
    engine.ingest(room_values(Temperature=40.0, Maintenance=True))
    temp = engine.alarms["Room01/temperature_high/Temperature"]
    assert temp.state == "SUPPRESSED"
    suppressed = {r["id"] for r in engine.list("suppressed")}
    assert temp.id in suppressed
    assert not any("door_beam" in i or "boundary" in i or "bypass" in i for i in suppressed)
    engine.ingest(room_values(Temperature=40.0, Maintenance=False))
    assert temp.state == "UNACK"


def test_out_of_service_and_return(engine, journal):
    engine.ingest(room_values(MonitorFault=False))
    aid = "Room01/calibration_expired/CalibrationDue"
    with pytest.raises(ValidationError, match="permit"):
        engine.out_of_service(aid, "sup", " ")
    engine.out_of_service(aid, "sup", "PTW-0042", "monitor sent for calibration")
    assert engine.alarms[aid].state == "OUT_OF_SERVICE"
    assert [r["id"] for r in engine.list("oos")] == [aid]
    engine.return_to_service(aid, "sup")
    assert engine.alarms[aid].state == "NORMAL"
    assert events(journal, aid) == ["out_of_service", "returned_to_service"]


def test_first_out_by_source_timestamp(engine, clock):
    engine.ingest(room_values(beam=True))
    t = clock.t
    # arrive in one batch, door later in the list but earlier at the source
    engine.ingest([SV("Room01/Boundary/POI1", 12.0, source_ts=t + 0.4),
                   SV("Room01/Doors/Door1", True, source_ts=t + 0.1)])
    fo = engine.first_out_ids()
    assert fo == {"Room01/door_beam"}
    rows = {r["id"]: r for r in engine.list()}
    assert rows["Room01/door_beam"]["first_out"] is True
    assert rows["Room01/boundary_very_high/POI1"]["first_out"] is False


def test_flood_chattering_stale_and_realarm(engine, clock, journal):
    for i in range(1, 13):
        engine.ingest(room_values(f"Room{i:02d}", poi=15.0))
    engine.tick()
    assert engine.flood()["in_flood"] is True
    aid = "Room01/boundary_high/POI1"
    for _ in range(3):
        engine.ingest([SV("Room01/Boundary/POI1", 0.1)])
        engine.ingest([SV("Room01/Boundary/POI1", 3.0)])
        clock.advance(1.1)
        engine.ingest([SV("Room01/Boundary/POI1", 3.0)])
    assert aid in engine.chattering()
    engine.ack(aid, "op", "")
    clock.advance(301)                                      # realarm_s = 300
    engine.tick()
    assert engine.alarms[aid].state == "UNACK" and "realarm" in events(journal, aid)
    clock.advance(24 * 3600 + 1)
    engine.tick()
    assert "Room02/boundary_very_high/POI1" in engine.stale()
    clock.advance(700)
    engine.tick()
    assert engine.flood()["in_flood"] is False and engine.flood()["flood_seconds"] > 0


def test_definitions_cannot_relax_builtins():
    with pytest.raises(ConfigError, match="above the built-in"):
        parse_definitions([{"id": "boundary_high", "title": "x", "signal": "Boundary/*",
                            "rule": "high", "priority": "high", "limit": 5.0}], "t")
    with pytest.raises(ConfigError, match="shelvable"):
        parse_definitions([{"id": "door_beam", "title": "x", "signal": "Doors/*",
                            "rule": "door_beam", "priority": "critical",
                            "shelvable": True}], "t")
    with pytest.raises(ConfigError, match="priority"):
        parse_definitions([dict(TEMP_HIGH, priority="urgent")], "t")
    with pytest.raises(ConfigError, match="needs a limit"):
        parse_definitions([dict(TEMP_HIGH, limit=None)], "t")
    tightened = parse_definitions([{"id": "boundary_high", "title": "tighter",
                                    "signal": "Boundary/*", "rule": "high",
                                    "priority": "high", "limit": 2.0, "shelvable": False,
                                    "suppressible": False, "safety": True}], "t")
    assert {d.id: d.limit for d in tightened}["boundary_high"] == 2.0
    assert len(tightened) == len(BUILTIN)


def test_shipped_alarm_file_loads():
    from app.paths import resources_dir
    from station_plugins.lead_room.alarm_defs import load_definitions

    defs = load_definitions(resources_dir() / "lead_rooms" / "alarms.yaml")
    ids = {d.id for d in defs}
    assert {"door_beam", "boundary_high", "temperature_high", "humidity_high"} <= ids


def test_edited_definitions_apply_and_removed_ones_clear(clock, journal):
    estop = {"id": "estop_pressed", "title": "E-stop", "signal": "EStop", "rule": "true",
             "priority": "medium"}
    eng = AlarmEngine(parse_definitions([TEMP_HIGH, estop], "t"), clock=clock,
                      journal=journal.append)
    eng.ingest(room_values(EStop=True))
    assert eng.alarms["Room01/estop_pressed/EStop"].active
    eng.set_definitions(parse_definitions([dict(TEMP_HIGH, limit=45.0)], "edit"))
    assert all(a.definition.id != "estop_pressed" for a in eng.alarms.values())
    assert journal[-1].event == "cleared" and journal[-1].comment == "definition removed"
    assert eng.alarms["Room01/temperature_high/Temperature"].definition.limit == 45.0


def test_unmonitored_signals_one_data_quality_alarm_per_room_journalled_once(engine, clock,
                                                                             journal):
    """Signals the gateway refused (adapter reason "not subscribed: <code>") raise one
    data-quality alarm per room - not a process alarm, not one per signal or retry."""
    engine.ingest(room_values())
    aid = "Room01/signals_unmonitored"
    refused = [SV("Room01/Temperature", None, "BAD", "not subscribed: BadNodeIdUnknown"),
               SV("Room01/Humidity", None, "BAD", "not subscribed: BadUserAccessDenied")]
    for _ in range(5):                                      # retries publish it again
        engine.ingest(refused)
        clock.advance(1.0)
        engine.tick()
    a = engine.alarms[aid]
    assert a.active and not a.definition.safety and a.definition.builtin
    assert a.value == "Humidity (BadUserAccessDenied), Temperature (BadNodeIdUnknown)"
    assert events(journal, aid) == ["activated"]
    assert any(r["id"] == aid for r in engine.list("active"))
    # a link-wide loss says nothing about the items: no clear / re-activate per outage
    engine.ingest([SV("Room01/Temperature", None, "BAD", "connection lost"),
                   SV("Room01/Humidity", None, "BAD", "connection lost")])
    assert engine.alarms[aid].active and events(journal, aid) == ["activated"]
    engine.ingest([SV("Room01/Temperature", 23.1)])         # monitored again
    assert engine.alarms[aid].active and engine.alarms[aid].value == \
        "Humidity (BadUserAccessDenied)"
    engine.ingest([SV("Room01/Humidity", None, "BAD", "BadSensorFailure")])  # a bad value
    assert not engine.alarms[aid].active                   # ... but delivered: monitored
    assert events(journal, aid) == ["activated", "cleared"]
    engine.set_definitions(parse_definitions([TEMP_HIGH], "test"))   # edits keep it
    assert aid in engine.alarms


def test_unmonitored_dose_rate_point_is_a_stale_safety_alarm_too(engine, clock):
    engine.ingest(room_values())
    engine.ingest([SV("Room01/Boundary/POI1", None, "BAD",
                      "not subscribed: BadNodeIdUnknown")])
    clock.advance(1.0)
    engine.tick()
    assert engine.alarms["Room01/monitor_stale/POI1"].active
    assert engine.alarms["Room01/signals_unmonitored"].active
