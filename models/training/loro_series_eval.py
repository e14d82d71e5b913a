"""Series-level leave-one-renderer-out (issue 16): ``eval_ai_series.py --loro DIR``.

Each leave-one-renderer-out model exported by ``train_ct_phantom_classifier2.py
--loro-export DIR`` (DIR/<tag>_<train>_only/, a ``--models-dir``: loro_export.py) judges
whole series of the renderer it never saw, through the series decision exactly as
``pharos ai classify --models-dir DIR/<tag>_<train>_only`` decides it (ModelRegistry ->
AiChecker.classify -> AiResult.label, every slice with both neighbours):

* the "loro" set (series_loro.py: per renderer and class 6-12 series, fixed before any
  LORO result was seen),
* the wide set (series_wide.py, the 46 series),
* the older image-renderer set (eval_ai_series.image_renderer_cases) - image renderer,
* the shared foreign sample (DIR with clean/, ring/, streak/): a renderer EVERY model
  left out, reported separately.

A series is "right" when its series class is its truth (a clean series: "normal"); the
strict clean criterion of eval_ai_series.summarise (normal AND >= 95 % of the judged
slices normal) is kept beside it (``ok``). ``slice_share``: the share of the judged
slices whose class is the truth. ``series_class_no_anomaly_na``: the same series decision
with the anomaly-score refusal off (slices refused ONLY for their anomaly score get their
network class back) - how much the in-distribution not-applicable threshold of a LORO
model (loro_export.py) decides; a sensitivity column, not the decision.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

ANOMALY_REFUSAL = "is unlike any phantom slice"


def loro_models(root: Path) -> list[dict]:
    """The exported LORO models under ``root`` (each DIR/<x>/ that a ModelRegistry finds a
    ct_phantom_classifier in whose card names its training renderer)."""
    from app.adapters.inference import ModelRegistry
    from app.ct.ai.check import AiChecker

    out = []
    for d in sorted(Path(root).iterdir()):
        if not (d / "ct_phantom_classifier").is_dir():
            continue
        checker = AiChecker.from_registry(ModelRegistry(d))
        lo = (checker.onnx.card.data.get("training") or {}).get("leave_one_renderer_out")
        if not lo:
            raise SystemExit(f"{d}: the model's card names no leave_one_renderer_out "
                             "training renderer (not a --loro-export model)")
        out.append({"dir": d.name, "tag": lo["tag"], "trained_on": lo["trained_on"],
                    "left_out": lo["left_out"], "checker": checker,
                    "model": checker.onnx.card.model_id,
                    "sha256": checker.onnx.card.sha256,
                    "not_applicable": checker.not_applicable,
                    "weak_rate": round(checker.weak_rate, 5)})
    if not out:
        raise SystemExit(f"no LORO model under {root} (train_ct_phantom_classifier2.py "
                         "--loro-export DIR)")
    return out


def without_anomaly_refusal(checker: Any, res: Any) -> str:
    """The series class with slices refused only for their anomaly score given back
    their network class (see the module)."""
    from app.ct.ai.preprocess import CLASSES

    slices = []
    for s in res.slices:
        if s.label == "not_applicable" and s.reasons and ANOMALY_REFUSAL in s.reasons[0]:
            best = max(CLASSES, key=lambda c: s.scores[c])
            s = replace(s, label=best, reasons=())
        slices.append(s)
    na = replace(res, slices=tuple(slices),
                 not_applicable_reason=checker._series_reason(slices))
    return na.label


def judge(model: dict, res: Any, truth: str) -> dict:
    labels = [s.label for s in res.slices]
    judged = [lab for lab in labels if lab != "not_applicable"]
    share = sum(lab == truth for lab in judged) / max(len(judged), 1)
    from eval_ai_series import summarise

    row = summarise(res, truth)
    ev = res.decision()[1]
    row.update(weak=ev.weak, expected_weak=round(ev.expected_weak, 2),
               p_value=float(f"{ev.p_value:.3g}"))
    row.update(tag=model["tag"], model=model["model"], right=res.label == truth,
               slice_share=round(share, 3), judged=len(judged),
               n_slices=len(labels),
               series_class_no_anomaly_na=without_anomaly_refusal(model["checker"], res))
    return row


def series_sources(sets: set[str], split: str, foreign_dir: Path | None
                   ) -> Iterator[tuple[str, str, str, str, str, Callable]]:
    """(set, name, renderer, truth, split, make() -> (volume, pixel mm, module plateaus or
    None)) of every series: the plateaus - the modules localised from the slice positions
    for the band gate - as ``pharos ai classify`` and ``eval_ai_series.py``'s released-model
    checks pass them (without them the gate cannot refute a band at a module's step: the
    LORO runs of session 22 and before judged the foreign and wide series without them);
    the image-renderer cases have no positions, as in eval_ai_series.image_renderer."""
    from eval_ai_series import image_renderer_cases
    from series_loro import loro_series
    from series_wide import wide_series

    from app.ct.ai.modules import module_plateaus

    def rendered(case: Any) -> tuple:
        vol, px, pos, thick = case.render()
        return vol, px, module_plateaus(vol, pos, px, thick)

    if "foreign" in sets and foreign_dir is not None:
        from app.ct.dicom_load import load_series

        for name, truth in (("clean", "normal"), ("ring", "ring"), ("streak", "streak")):
            folders = [p for p in (foreign_dir / name).rglob("*") if p.is_dir()] \
                or [foreign_dir / name]

            def make(f: Path = folders[0]) -> tuple:
                s = load_series(f, require_ct=True)
                return s.volume, s.pixel_mm, module_plateaus(
                    s.volume, s.slice_positions_mm, s.pixel_mm, s.slice_thickness_mm)
            yield "foreign", f"foreign {name}", "foreign", truth, "-", make
    for set_name, fn in (("loro", loro_series), ("wide", wide_series)):
        if set_name in sets:
            for case in fn(split):
                yield (set_name, case.name, case.renderer, case.truth, case.split,
                       lambda c=case: rendered(c))
    if "img" in sets:
        for name, truth, make in image_renderer_cases():
            yield "img_older", f"img {name}", "img", truth, "-", make


def run(root: Path, sets: set[str], split: str, foreign_dir: Path | None,
        out_json: Path | None) -> dict:
    models = loro_models(root)
    for m in models:
        print(f"LORO model {m['dir']}: {m['model']} trained on {m['trained_on']}, left out "
              f"{m['left_out']}; not-applicable {m['not_applicable']}, weak rate "
              f"{m['weak_rate']}", flush=True)
    rows: list[dict] = []
    t0 = time.time()
    for set_name, name, renderer, truth, half, make in series_sources(sets, split, foreign_dir):
        users = [m for m in models if renderer == "foreign" or m["left_out"] == renderer]
        if not users:
            continue
        got = make()
        vol, px = got[:2]
        plateaus = got[2] if len(got) > 2 else None
        for m in users:
            res = m["checker"].classify(vol, pixel_mm=px, module_plateaus=plateaus)
            row = judge(m, res, truth)
            row.update(set=set_name, name=name, renderer=renderer, truth=truth, split=half,
                       left_out=m["left_out"], trained_on=m["trained_on"])
            rows.append(row)
            print(f"  {set_name:9s} {half:5s} {m['tag']:>6s}/{m['trained_on']} {name:44s} "
                  f"-> {res.label:14s} {'right' if row['right'] else 'WRONG'} "
                  f"(no anomaly n/a: {row['series_class_no_anomaly_na']})  {row['slices']}",
                  flush=True)
        del vol
    out = {"models": [{k: v for k, v in m.items() if k != "checker"} for m in models],
           "rows": rows, "table": table(rows), "seconds": round(time.time() - t0, 1)}
    print(markdown(out["table"]))
    if out_json:
        out_json.write_text(json.dumps(out, indent=1, default=str) + "\n")
    return out


def table(rows: list[dict]) -> list[dict]:
    """Per tag, left-out renderer, set group (foreign apart) and class: series right /
    total, strict ok, without the anomaly refusal, pooled slice share."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        src = "foreign" if r["set"] == "foreign" else "renderers"
        key = (r["tag"], r["trained_on"], r["renderer"], src, r["truth"])
        groups.setdefault(key, []).append(r)
    out = []
    for (tag, trained, renderer, src, truth), rs in sorted(groups.items()):
        judged = sum(r["judged"] for r in rs)
        out.append({"tag": tag, "trained_on": trained, "renderer": renderer, "source": src,
                    "class": truth, "series": len(rs),
                    "right": sum(r["right"] for r in rs),
                    "ok_strict": sum(r["ok"] for r in rs),
                    "right_no_anomaly_na": sum(r["series_class_no_anomaly_na"] == truth
                                               for r in rs),
                    "not_applicable": sum(r["series_class"] == "not_applicable" for r in rs),
                    "slice_share": round(sum(r["slice_share"] * r["judged"] for r in rs)
                                         / max(judged, 1), 3),
                    "wrong_as": sorted({r["series_class"] for r in rs if not r["right"]})})
    return out


def markdown(tab: list[dict]) -> str:
    lines = ["| recipe | trained on -> series of | class | series right | clean strict | "
             "without anomaly refusal | series n/a | slice share | wrong as |",
             "|---|---|---|---|---|---|---|---|---|"]
    for t in tab:
        lines.append(f"| {t['tag']} | {t['trained_on']} -> {t['renderer']} | {t['class']} | "
                     f"{t['right']} / {t['series']} | "
                     f"{t['ok_strict'] if t['class'] == 'normal' else ''} | "
                     f"{t['right_no_anomaly_na']} / {t['series']} | {t['not_applicable']} | "
                     f"{t['slice_share']} | {', '.join(t['wrong_as'])} |")
    return "\n".join(lines)
