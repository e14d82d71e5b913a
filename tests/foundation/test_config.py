import pytest

from app.config import load_config
from app.core.errors import ConfigError


def test_embedded_defaults(tmp_path):
    cfg = load_config(data_dir=tmp_path, env={})
    assert cfg.path is None and cfg.demo and cfg.get("pacs", "scp_port") == 11112
    assert cfg.get("database", "central_url") == ""


def test_file_and_env_override(tmp_path):
    p = tmp_path / "pharos.toml"
    p.write_text('[station]\nid = "CTQC-07"\nlanguage = "zh_CN"\n[pacs]\nscp_port = 104\n'
                 '[stations.ct_qc]\nsettle_s = 3\n')
    cfg = load_config(p, data_dir=tmp_path, env={"PHAROS_PACS__SCP_PORT": "11113",
                                                  "PHAROS_STATION__NAME": "Bay 3"})
    assert cfg.get("station", "id") == "CTQC-07" and cfg.get("pacs", "scp_port") == 11113
    assert cfg.get("station", "name") == "Bay 3"
    assert cfg.station_settings("ct_qc") == {"settle_s": 3}


@pytest.mark.parametrize("text, message", [
    ('[pacs]\nscp_port = 70000\n', r"\[pacs\] scp_port = 70000: must be <= 65535"),
    ('[pacs]\nscp_port = "x"\n', r"\[pacs\] scp_port: expected int"),
    ('[pacs]\nscp_ae_title = "THIS_TITLE_IS_TOO_LONG"\n', r"scp_ae_title.*AE title"),
    ('[security]\nidle_lock = 3\n', r"\[security\] idle_lock is unknown"),
    ('[bogus]\nx = 1\n', r"section \[bogus\] is unknown"),
    ('[station]\nlanguage = "fr"\n', r"language.*must be one of"),
    ('[stations]\nenabled = ["ct_qc", "espresso"]\n', r"unknown station 'espresso'"),
    ('[station\nid=', r"not valid TOML"),
])
def test_invalid_config_names_key_and_problem(tmp_path, text, message):
    p = tmp_path / "pharos.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(p, data_dir=tmp_path, env={})


def test_invalid_env_value(tmp_path):
    with pytest.raises(ConfigError, match=r"\[security\] idle_lock_minutes"):
        load_config(data_dir=tmp_path, env={"PHAROS_SECURITY__IDLE_LOCK_MINUTES": "0"})


def test_cli_refuses_to_start_on_invalid_config(tmp_path, capsys):
    from app.main import main

    (tmp_path / "pharos.toml").write_text("[pacs]\nscp_port = -1\n")
    rc = main(["users", "list", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and "[pacs] scp_port = -1" in err
