"""Typed, versioned station settings: defaults, refusals naming the key, migration step by
step, newer-version refusal, an invalid table makes only its station unavailable,
``pharos config`` reports it (exit 2) and shows the migrated tables."""
from __future__ import annotations

import ast
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.bootstrap import Workstation
from app.core.errors import ConfigError
from app.core.roles import roles
from app.station_settings import in_range, resolve_station_settings, setting
from app.stations import StationContext, StationInfo, StationPlugin, discover_stations

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PW = "Adm1n-secret-pw"


@dataclass(frozen=True)
class DemoSettings:
    port: int = setting(4840, check=in_range(1, 65535))
    rate_s: float = setting(0.5)
    names: tuple[str, ...] = setting(("a",))
    label: str | None = setting(None)          # None: "not set", left out of ctx.settings
    enabled: bool = setting(True)


class DemoStation(StationPlugin):
    """Version 3. v1 had ``interval_ms``; v2 renamed it ``rate_s`` (seconds); v3 made
    ``names`` a list (v2: one comma-separated string)."""

    info = StationInfo(id="ct_qc", title="Demo", title_zh="演示", description="d",
                       open_roles=roles("operator"))
    settings_type = DemoSettings
    settings_version = 3
    steps: list[int] = []

    @classmethod
    def migrate_settings(cls, raw, from_version):
        cls.steps.append(from_version)
        if from_version == 1 and "interval_ms" in raw:
            raw["rate_s"] = raw.pop("interval_ms") / 1000.0
        if from_version == 2 and isinstance(raw.get("names"), str):
            raw["names"] = [n.strip() for n in raw["names"].split(",")]
        return raw


@pytest.fixture(autouse=True)
def _reset_steps():
    DemoStation.steps.clear()


def _open(data_dir: Path, toml: str, **kw) -> Workstation:
    (data_dir / "pharos.toml").write_text(toml, encoding="utf-8")
    return Workstation.open(data_dir=data_dir, start_loop=False, admin_password=ADMIN_PW,
                            with_stations=kw.pop("with_stations", False), **kw)


# --- the mechanism -------------------------------------------------------------------------
def test_defaults_fill_the_mapping_and_the_typed_instance():
    r = resolve_station_settings("ct_qc", DemoStation, {"settings_version": 3})
    assert r.typed == DemoSettings() and not r.migrated
    assert r.mapping == {"port": 4840, "rate_s": 0.5, "names": ("a",), "enabled": True}
    assert "label" not in r.mapping                       # unset stays "not configured"
    assert r.table()["settings_version"] == 3


@pytest.mark.parametrize("table, message", [
    ({"port": "4840"}, r"\[stations\.ct_qc\] port: expected an integer, got str '4840'"),
    ({"port": True}, r"\[stations\.ct_qc\] port: expected an integer, got bool"),
    ({"port": 70000}, r"\[stations\.ct_qc\] port = 70000: must be <= 65535"),
    ({"enabled": "yes"}, r"\[stations\.ct_qc\] enabled: expected true or false"),
    ({"names": "a,b"}, r"\[stations\.ct_qc\] names: expected a list of strings"),
    ({"names": ["a", 2]}, r"\[stations\.ct_qc\] names\[1\]: expected a string"),
    ({"rate": 1.0}, r"\[stations\.ct_qc\] rate is unknown \(known: port, rate_s.*did you "
                    r"mean rate_s\?"),
    ({"settings_version": "3"}, r"settings_version = '3': must be an integer >= 1"),
    ({"settings_version": 0}, r"settings_version = 0: must be an integer >= 1"),
])
def test_refusals_name_the_key_and_the_problem(table, message):
    with pytest.raises(ConfigError, match=message):
        resolve_station_settings("ct_qc", DemoStation, {"settings_version": 3, **table})


def test_a_refused_value_never_shows_a_password():
    from station_plugins.tunnel_test.plugin import TunnelTestStation

    with pytest.raises(ConfigError, match=r"endpoint = 'http://op:\*\*\*@10\.0\.0\.5'") as ei:
        resolve_station_settings("tunnel_test", TunnelTestStation,
                                 {"endpoint": "http://op:s3cret-pw@10.0.0.5"})
    assert "s3cret" not in str(ei.value)
    with pytest.raises(ConfigError) as ei:
        resolve_station_settings("tunnel_test", TunnelTestStation,
                                 {"mes_url": ["https://op:s3cret-pw@mes"]})
    assert "s3cret" not in str(ei.value) and "mes_url: expected a string" in str(ei.value)


def test_an_int_is_accepted_for_a_float_setting():
    r = resolve_station_settings("ct_qc", DemoStation, {"settings_version": 3, "rate_s": 2})
    assert r.typed.rate_s == 2.0 and isinstance(r.typed.rate_s, float)


def test_migration_runs_every_step_in_order(caplog):
    caplog.set_level(logging.INFO, logger="app.station_settings")
    r = resolve_station_settings("ct_qc", DemoStation, {"interval_ms": 250, "names": "x, y"})
    assert DemoStation.steps == [1, 2]                    # missing settings_version: 1
    assert r.written_version == 1 and r.version == 3 and r.migrated
    assert r.typed.rate_s == 0.25 and r.typed.names == ("x", "y")
    assert "migrated from version 1 to 2: removed interval_ms; added rate_s" in caplog.text
    assert "migrated from version 2 to 3: changed names" in caplog.text

    DemoStation.steps.clear()
    r = resolve_station_settings("ct_qc", DemoStation, {"settings_version": 2, "names": "z"})
    assert DemoStation.steps == [2] and r.typed.names == ("z",)


def test_a_migration_that_fails_names_its_step():
    with pytest.raises(ConfigError, match=r"cannot be migrated from settings_version 1 to 2: "
                                          r"TypeError"):
        resolve_station_settings("ct_qc", DemoStation, {"interval_ms": "fast"})


def test_a_table_from_a_newer_version_is_refused():
    with pytest.raises(ConfigError, match=r"\[stations\.ct_qc\] has settings_version = 4: it "
                                          r"was written for a newer version.*up to "
                                          r"settings_version = 3") as ei:
        resolve_station_settings("ct_qc", DemoStation, {"settings_version": 4, "port": 1})
    assert "settings_version = 3" in ei.value.remedy
    assert DemoStation.steps == []


def test_a_station_without_typed_settings_keeps_a_free_form_table():
    class FreeForm(StationPlugin):
        info = DemoStation.info

    r = resolve_station_settings("ct_qc", FreeForm, {"anything": [1, 2], "settings_version": 1})
    assert r.mapping == {"anything": [1, 2]} and r.typed is None


@pytest.mark.parametrize("bad, problem", [
    ("not_frozen", "is not frozen"), ("no_default", "has no default"),
    ("bad_type", "unsupported setting type"), ("bad_default", "default 0 must be >= 1"),
])
def test_a_broken_settings_declaration_makes_the_station_unavailable(bad, problem):
    @dataclass
    class NotFrozen:
        x: int = 1

    @dataclass(frozen=True)
    class NoDefault:
        x: int

    @dataclass(frozen=True)
    class BadType:
        x: dict = setting(None)

    @dataclass(frozen=True)
    class BadDefault:
        x: int = setting(0, check=in_range(1))

    types = {"not_frozen": NotFrozen, "no_default": NoDefault, "bad_type": BadType,
             "bad_default": BadDefault}

    class Broken(DemoStation):
        settings_type = types[bad]

    found = discover_stations(["ct_qc"], loader=lambda t: Broken)
    assert not found[0].available and problem in found[0].error


# --- the station context -------------------------------------------------------------------
def test_context_gets_the_migrated_validated_table(data_dir):
    ws = _open(data_dir, '[stations.ct_qc]\ninterval_ms = 100\nport = 4841\n')
    try:
        ctx = ws.context_for("ct_qc", station=DemoStation)
        assert ctx.settings == {"port": 4841, "rate_s": 0.1, "names": ("a",), "enabled": True}
        assert ctx.typed_settings == DemoSettings(port=4841, rate_s=0.1)
        DemoStation(ctx)                                    # bound already: no second pass
        assert DemoStation.steps == [1, 2]
        ctx.settings["port"] = 4900                         # tests and tools change the dict
        assert ctx.typed_settings.port == 4900
        ctx.settings["port"] = "x"
        with pytest.raises(ConfigError, match=r"\[stations\.ct_qc\] port: expected an integer"):
            ctx.typed_settings  # noqa: B018 - the property is what is tested
    finally:
        ws.close()


def test_a_context_built_by_hand_is_validated_by_the_station(tmp_path):
    ctx = StationContext(station_id="ct_qc", config=None, settings={"interval_ms": 2000},
                         store=None, audit=None, auth=None, signatures=None, session=None,
                         tasks=None, loop=None, notifier=None, data_dir=tmp_path)
    before = ctx.settings
    DemoStation(ctx)
    assert ctx.settings is before and ctx.settings["rate_s"] == 2.0
    assert ctx.typed_settings.rate_s == 2.0
    bad = StationContext(station_id="ct_qc", config=None, settings={"prot": 1}, store=None,
                         audit=None, auth=None, signatures=None, session=None, tasks=None,
                         loop=None, notifier=None, data_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"\[stations\.ct_qc\] prot is unknown.*port\?"):
        DemoStation(bad)


def test_lead_room_version_1_table_is_migrated_and_read(data_dir):
    """lead_room settings_version 2 renamed heartbeat_s -> historian_heartbeat_s."""
    from station_plugins.lead_room.plugin import LeadRoomStation

    ws = _open(data_dir, '[stations.lead_room]\nheartbeat_s = 30\nhistorian_raw_days = 7\n'
                         'live_process = false\n')
    try:
        ctx = ws.context_for("lead_room")                    # the class found by discovery
        assert "heartbeat_s" not in ctx.settings
        assert ctx.settings["historian_heartbeat_s"] == 30.0
        assert ctx.typed_settings.historian_raw_days == 7.0
        live = LeadRoomStation(ctx).live_config()
        assert live.heartbeat_s == 30.0
        assert live.historian_retention["historian_raw_days"] == 7.0
        assert "historian_heartbeat_s" not in live.historian_retention
    finally:
        ws.close()
    with pytest.raises(ConfigError, match="both heartbeat_s and historian_heartbeat_s"):
        resolve_station_settings("lead_room", LeadRoomStation,
                                 {"heartbeat_s": 1, "historian_heartbeat_s": 2})
    current = resolve_station_settings("lead_room", LeadRoomStation,
                                       {"settings_version": 2, "historian_heartbeat_s": 5})
    assert current.typed.historian_heartbeat_s == 5.0 and not current.migrated
    with pytest.raises(ConfigError, match=r"\[stations\.lead_room\] heartbeat_s is unknown"):
        resolve_station_settings("lead_room", LeadRoomStation,
                                 {"settings_version": 2, "heartbeat_s": 5})


def test_invalid_table_makes_only_that_station_unavailable(data_dir):
    ws = _open(data_dir, '[stations]\nenabled = ["ct_qc", "image_review", "lead_room"]\n'
                         '[stations.lead_room]\npublishing_ms = 5000\n'
                         '[stations.ct_qc]\nscp_port = 104\n')
    try:
        notices: list = []
        ws.notifier.subscribe(notices.append)
        ws.load_stations()                                   # start-up goes on
        lead = ws.station("lead_room")
        assert not lead.available
        assert lead.error == ("Configuration key [stations.lead_room] publishing_ms = 5000.0: "
                              "must be <= 1000.")
        assert ws.station("ct_qc").available and ws.station("image_review").available
        assert ws.station("ct_qc").instance.ctx.settings["scp_port"] == 104
        assert [n.text for n in notices] == [f"Station 'lead_room' unavailable: {lead.error}"]
    finally:
        ws.close()


def test_newer_table_makes_the_station_unavailable_with_a_clear_message(data_dir):
    ws = _open(data_dir, '[stations]\nenabled = ["lead_room", "detector_matching"]\n'
                         '[stations.lead_room]\nsettings_version = 3\n', with_stations=True)
    try:
        assert "written for a newer version" in ws.station("lead_room").error
        assert ws.station("detector_matching").available
    finally:
        ws.close()


def test_a_station_cli_refuses_an_invalid_table(data_dir):
    from app.cli.common import station_instance

    ws = _open(data_dir, '[stations.tunnel_test]\nendpoint = "tcp://10.0.0.5"\n')
    try:
        with pytest.raises(ConfigError, match=r"\[stations\.tunnel_test\] endpoint = "
                                              r"'tcp://10\.0\.0\.5': must be an opc\.tcp://"):
            station_instance(ws, "tunnel_test")
    finally:
        ws.close()


# --- pharos config -------------------------------------------------------------------------
def test_pharos_config_reports_an_invalid_table_and_exits_2(data_dir, capsys):
    from app.main import main

    (data_dir / "pharos.toml").write_text('[stations.ct_qc]\nsettle_s = 3\n'
                                          '[stations.lead_room]\nsettings_version = 9\n')
    rc = main(["config", "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert rc == 2
    assert ("error: Configuration key [stations.ct_qc] settle_s is unknown" in err
            and "did you mean series_settle_s?" in err and "[PH-CFG]" in err)
    assert "[stations.lead_room] has settings_version = 9" in err


def test_pharos_config_show_prints_the_migrated_tables(data_dir, capsys):
    from app.main import main

    (data_dir / "pharos.toml").write_text('[stations.lead_room]\nheartbeat_s = 15\n')
    rc = main(["config", "--show", "--data-dir", str(data_dir)])
    out = capsys.readouterr().out
    assert rc == 0
    shown = json.loads(out[out.index("{"):])["station_tables"]
    assert shown["lead_room"]["settings_version"] == 2
    assert shown["lead_room"]["historian_heartbeat_s"] == 15.0
    assert "heartbeat_s" not in shown["lead_room"]
    assert shown["ct_qc"]["auto_analyse"] is True            # defaults of every station


# --- every station declares what it reads -----------------------------------------------------
_READ = re.compile(r"""(?:settings|station)(?:\.get\(|\[)\s*["']([a-z0-9_]+)["']""")


def _keys_read(sid: str) -> set[str]:
    keys: set[str] = set()
    for path in (ROOT / "station_plugins" / sid).glob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(_READ.findall(text))
        for node in ast.walk(ast.parse(text)):      # ct_qc: {station key: intake field}
            if (isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "_OVERRIDES" for t in node.targets)):
                keys |= set(ast.literal_eval(node.value))
    if sid == "ct_qc":
        from app.ct.analysis.rings import SETTING_KEYS

        keys |= set(SETTING_KEYS)
    if sid == "lead_room":
        keys -= {"heartbeat_s"}                        # version 1 name, migrated
    return keys


@pytest.mark.parametrize("station", discover_stations(), ids=lambda d: d.id)
def test_every_key_a_station_reads_is_declared(station):
    from app.station_settings import settings_fields

    assert station.cls.settings_type is not None, f"{station.id} declares no settings"
    declared = {f.name for f in settings_fields(station.cls.settings_type)}
    read = _keys_read(station.id)
    assert read, station.id
    assert read <= declared, f"{station.id} reads undeclared keys {sorted(read - declared)}"
    resolve_station_settings(station.id, station.cls, {})   # the defaults are valid


def test_self_check_fails_the_station_whose_table_is_invalid(data_dir):
    from app.selfcheck import FAIL, OK, run_self_check

    (data_dir / "pharos.toml").write_text('[stations.lead_room]\npublishing_ms = 5000\n')
    rows = {r.check: (r.status, r.detail) for r in run_self_check(data_dir=data_dir)}
    assert rows["station lead_room"] == (
        FAIL, "unavailable: Configuration key [stations.lead_room] publishing_ms = 5000.0: "
              "must be <= 1000.")
    assert rows["station ct_qc"][0] == OK
