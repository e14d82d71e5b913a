"""CLI end to end (JSON against the schema, exit codes) and the learned-cost adapter
(sha256 checked against the card; mismatch refused; station falls back to physics)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.core.errors import ModelIntegrityError
from app.paths import models_dir
from station_plugins.detector_matching.cli import main
from station_plugins.detector_matching.result import SCHEMA_PATH

CARD_DIR = models_dir() / "detector_neighbour_cost" / "1.0.0"


def test_generate_then_run_writes_valid_json(tmp_path, capsys):
    pool = tmp_path / "pool.parquet"
    assert main(["match", "generate", "--slots", "30", "--modules", "36", "--seed", "2",
                 "--out", str(pool)]) == 0
    out = tmp_path / "result.json"
    assert main(["match", "run", str(pool), "--detector-model", "PX-48", "--slots", "30",
                 "--seed", "1", "--time-limit", "30", "--cost", "physics",
                 "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    schema = json.loads(SCHEMA_PATH.read_text())
    try:
        import jsonschema
    except ImportError:                       # not a runtime dependency: check the keys
        assert set(schema["required"]) <= set(data)
    else:
        jsonschema.validate(data, schema)
    assert data["cost_source"] == "physics" and data["slots"] == 30
    assert len({a["module_serial"] for a in data["assignment"]}) == 30
    assert data["lower_bound"] <= data["objective"]
    assert data["objective"] == pytest.approx(data["slot_cost"] + data["neighbour_cost"])
    left = {x["serial"] for x in data["modules_left_out"]}
    assert not left & {a["module_serial"] for a in data["assignment"]}
    assert len(left) + 30 == data["pool"]["modules_in_file"]


def test_bad_input_exits_2_with_message(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("module_serial,lot\nX,Y\n")
    assert main(["match", "run", str(bad), "--json", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert "refused" in err and "DM-IMP" in err
    assert not (tmp_path / "o.json").exists()
    assert main(["match", "run", str(bad), "--detector-model", "NOPE",
                 "--json", str(tmp_path / "o.json")]) == 2
    assert "Unknown detector model" in capsys.readouterr().err


@pytest.mark.skipif(not (CARD_DIR / "card.json").exists(), reason="model not trained")
def test_learned_cost_loads_verified_and_is_used(tmp_path):
    from station_plugins.detector_matching.adapters.cost_onnx import load_neighbour_cost_regression
    from station_plugins.detector_matching.generator import generate
    from station_plugins.detector_matching.learned_cost import LearnedNeighbourCost
    reg = load_neighbour_cost_regression()
    provider = LearnedNeighbourCost(reg.predict, reg.source_id)
    d = provider.neighbour_cost(generate(12, 1).values)
    assert d.shape == (12, 12) and np.isinf(np.diag(d)).all()
    off = d[~np.eye(12, dtype=bool)]
    assert np.isfinite(off).all() and (off > 0).all() and off.std() > 0


@pytest.mark.skipif(not (CARD_DIR / "card.json").exists(), reason="model not trained")
def test_model_hash_mismatch_is_refused(tmp_path):
    from station_plugins.detector_matching.adapters.cost_onnx import load_neighbour_cost_regression
    root = tmp_path / "models"
    dst = root / "detector_neighbour_cost" / "1.0.0"
    shutil.copytree(CARD_DIR, dst)
    load_neighbour_cost_regression(root)                      # intact copy loads
    data = bytearray((dst / "model.onnx").read_bytes())
    data[-1] ^= 0xFF                                          # tamper one byte
    (dst / "model.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError):
        load_neighbour_cost_regression(root)


def test_missing_model_falls_back_to_physics_and_says_so(tmp_path, monkeypatch):
    import station_plugins.detector_matching.adapters.cost_onnx as adapter
    from station_plugins.detector_matching.learned_cost import load_learned_cost
    monkeypatch.setattr(adapter, "models_dir", lambda: tmp_path / "empty")
    provider, why = load_learned_cost()
    assert provider is None and "detector_neighbour_cost" in why


def test_plugin_registers_the_match_commands_and_batch_runs(tmp_path):
    import argparse

    from station_plugins.detector_matching.plugin import DetectorMatchingStation
    parser = argparse.ArgumentParser()
    DetectorMatchingStation.add_cli(parser.add_subparsers(dest="command"))
    pool = tmp_path / "pool.csv"
    out = tmp_path / "batch.json"
    args = parser.parse_args(["match", "generate", "--slots", "20", "--modules", "50",
                              "--out", str(pool)])
    assert args.func(args) == 0
    args = parser.parse_args(["match", "batch", str(pool), "--detector-model", "PX-48",
                              "--detectors", "2", "--spec-cost-per-slot", "100",
                              "--json", str(out)])
    # PX-48 needs 96 modules for two detectors: a clear refusal, exit 2
    assert args.func(args) == 2 and not out.exists()
    args = parser.parse_args(["match", "batch", str(pool), "--detector-model", "PX-48",
                              "--detectors", "1", "--spec-cost-per-slot", "100",
                              "--json", str(out)])
    assert args.func(args) == 0
    data = json.loads(out.read_text())
    assert data["detectors_meeting_spec"] == 1 and len(data["detectors"][0]["serials"]) == 48
    assert data["cost_source"] in ("learned", "physics") and data["cost_source_note"]
    args = parser.parse_args(["match", "batch", str(pool), "--detector-model", "PX-48",
                              "--detectors", "1", "--cost", "physics", "--json", str(out)])
    assert args.func(args) == 0
    assert json.loads(out.read_text())["cost_source"] == "physics"


def _model(tmp_path, weak_gap) -> str:
    from station_plugins.detector_matching.detector_models import detector_models_dir
    text = (detector_models_dir() / "PX-48.toml").read_text(encoding="utf-8")
    text = "\n".join(f"weak_gap = {weak_gap}" if line.startswith("weak_gap") else line
                     for line in text.splitlines())
    path = tmp_path / f"PX-48-weak-{str(weak_gap).replace('.', '_')}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_run_says_clearly_when_a_result_is_weak(tmp_path, capsys):
    pool = tmp_path / "pool.parquet"
    assert main(["match", "generate", "--slots", "30", "--modules", "36", "--seed", "3",
                 "--out", str(pool)]) == 0
    capsys.readouterr()
    for weak_gap, weak in ((1e-9, True), (0.9, False)):
        out = tmp_path / f"r{weak}.json"
        assert main(["match", "run", str(pool), "--detector-model", _model(tmp_path, weak_gap),
                     "--slots", "30", "--time-limit", "20", "--cost", "physics",
                     "--json", str(out)]) == 0
        data = json.loads(out.read_text())
        err = capsys.readouterr().err
        assert data["weak"] is weak and data["weak_gap_threshold"] == weak_gap
        assert data["gap"] > 0
        if weak:
            assert "WARNING: WEAK RESULT" in err and "require a reason" in err
            assert "above the 0.00 % threshold" in data["weak_reason"]
        else:
            assert "WEAK" not in err and data["weak_reason"] is None
    assert main(["match", "run", str(pool), "--detector-model", _model(tmp_path, 2),
                 "--json", str(tmp_path / "x.json")]) == 2
    assert "weak_gap" in capsys.readouterr().err


def test_warmup_uses_the_data_folders_cache(tmp_path):
    """`pharos match warmup --data-dir D` (no NUMBA_CACHE_DIR): the kernels live in
    D/cache/numba (here pre-filled from the test cache, so they load instead of
    compiling: the path is what is checked)."""
    import os
    import subprocess
    import sys

    from station_plugins.detector_matching import kernels
    data = tmp_path / "data"
    target = data / "cache" / "numba" / kernels.SUBDIR
    shutil.copytree(Path(os.environ[kernels.ENV]) / kernels.SUBDIR, target)
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != kernels.ENV}
    env["PYTHONPATH"] = str(root)
    r = subprocess.run([sys.executable, "-m", "app", "match", "warmup", "--data-dir",
                        str(data)], cwd=root, env=env, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    assert f"cache {(data / 'cache' / 'numba').resolve()}" in r.stderr
    assert "kernels loaded" in r.stderr and "(0 compiled" in r.stderr
    # the installation step also readies the AI check's kernels in the same cache
    assert "AI check kernels ready" in r.stderr, r.stderr
    assert list(target.glob("compiled.*.nbi"))


def test_a_detector_run_does_not_load_the_ai_checks_kernels(tmp_path):
    """`ensure_ready` (what `pharos match run`, the detector station and the optimiser
    call before their clock) loads the optimiser's kernels only: the AI check's would cost
    a detector run ~0.3 s (loaded) or ~2 s (compiled) for nothing."""
    import os
    import subprocess
    import sys

    from station_plugins.detector_matching import kernels
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(root)
    code = ("from station_plugins.detector_matching import kernels, optimiser\n"
            "kernels.configure()\nkernels.ensure_ready()\n"
            "from app.ct.ai import compiled\nprint(compiled.ready())\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[-1] == "False"
    assert os.environ[kernels.ENV]                # (the test cache: loads, not compiles)


def _counting_provider():
    """The real verified regression, its ONNX calls counted."""
    from station_plugins.detector_matching.adapters.cost_onnx import load_neighbour_cost_regression
    from station_plugins.detector_matching.learned_cost import LearnedNeighbourCost
    reg = load_neighbour_cost_regression()
    calls = []

    def predict(x):  # noqa: ANN001, ANN202
        calls.append(len(x))
        return reg.predict(x)
    return LearnedNeighbourCost(predict, reg.source_id), calls


@pytest.mark.skipif(not (CARD_DIR / "card.json").exists(), reason="model not trained")
def test_learned_costs_are_kept_per_pool_and_can_be_computed_ahead():
    """The 194 k predictions of a pool are computed once (before the optimiser's clock:
    prefetch), and a changed pool is computed again."""
    from station_plugins.detector_matching.generator import generate
    provider, calls = _counting_provider()
    values = generate(40, 3).values
    provider.prefetch(values).join(60)
    assert provider.computed == 1 and sum(calls) == 40 * 40
    d = provider.neighbour_cost(values.copy())              # same content: kept
    assert provider.computed == 1 and sum(calls) == 40 * 40
    assert not d.flags.writeable and np.isinf(np.diag(d)).all()
    other = values[np.r_[1:40, 0]]                          # another pool
    d2 = provider.neighbour_cost(other)
    assert provider.computed == 2 and not np.array_equal(d, d2)
    assert np.array_equal(provider.neighbour_cost(values), d)



def test_a_second_run_of_the_same_pool_starts_the_bound_where_the_first_ended(tmp_path,
                                                                              monkeypatch):
    """`pharos match run` keeps the bound's prices in the data folder (session 8): the
    second run of the same pool says so in its JSON (`bound_start`) and certifies at least
    as much; another data folder starts cold."""
    from station_plugins.detector_matching import dual_store
    pool = tmp_path / "pool.parquet"
    assert main(["match", "generate", "--slots", "30", "--modules", "36", "--seed", "4",
                 "--out", str(pool)]) == 0
    data = tmp_path / "data"
    runs = []
    try:
        for folder in (data, data, tmp_path / "other"):
            dual_store.clear_memory()                 # each run as its own process
            monkeypatch.setenv("PHAROS_DATA_DIR", str(folder))
            out = tmp_path / "r.json"
            assert main(["match", "run", str(pool), "--detector-model", "PX-48", "--slots",
                         "30", "--seed", "1", "--time-limit", "2", "--cost", "physics",
                         "--json", str(out)]) == 0
            runs.append(json.loads(out.read_text()))
    finally:
        dual_store.configure(None)
        dual_store.clear_memory()
    assert [r["bound_start"] for r in runs] == ["gilmore_lawler", "file", "gilmore_lawler"]
    assert runs[1]["lower_bound"] >= runs[0]["lower_bound"] - 1e-9
    assert list((data / "cache" / "detector_matching" / "duals").glob("*.npz"))
