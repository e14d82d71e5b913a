"""First-run setup logic and `pharos setup`: validation by field, config, account, audit."""
from __future__ import annotations

import io
import json
import tomllib

import pytest

from app.config import load_config
from app.setup_wizard import (SetupAnswers, SetupInvalid, apply_setup, config_path_for,
                              needs_first_run, open_services, validate)


def _answers(**kw) -> SetupAnswers:
    a = SetupAnswers(station_id="QC-07", station_name="QC bay 7", language="zh_CN",
                     demo=False, admin_password="Lighthouse42x",
                     admin_password_repeat="Lighthouse42x", pacs_host="10.1.2.3",
                     pacs_port=104, stations=["ct_qc", "lead_room"])
    for k, v in kw.items():
        setattr(a, k, v)
    return a


@pytest.fixture
def services(data_dir):
    s = open_services(load_config(data_dir=data_dir))
    yield s
    s.close()


def test_validation_errors_are_named_by_field():
    a = _answers(station_id="bad id!", admin_password="short", admin_password_repeat="x",
                 pacs_port=70000, pacs_ae_title="THIS-AE-TITLE-IS-TOO-LONG",
                 gateway_endpoint="http://gateway", central_url="mysql://h/db",
                 stations=["ct_qc", "coffee"], language="fr", station_name=" ")
    errors = validate(a)
    assert set(errors) == {"station_id", "admin_password", "admin_password_repeat",
                           "pacs_port", "pacs_ae_title", "gateway_endpoint", "central_url",
                           "stations", "language", "station_name"}
    assert "10 characters" in errors["admin_password"]
    assert "differ" in errors["admin_password_repeat"]
    assert "coffee" in errors["stations"]
    assert "PostgreSQL" in errors["central_url"]
    assert validate(_answers()) == {}
    # password rules come from AuthService: the user name may not be in the password
    assert "user name" in validate(_answers(admin_username="lighthouse"))["admin_password"]


def test_apply_writes_reloadable_config_account_and_audit(data_dir, services):
    path = config_path_for(data_dir)
    out = apply_setup(_answers(), services, config_path=path, data_dir=data_dir)
    cfg = load_config(path, data_dir=data_dir, env={})
    assert cfg.get("station", "id") == "QC-07" and cfg.get("station", "demo") is False
    assert cfg.get("pacs", "peer_port") == 104
    assert cfg.get("stations", "enabled") == ["ct_qc", "lead_room"]
    assert out.admin == "created" and out.config.config_hash == cfg.config_hash
    user = services.auth.authenticate("admin", "Lighthouse42x")
    assert not services.auth.password_expired(user)
    entries = _audit_rows(services)
    assert len(entries) == 1
    e = entries[0]
    assert e.action == "change" and e.username == "admin" and e.entity_id == "pharos.toml"
    assert json.loads(e.old_value)["station.id"] == "WS-01"
    assert json.loads(e.new_value)["station.id"] == "QC-07"
    assert json.loads(e.new_value)["file"] == str(path)
    assert services.audit.verify().ok
    assert not needs_first_run(cfg, services.auth)
    assert [p.name for p in data_dir.glob(".pharos-*")] == []  # no temp file left


def _audit_rows(services):
    from sqlalchemy import select

    from app.adapters import schema as S

    with services.store.read() as conn:
        return [r for r in conn.execute(select(S.audit_log).order_by(S.audit_log.c.seq))
                if r.entity == "configuration"]


def test_rerun_needs_an_admin_and_keeps_other_keys(data_dir, services):
    path = config_path_for(data_dir)
    path.write_text('[security]\nidle_lock_minutes = 5\n[stations.ct_qc]\nscp_host = "0.0.0.0"\n')
    apply_setup(_answers(), services, config_path=path, data_dir=data_dir)
    with pytest.raises(SetupInvalid) as exc:
        apply_setup(_answers(station_id="QC-08"), services, config_path=path,
                    data_dir=data_dir)
    assert "admin_username" in exc.value.errors
    admin = services.auth.authenticate("admin", "Lighthouse42x")
    out = apply_setup(_answers(station_id="QC-08", admin_password=""), services,
                      config_path=path, data_dir=data_dir, by=admin, reason="moved to bay 8")
    assert out.admin == "unchanged" and out.changed == {
        "station.id": {"old": "QC-07", "new": "QC-08"}}
    cfg = load_config(path, data_dir=data_dir, env={})
    assert cfg.get("security", "idle_lock_minutes") == 5
    assert cfg.station_settings("ct_qc") == {"scp_host": "0.0.0.0"}
    last = _audit_rows(services)[-1]
    assert last.reason == "moved to bay 8" and last.username == "admin"


def test_invalid_answers_write_nothing(data_dir, services):
    path = config_path_for(data_dir)
    with pytest.raises(SetupInvalid) as exc:
        apply_setup(_answers(scp_port=0), services, config_path=path, data_dir=data_dir)
    assert list(exc.value.errors) == ["scp_port"]
    assert not path.exists() and services.auth.list_users() == []
    assert _audit_rows(services) == []


def test_failed_audit_leaves_the_old_config_in_place(data_dir, services, monkeypatch):
    path = config_path_for(data_dir)
    path.write_text('[station]\nname = "old"\n')

    def refuse(*a, **kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.audit, "append", refuse)
    with pytest.raises(RuntimeError):
        apply_setup(_answers(), services, config_path=path, data_dir=data_dir)
    assert path.read_text() == '[station]\nname = "old"\n'
    assert [p.name for p in data_dir.glob(".pharos-*")] == []


def test_gui_generated_admin_gets_the_chosen_password(data_dir):
    from app.bootstrap import Workstation

    ws = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False)
    try:
        assert ws.first_run_password and needs_first_run(ws.config, ws.auth,
                                                         ws.first_run_password)
        from app.setup_wizard import Services

        out = apply_setup(_answers(), Services(ws.store, ws.audit, ws.auth),
                          config_path=config_path_for(data_dir), data_dir=data_dir,
                          first_run_password=ws.first_run_password)
        assert out.admin == "password set"
        user = ws.auth.authenticate("admin", "Lighthouse42x")
        assert not ws.auth.password_expired(user)
    finally:
        ws.close()


# --- CLI ----------------------------------------------------------------------------------
def _main(argv, monkeypatch, stdin: str = ""):
    from app.main import main

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_cli_non_interactive(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("PHAROS_ADMIN_PASSWORD", "Lighthouse42x")
    rc = _main(["setup", "--non-interactive", "--station-id", "QC-09", "--production",
                "--pacs-host", "pacs.plant", "--pacs-port", "11112", "--stations",
                "ct_qc,image_review", "--central-url", "postgresql://q@db.plant/pharos"],
               monkeypatch)
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "administrator 'admin': created" in out.out
    doc = tomllib.loads((data_dir / "pharos.toml").read_text())
    assert doc["station"]["id"] == "QC-09" and doc["database"]["central_url"].endswith("pharos")
    assert _main(["config"], monkeypatch) == 0


def test_cli_reports_each_invalid_field(data_dir, monkeypatch, capsys):
    rc = _main(["setup", "--non-interactive", "--station-id", "no spaces please",
                "--scp-port", "99999"], monkeypatch, stdin="Lighthouse42x\n")
    err = capsys.readouterr().err
    assert rc == 2
    assert "station_id:" in err and "scp_port:" in err
    assert not (data_dir / "pharos.toml").exists()


def test_cli_rerun_requires_admin_login(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("PHAROS_ADMIN_PASSWORD", "Lighthouse42x")
    assert _main(["setup", "--non-interactive"], monkeypatch) == 0
    assert _main(["setup", "--non-interactive", "--station-id", "X2"], monkeypatch) == 2
    assert "--as ADMIN" in capsys.readouterr().err
    monkeypatch.setenv("PHAROS_PASSWORD", "Lighthouse42x")
    assert _main(["setup", "--non-interactive", "--station-id", "X2", "--as", "admin",
                  "--reason", "rename"], monkeypatch) == 0
    assert load_config(data_dir=data_dir, env={}).get("station", "id") == "X2"


def test_cli_test_flag_refuses_to_write_when_the_pacs_is_down(data_dir, monkeypatch, capsys):
    from tests.installer.conftest import free_port

    monkeypatch.setenv("PHAROS_ADMIN_PASSWORD", "Lighthouse42x")
    rc = _main(["setup", "--non-interactive", "--production", "--stations", "ct_qc",
                "--pacs-port", str(free_port()), "--test"], monkeypatch)
    out = capsys.readouterr()
    assert rc == 1 and "test PACS: FAILED" in out.out
    assert not (data_dir / "pharos.toml").exists()


def test_interactive_mode_asks_each_step(data_dir, services, echo_scp):
    from app.setup_cli import interactive

    ae, port = echo_scp
    answers = iter(["QC-10", "", "", "n",                     # identity, demo: no
                    "", "Ada Admin",                           # admin user, full name
                    ae, "", str(port), "", "", "CT_LINE3",    # PACS, scanner AE
                    "y",                                       # test now
                    "", "", "None", "n",                       # OPC UA, no test
                    "",                                        # central: none
                    "ct_qc"])                                  # stations
    passwords = iter(["Lighthouse42x", "different1", "Lighthouse42x", "Lighthouse42x"])
    a = interactive(SetupAnswers(), data_dir, accounts_exist=False, min_len=10,
                    ask=lambda _q: next(answers), secret=lambda _q: next(passwords))
    assert (a.station_id, a.demo, a.admin_full_name) == ("QC-10", False, "Ada Admin")
    assert (a.pacs_ae_title, a.pacs_port, a.opcua_security) == (ae, port, "None")
    assert a.stations == ["ct_qc"] and validate(a) == {}
    assert a.allowed_calling_aes == ["CT_LINE3"]


def test_cli_allow_ae_lands_in_the_config(data_dir, monkeypatch, capsys):
    """D8: the receiver's calling-AE allow-list comes from the setup."""
    monkeypatch.setenv("PHAROS_ADMIN_PASSWORD", "Lighthouse42x")
    rc = _main(["setup", "--non-interactive", "--allow-ae", "CT_LINE3,CT_LINE4"], monkeypatch)
    assert rc == 0, capsys.readouterr().err
    doc = tomllib.loads((data_dir / "pharos.toml").read_text())
    assert doc["pacs"]["allowed_calling_aes"] == ["CT_LINE3", "CT_LINE4"]
    rc = _main(["setup", "--non-interactive", "--allow-ae", "BAD\\AE", "--dry-run",
                "--as", "admin"], monkeypatch, stdin="Lighthouse42x\n")
    assert rc == 2 and "allowed_calling_aes" in capsys.readouterr().out
