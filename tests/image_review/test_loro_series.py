"""Series-level leave-one-renderer-out (issue 16): the LORO export is an installable model
the CLI runs (models/training/loro_export.py), ``eval_ai_series.py --loro DIR`` runs each
series through the model that never saw its renderer (loro_series_eval.py), and the
"loro" series set is fixed (series_loro.py)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.adapters.inference import ModelRegistry, file_sha256
from app.ct.ai.check import AiChecker
from app.main import main
from tests.image_review.conftest import CLASSES, TINY_ONNX, phantom_volume
from tests.image_review.test_cli import workstation  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "models" / "training"
sys.path.insert(0, str(TRAINING))


def write_loro_model(root: Path, tag: str, trained_on: str, left_out: str,
                     thresholds: dict | None = None) -> Path:
    """root/<tag>_<trained_on>_only/ct_phantom_classifier/<tag>-loro-<trained_on>/ with the
    tiny stand-in network (the layout and card keys of loro_export.py)."""
    d = root / f"{tag}_{trained_on}_only" / "ct_phantom_classifier" / f"{tag}-loro-{trained_on}"
    d.mkdir(parents=True)
    shutil.copyfile(TINY_ONNX, d / "model.onnx")
    card = {"name": "ct_phantom_classifier", "version": f"{tag}-loro-{trained_on}",
            "file": "model.onnx", "sha256": file_sha256(d / "model.onnx"), "classes": CLASSES,
            "training": {"leave_one_renderer_out": {"trained_on": trained_on,
                                                    "left_out": left_out, "tag": tag}},
            "thresholds": {"anomaly": 1.0, "low_confidence": 0.8, **(thresholds or {})}}
    (d / "card.json").write_text(json.dumps(card))
    return d


# --- the export ---------------------------------------------------------------------------

@pytest.mark.slow                                   # a torch ONNX export: ~4 s
@pytest.mark.parametrize("k", [1, 2])               # one network; an ensemble of two seeds
def test_loro_export_is_an_installable_model_with_its_own_renderers_threshold(
        workstation, tmp_path, capsys, k):  # noqa: F811 - the fixture
    torch = pytest.importorskip("torch", reason="training extra (pip install .[train]) absent")
    import train_ct_phantom_classifier2 as tr
    from loro_export import export_loro, not_applicable_threshold

    from app.ct.ai.normalise import CONTEXT_NAMES, prepare

    torch.manual_seed(0)
    # the 2.0.0 recipe's network, untrained (k members: different random weights)
    nets = [tr.PhantomNet2(blur_gate=False).eval() for _ in range(k)]
    d = nets[0].feat_dim
    means, inv_cov = np.zeros((7, d), np.float32), np.eye(d, dtype=np.float32)
    members = [tr.Member(n, 0.9, means, inv_cov, 1.0 + j, np.zeros(0), j + 1)
               for j, n in enumerate(nets)]
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(7), 40)
    y = rng.integers(0, 7, 40)

    def report(q995: float) -> dict:
        return {"samples": 40, "accuracy": 0.5, "recall": {c: 0.9 for c in CLASSES},
                "anomaly_quantiles": {"0.5": 0.3, "0.995": q995}, "_probs": probs,
                "_anomaly": np.zeros(40)}

    def probes(evidence: bool = False):
        # real normalisation of one phantom-sized disc (the training's probes are 20 such)
        vol = phantom_volume(8.0, n=3, size=512)
        x, ctx, problems = prepare(vol, 0.5, [1], evidence)
        return x, ctx, [f"disc: {problems[0] or 'measurable'}"]

    # the left-out renderer's anomaly (9.9) must not move the threshold: own held-out 1.37
    card_path = export_loro(tmp_path / "loro", tag="t", train="sim", test="img",
                            members=members, own=report(1.37), left=report(9.9),
                            own_set={"ok": np.ones(40, bool), "y": y}, evidence=False,
                            epochs=1, seed=1, recipe={"no_blur_gate": True},
                            export=tr.export_members, probes=probes,
                            anomaly=tr.members_anomaly)
    assert card_path == tmp_path / "loro/t_sim_only/ct_phantom_classifier/t-loro-sim/card.json"
    card = json.loads(card_path.read_text())
    assert card["thresholds"]["not_applicable"] == 1.37 == not_applicable_threshold(1.37)
    assert not_applicable_threshold(0.8) == 1.0          # never below the anomaly flag
    assert card["sha256"] == file_sha256(card_path.parent / "model.onnx")
    assert card["classes"] == CLASSES
    assert card["preprocessing"]["scheme"] == "grid1mm_context"
    assert card["inputs"][1]["names"] == list(CONTEXT_NAMES)
    assert card["training"]["leave_one_renderer_out"] == {"trained_on": "sim",
                                                          "left_out": "img", "tag": "t"}
    assert card["metrics"]["left_out_renderer"]["anomaly_quantiles"]["0.995"] == 9.9
    # an ensemble's card names its members; the probes' anomaly is the members' mean
    assert card["training"].get("member_seeds") == ([1, 2] if k == 2 else None)
    assert card["metrics"]["calibration"]["temperature"] == (0.9 if k == 1 else [0.9, 0.9])
    x, ctx, _ = probes()
    with torch.no_grad():
        an = np.mean([tr.maha(m.net.features(torch.from_numpy(x), torch.from_numpy(ctx))
                              .numpy(), means, inv_cov) / m.scale for m in members], axis=0)
    assert card["metrics"]["ood_probes"]["probes"][0]["anomaly"] == round(float(an[0]), 3)
    # the series' weak rate comes from the OWN held-out figures
    checker = AiChecker.from_registry(ModelRegistry(tmp_path / "loro" / "t_sim_only"))
    assert checker.not_applicable == 1.37 and "card held-out" in checker.weak_rate_source
    # ... and `pharos ai classify --models-dir` runs it as it runs a released model
    np.save(tmp_path / "v.npy", phantom_volume(8.0, n=4, size=512))
    capsys.readouterr()                               # the export's own print
    rc = main(["ai", "classify", str(tmp_path / "v.npy"), "--json", "-", "--no-store",
               "--models-dir", str(tmp_path / "loro" / "t_sim_only")])
    data = json.loads(capsys.readouterr().out)
    assert rc in (0, 1) and data["model"]["version"] == "t-loro-sim"
    assert data["model"]["sha256"] == card["sha256"] and len(data["images"]) == 2


# --- the series evaluation ----------------------------------------------------------------

def test_anomaly_refusal_is_reported_beside_the_decision(tmp_path):
    from loro_series_eval import judge, without_anomaly_refusal

    # every slice of a smooth phantom is refused for its anomaly (threshold 0.001): the
    # series is "not applicable"; without the refusal the network's class is normal
    d = write_loro_model(tmp_path, "t", "sim", "img", {"not_applicable": 0.001})
    checker = AiChecker.from_registry(ModelRegistry(d.parents[1]))
    res = checker.classify(phantom_volume(5.0, n=6), pixel_mm=0.98)
    assert res.label == "not_applicable"
    assert without_anomaly_refusal(checker, res) == "normal"
    row = judge({"tag": "t", "model": "m", "checker": checker}, res, "normal")
    assert row["right"] is False and row["series_class_no_anomaly_na"] == "normal"
    assert row["judged"] == 0 and row["slice_share"] == 0.0


def test_eval_loro_runs_each_series_through_the_model_that_left_its_renderer_out(
        tmp_path, monkeypatch):
    import loro_series_eval as lse

    root = tmp_path / "loro"
    write_loro_model(root, "t", "sim", "img")
    write_loro_model(root, "t", "img", "sim")
    clean, noisy = phantom_volume(5.0, n=5), phantom_volume(80.0, n=5)

    def sources(sets, split, foreign_dir):
        yield "loro", "img clean", "img", "normal", "dev", lambda: (clean, 0.98)
        yield "loro", "img noise", "img", "noise", "check", lambda: (noisy, 0.98)
        yield "loro", "sim noise", "sim", "noise", "dev", lambda: (clean, 0.98)  # wrong
        yield "foreign", "foreign clean", "foreign", "normal", "-", lambda: (clean, 0.98)
    monkeypatch.setattr(lse, "series_sources", sources)
    out = lse.run(root, {"loro", "foreign"}, "all", None, tmp_path / "o.json")
    rows = {(r["name"], r["trained_on"]): r for r in out["rows"]}
    # a renderer's series only by the model that never saw it; the foreign one by both
    assert set(rows) == {("img clean", "sim"), ("img noise", "sim"), ("sim noise", "img"),
                         ("foreign clean", "sim"), ("foreign clean", "img")}
    assert rows[("img clean", "sim")]["right"] and rows[("img noise", "sim")]["right"]
    assert not rows[("sim noise", "img")]["right"]
    assert rows[("sim noise", "img")]["series_class"] == "normal"
    tab = {(t["trained_on"], t["source"], t["class"]): t for t in out["table"]}
    assert tab[("sim", "renderers", "noise")]["right"] == 1
    assert tab[("img", "renderers", "noise")]["right"] == 0
    assert tab[("img", "renderers", "noise")]["wrong_as"] == ["normal"]
    assert tab[("sim", "foreign", "normal")]["series"] == 1     # foreign apart
    assert json.loads((tmp_path / "o.json").read_text())["models"][0]["dir"] == "t_img_only"
    assert "| t | sim -> img | noise | 1 / 1 |" in lse.markdown(out["table"])


def test_eval_ai_series_cli_loro_on_a_foreign_dicom_sample(tmp_path):
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series

    root = tmp_path / "loro"
    write_loro_model(root, "t", "sim", "img")
    foreign = tmp_path / "foreign"
    for name in ("clean", "ring", "streak"):
        sim = simulate_series(SimParams(matrix=128, n_slices=4, slice_thickness_mm=5.0, seed=4))
        write_dicom_series(sim, foreign / name / "series", scanner_serial="SN-F")
    r = subprocess.run([sys.executable, str(TRAINING / "eval_ai_series.py"), "--loro",
                        str(root), "--loro-sets", "foreign", "--foreign", str(foreign),
                        "--json", str(tmp_path / "o.json")], cwd=ROOT, capture_output=True,
                       text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads((tmp_path / "o.json").read_text())
    assert [(x["name"], x["truth"]) for x in out["rows"]] == [
        ("foreign clean", "normal"), ("foreign ring", "ring"), ("foreign streak", "streak")]
    assert {t["source"] for t in out["table"]} == {"foreign"}


def test_empty_or_foreign_models_dir_is_refused(tmp_path):
    from loro_series_eval import loro_models

    with pytest.raises(SystemExit, match="no LORO model"):
        loro_models(tmp_path)
    from tests.image_review.conftest import write_tiny_models

    write_tiny_models(tmp_path / "released")
    with pytest.raises(SystemExit, match="not a --loro-export model"):
        loro_models(tmp_path)


# --- the loro series set ------------------------------------------------------------------

def test_loro_set_is_fixed_apart_from_the_wide_set():
    from series_loro import COUNTS, LORO_SEED_BASE, loro_series
    from series_wide import wide_series

    wide = wide_series("all")
    assert len(wide) == 46                                  # unchanged
    loro = loro_series("all")
    for r, counts in COUNTS.items():
        for cls, n in counts.items():
            rows = [s for s in loro if s.renderer == r and s.truth == cls]
            assert len(rows) == n, (r, cls)
            assert [s.split for s in rows] == ["dev", "check"] * (n // 2) + ["dev"] * (n % 2)
    seeds = [s.seed for s in loro]
    assert len(set(seeds)) == len(seeds) and min(seeds) >= LORO_SEED_BASE
    assert not set(seeds) & {s.seed for s in wide}
    assert len({s.name for s in loro}) == len(loro)
    assert {s.name for s in loro_series("dev")} | {s.name for s in loro_series("check")} \
        == {s.name for s in loro}
    # the draw is fixed: the same names and facts every time
    again = loro_series("all")
    assert [(s.name, s.facts) for s in again] == [(s.name, s.facts) for s in loro]
