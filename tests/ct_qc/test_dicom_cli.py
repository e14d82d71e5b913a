"""`pharos qc listen | archive | retrieve` end to end, with the simulated scanner."""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.main import main
from app.ct.simulator.scanner_push import demo_loop, push_series
from app.adapters.dicom_net import AssociationRefused
from tests.pacs_fixtures import REPO, free_port, write_ct_series


def pushed_paths(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "scanner").rglob("*.dcm"))[:1]

pytestmark = pytest.mark.pacs


class LineReader:
    """Collects a subprocess's stdout lines on a thread; wait for a line containing text."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        import time
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r}; got:\n" + "\n".join(self.seen))


@pytest.mark.slow
def test_listen_receives_a_simulated_scanner_series_and_analyses_it(tmp_path):
    port = free_port()
    out = tmp_path / "results"
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "qc", "listen", "--port", str(port), "--settle", "0.5",
         "--allow", "SIMSCAN", "--station-dir", str(tmp_path / "station"), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
    reader = LineReader(proc)
    try:
        reader.wait_for("listening")
        pushed = []
        n = demo_loop(tmp_path / "scanner", "127.0.0.1", port, "PHAROS_QC", interval_s=0,
                      count=1, matrix=256, on_pushed=lambda s, r: pushed.append(r))
        assert n == 1 and not pushed[0].failed
        line = reader.wait_for("analysed", timeout=120)
        result = json.loads(Path(line.rsplit("-> ", 1)[1]).read_text())
        assert result["verdict"] in ("PASS", "WARN", "FAIL", "ERROR")   # the contract's set
        assert result["inputs"]["series_uid"] in line
        assert result["inputs"]["scanner_serial"] == "CT-SIM-0001"
        # a sender outside the allow-list is refused; the receiver keeps running
        with pytest.raises(AssociationRefused):
            push_series(pushed_paths(tmp_path), "127.0.0.1", port, "PHAROS_QC",
                        calling_ae="INTRUDER")
        reader.wait_for("rejected: INTRUDER")
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(30)
    assert rc == 0
    assert any("series_complete" in l for l in reader.seen)


def test_archive_command_reports_commitment(orthanc, scp_port, tmp_path, capsys):
    folder = tmp_path / "src"
    write_ct_series(folder, 3)
    (folder / "junk.dcm").write_bytes(b"not dicom at all")
    rc = main(["qc", "archive", str(folder), "--port", str(scp_port), "--peer-port",
               str(orthanc.dicom_port), "--peer-ae", "ORTHANC", "--json", "-",
               "--station-dir", str(tmp_path / "station")])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1                                   # the junk file was rejected
    (series,) = doc["series"].values()
    assert series["archived"] and set(series["instances"].values()) == {"committed"}
    assert [r["reason"] for r in doc["rejected"]] == ["unreadable"]


def test_retrieve_lists_and_moves(orthanc, scp_port, tmp_path, capsys):
    folder = tmp_path / "src"
    paths = write_ct_series(folder, 2)
    assert main(["qc", "archive", str(folder), "--port", str(scp_port), "--peer-port",
                 str(orthanc.dicom_port), "--station-dir", str(tmp_path / "a")]) == 0
    capsys.readouterr()
    import pydicom
    ds = pydicom.dcmread(paths[0])
    assert main(["qc", "retrieve", "--list", "--study", ds.StudyInstanceUID, "--peer-port",
                 str(orthanc.dicom_port)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["SeriesInstanceUID"] for r in rows] == [ds.SeriesInstanceUID]
    rc = main(["qc", "retrieve", "--study", ds.StudyInstanceUID, "--series",
               ds.SeriesInstanceUID, "--port", str(scp_port), "--peer-port",
               str(orthanc.dicom_port), "--station-dir", str(tmp_path / "b"),
               "--out", str(tmp_path / "got")])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["moved"] == 2
    assert len(list((tmp_path / "got" / ds.SeriesInstanceUID).glob("*.dcm"))) == 2


def test_archive_with_the_pacs_down_is_a_clear_error(tmp_path, capsys):
    write_ct_series(tmp_path / "src", 1)
    rc = main(["qc", "archive", str(tmp_path / "src"), "--port", "0", "--peer-port",
               str(free_port()), "--station-dir", str(tmp_path / "s")])
    assert rc == 2
    assert "PH-PACS-DOWN" in capsys.readouterr().err
