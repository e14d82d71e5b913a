"""Fixtures for the tunnel console tests: small sequences, journals, a workstation with
an operator and an engineer, the simulated MES."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from station_plugins.tunnel_test.adapters.journal import TunnelJournal

ADMIN_PW = "Adm1n-secret-pw"
USER_PW = "Us3r-secret-pw!"
HEADER = """\
format: pharos.tunnel.sequence/1
id: {id}
version: "1.0"
status: {status}
safe_state:
  - {{driver: generator.beam_off}}
  - {{driver: axis.stop_all}}
"""
SL = "station_plugins.tunnel_test.steplib"


def write_seq(folder: Path, body: str, *, name: str = "seq.yaml", id: str = "t",
              status: str = "released") -> Path:
    p = folder / name
    p.write_text(HEADER.format(id=id, status=status) + textwrap.dedent(body), encoding="utf-8")
    return p


def trivial_sequence(folder: Path, n: int, *, step_fn: str = "trivial", args: str = "{}",
                     name: str = "trivial.yaml", groups: int = 1, retries: int = 0) -> Path:
    lines = ["groups:"]
    per = n // groups
    for g in range(groups):
        lines += [f"  - key: g{g}", "    steps:"]
        for i in range(per):
            lines += [f"      - key: s{g}.{i}",
                      f"        action: {{python: '{SL}:{step_fn}', args: {args}}}",
                      f"        retries: {retries}",
                      "        measurements: [{name: value, unit: V, limits: {low: 0, high: 2}}]"]
    return write_seq(folder, "\n".join(lines) + "\n", name=name, id=f"trivial{n}")


MINI = """\
setup:
  - key: setup.door
    action: {driver: door.set, args: {closed: true}}
    measurements: [{name: closed, unit: bool, limits: {equals: true}}]
groups:
  - key: xray
    steps:
      - key: xray.kv80
        precondition: "read('door.closed')"
        action: {driver: generator.expose, args: {kv: 80, ma: 10, ms: 100}}
        measurements:
          - {name: kv, from: kv_measured, unit: kV, limits: {nominal: 80, tolerance_pct: 5}}
          - {name: time, from: time_ms, unit: ms, limits: {low: 0.095, high: 0.105, unit: s}}
      - key: motion.orbital
        action: {driver: axis.move, args: {axis: orbital, target: 30, speed: 12}}
        measurements:
          - {name: pos, from: position, unit: deg, limits: {nominal: 30, tolerance: 0.5}}
          - {name: current, unit: A, kind: waveform, reduce: rms, limits: {high: 3}}
      - key: safety.pe
        locks: [safety_analyser]
        action: {driver: safety.earth_resistance, args: {point: frame}}
        measurements:
          - {name: resistance, unit: ohm, limits: {high: 200, unit: mohm}}
teardown:
  - key: teardown.beam_off
    action: {driver: generator.beam_off}
"""


@pytest.fixture
def mini_seq(tmp_path: Path) -> Path:
    return write_seq(tmp_path, MINI, id="mini")


@pytest.fixture
def journal(tmp_path: Path):
    j = TunnelJournal(tmp_path / "journal.db")
    yield j
    j.close()


@pytest.fixture
def ws(data_dir):
    from app.bootstrap import Workstation

    w = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False,
                         admin_password=ADMIN_PW)
    admin = w.auth.authenticate("admin", ADMIN_PW)
    w.auth.create_user("op1", "Olga Operator", ["operator"], USER_PW, by=admin,
                       reason="test", must_change_password=False)
    w.auth.create_user("qe1", "Quentin Engineer", ["quality_engineer"], USER_PW, by=admin,
                       reason="test", must_change_password=False)
    yield w
    w.close()


@pytest.fixture
def mes():
    from app.adapters.mes import SimulatedMes

    with SimulatedMes() as m:
        yield m
