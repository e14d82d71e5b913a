"""`pharos --self-check`: each check passes on a good installation and fails, named, on a bad one."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from app.selfcheck import FAIL, OK, SKIP, WARN, failed, render_table, run_self_check
from tests.installer.conftest import ROOT, free_port, rows, write_config


def test_clean_data_folder_passes_and_creates_no_account(data_dir):
    results = run_self_check(data_dir=data_dir)
    r = rows(results)
    assert not failed(results), render_table(results)
    assert r["configuration"][0] == OK and "embedded defaults" in r["configuration"][1]
    assert r["database"][0] == OK and (data_dir / "pharos.db").exists()
    for sid in ("ct_qc", "image_review", "detector_matching", "tunnel_test", "lead_room"):
        assert r[f"station {sid}"][0] == OK, r[f"station {sid}"]
    models = [k for k in r if k.startswith("model ")]
    assert "model detector_neighbour_cost:1.0.0" in models and len(models) >= 3
    assert all(r[k][0] == OK for k in models)
    assert r["PACS"][0] == SKIP and r["central database"][0] == SKIP  # demo, local only
    from app.setup_wizard import open_services
    from app.config import load_config

    services = open_services(load_config(data_dir=data_dir))
    try:
        assert services.auth.list_users() == []  # first-run setup is still due
    finally:
        services.close()


def test_altered_model_card_hash_fails_naming_the_model(tmp_path, data_dir):
    models = tmp_path / "models"
    shutil.copytree(ROOT / "models" / "detector_neighbour_cost",
                    models / "detector_neighbour_cost")
    shutil.copytree(ROOT / "models" / "tunnel_waveform", models / "tunnel_waveform")
    card = models / "detector_neighbour_cost" / "1.0.0" / "card.json"
    data = json.loads(card.read_text())
    data["sha256"] = "0" * 64
    card.write_text(json.dumps(data))
    (models / "tunnel_waveform" / "tunnel_waveform.onnx").write_bytes(b"truncated")
    r = rows(run_self_check(data_dir=data_dir, models_dir=models))
    status, detail = r["model detector_neighbour_cost:1.0.0"]
    assert status == FAIL and "detector_neighbour_cost:1.0.0" in detail and "sha256" in detail
    assert r["model tunnel_waveform:1.0.0"][0] == FAIL


def test_unreadable_model_card_fails(tmp_path, data_dir):
    (tmp_path / "m" / "broken" / "1").mkdir(parents=True)
    (tmp_path / "m" / "broken" / "1" / "card.json").write_text("{not json")
    r = rows(run_self_check(data_dir=data_dir, models_dir=tmp_path / "m"))
    assert r["model broken/1"][0] == FAIL


def test_invalid_config_fails_naming_the_key(data_dir):
    write_config(data_dir, "[pacs]\nscp_port = 70000\n")
    results = run_self_check(data_dir=data_dir)
    status, detail = rows(results)["configuration"]
    assert status == FAIL and "[pacs] scp_port" in detail and "65535" in detail
    assert failed(results)
    assert not (data_dir / "pharos.db").exists()  # nothing else ran on a bad config


def test_port_in_use_fails(data_dir, listening_port):
    write_config(data_dir, f"[pacs]\nscp_port = {listening_port}\n")
    status, detail = rows(run_self_check(data_dir=data_dir))["port DICOM receiver"]
    assert status == FAIL and str(listening_port) in detail and "in use" in detail


def test_port_held_by_running_gui_is_a_warning(data_dir, listening_port):
    from app.instance_lock import InstanceLock

    write_config(data_dir, f"[pacs]\nscp_port = {listening_port}\n")
    lock = InstanceLock(data_dir).acquire()
    try:
        assert rows(run_self_check(data_dir=data_dir))["port DICOM receiver"][0] == WARN
    finally:
        lock.release()


def test_unreachable_pacs_fails_when_configured(data_dir):
    port = free_port()
    write_config(data_dir, f'[station]\ndemo = false\n[stations]\nenabled = ["ct_qc"]\n'
                           f'[pacs]\npeer_host = "127.0.0.1"\npeer_port = {port}\n')
    results = run_self_check(data_dir=data_dir, timeout_s=2.0)
    status, detail = rows(results)["PACS"]
    assert status == FAIL and str(port) in detail
    assert failed(results)


def test_reachable_pacs_passes(data_dir, echo_scp):
    ae, port = echo_scp
    write_config(data_dir, f'[station]\ndemo = false\n[stations]\nenabled = ["ct_qc"]\n'
                           f'[pacs]\npeer_ae_title = "{ae}"\npeer_port = {port}\n')
    status, detail = rows(run_self_check(data_dir=data_dir))["PACS"]
    assert status == OK and "C-ECHO" in detail


def test_unreachable_central_database_and_opcua_fail(data_dir):
    pg, ua_port = free_port(), free_port()
    write_config(data_dir, f'[station]\ndemo = false\n[stations]\nenabled = ["lead_room"]\n'
                           f'[database]\ncentral_url = "postgresql://u:p@127.0.0.1:{pg}/x"\n'
                           f'[opcua]\ngateway_endpoint = "opc.tcp://127.0.0.1:{ua_port}/g"\n')
    r = rows(run_self_check(data_dir=data_dir, timeout_s=2.0))
    assert r["central database"][0] == FAIL and "***" in r["central database"][1]  # redacted
    assert r["OPC UA gateway"][0] == FAIL and str(ua_port) in r["OPC UA gateway"][1]
    assert r["PACS"][0] == SKIP and r["OPC UA tunnel"][0] == SKIP  # stations not enabled


def test_damaged_store_is_reported_and_left_untouched(data_dir):
    db = data_dir / "pharos.db"
    garbage = b"this is not a sqlite database" * 100
    db.write_bytes(garbage)
    results = run_self_check(data_dir=data_dir)
    r = rows(results)
    assert r["database"][0] == FAIL and "untouched" in r["database"][1]
    assert r["stations"][0] == SKIP and "station ct_qc" not in r
    assert db.read_bytes() == garbage and not (data_dir / "backups").exists()


def test_self_check_from_the_source_tree(tmp_path):
    """What CI runs: the real entry point in a fresh process, table and JSON."""
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PHAROS_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    out = subprocess.run([sys.executable, "-m", "app", "--self-check", "--data-dir",
                          str(tmp_path / "d")], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "self-check PASSED" in out.stdout and "station lead_room" in out.stdout
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "pharos.toml").write_text("[logging]\nlevel = \"LOUD\"\n")
    out = subprocess.run([sys.executable, "-m", "app", "self-check", "--json", "--data-dir",
                          str(tmp_path / "bad")], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert report["ok"] is False
    assert report["checks"][0]["check"] == "configuration"
    assert "[logging] level" in report["checks"][0]["detail"]


@pytest.mark.parametrize("lang,expected", [("zh_CN", FAIL), ("en", WARN)])
def test_missing_cjk_font_fails_only_for_a_chinese_ui(data_dir, monkeypatch, lang, expected):
    import app.selfcheck as sc

    monkeypatch.setattr(sc, "cjk_font_families", lambda: [])
    write_config(data_dir, f'[station]\nlanguage = "{lang}"\n')
    assert rows(run_self_check(data_dir=data_dir))["CJK font"][0] == expected


def test_missing_qt_platform_plugin_fails(data_dir):
    r = rows(run_self_check(data_dir=data_dir, env={"QT_QPA_PLATFORM": "nosuchplatform"}))
    assert r["Qt platform"][0] == FAIL and "nosuchplatform" in r["Qt platform"][1]


def test_missing_xcb_library_fails_with_the_package_to_install(data_dir, monkeypatch):
    import ctypes.util

    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library",
                        lambda name: None if name == "xcb-cursor" else real(name) or "lib.so")
    r = rows(run_self_check(data_dir=data_dir, env={"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}))
    assert r["Qt platform"][0] == FAIL and "libxcb-cursor0" in r["Qt platform"][1]


def test_station_without_its_data_files_fails_naming_them(tmp_path, data_dir):
    """A broken installation (models folder empty) is a FAIL of every station that needs
    a model, naming the missing file pattern - not 'PASSED' as before."""
    empty = tmp_path / "models"
    empty.mkdir()
    r = rows(run_self_check(data_dir=data_dir, models_dir=empty))
    status, detail = r["station ct_qc"]
    assert status == FAIL and "models/ct_phantom_classifier/*/card.json" in detail, detail
    assert r["station detector_matching"][0] == FAIL
    assert r["station lead_room"][0] == OK        # needs no model
    assert r["GUI data"][0] == OK


def test_missing_data_names_each_absent_pattern():
    from app.selfcheck import missing_data

    assert missing_data(("resources/phantoms/catphan504.json", "resources/limits/*.toml")) == []
    missing = missing_data(("resources/phantoms/no_such_phantom.json", "elsewhere/x"))
    assert len(missing) == 2 and "no_such_phantom" in missing[0] and "not under" in missing[1]
