"""Headless commands: ``pharos qc analyze | simulate | profiles`` (+ ``listen`` from net_cli).

Exit codes of ``qc analyze``: 0 PASS / WARN, 1 FAIL, 2 ERROR or unusable input (the
reason on stderr).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.core.errors import InputRejected, PharosError
from app.core.measurement import Verdict
from app.ct.limits import resolve_profile

EXIT = {Verdict.PASS: 0, Verdict.WARN: 0, Verdict.SKIP: 0, Verdict.FAIL: 1, Verdict.ERROR: 2}


def add_qc_commands(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    qc = subparsers.add_parser("qc", help="CT phantom image QC (analyse, simulate, profiles)")
    sub = qc.add_subparsers(dest="qc_command", metavar="COMMAND", required=True)

    a = sub.add_parser("analyze", aliases=["analyse"], help="analyse a phantom series (folder or files)")
    a.add_argument("paths", nargs="+", metavar="PATH", help="folder of DICOM files, or files")
    a.add_argument("--phantom", default="auto", help="phantom name (catphan504, catphan604, acr464, "
                   "vendor_water, ...) or auto (default)")
    a.add_argument("--profile", default="auto", help="limit profile name or .toml path; auto = by "
                   "phantom (acr464 -> acr_2024, others -> factory_simct_120kv); none = no limits")
    a.add_argument("--baseline", type=Path, help="accepted baseline result (JSON) for constancy limits")
    a.add_argument("--series-uid", help="series to analyse when the input holds several")
    a.add_argument("--json", dest="json_out", help="write the result JSON here ('-' = stdout)")
    a.add_argument("--pdf", dest="pdf_out", type=Path, help="write the PDF report here")
    a.add_argument("--quiet", action="store_true", help="no summary on stdout")
    a.set_defaults(func=cmd_analyze)

    s = sub.add_parser("simulate", help="write a simulated phantom series (DICOM + truth.json)")
    s.add_argument("out", type=Path, help="output folder")
    s.add_argument("--phantom", default="catphan504")
    s.add_argument("--matrix", type=int, default=512)
    s.add_argument("--fov", type=float, default=250.0, help="field of view, mm")
    s.add_argument("--thickness", type=float, default=2.0, help="slice thickness, mm")
    s.add_argument("--spacing", type=float, help="slice spacing, mm (default = thickness)")
    s.add_argument("--slices", type=int, help="number of slices (default: cover the phantom)")
    s.add_argument("--offset", default="0,0", help="phantom centre offset X,Y in mm")
    s.add_argument("--roll", type=float, default=0.0)
    s.add_argument("--pitch", type=float, default=0.0)
    s.add_argument("--yaw", type=float, default=0.0)
    s.add_argument("--noise", type=float, default=10.0, help="noise SD, HU")
    s.add_argument("--kernel", default="standard", help="noise texture: smooth, standard, sharp")
    s.add_argument("--sigma", type=float, default=0.45, help="PSF sigma, mm")
    s.add_argument("--helical", action="store_true")
    s.add_argument("--artifact", action="append", default=[], metavar="KIND:AMP[:key=val,...]",
                   help="e.g. ring:20:radius_mm=40, streak:60:angle_deg=30, cupping:40, band:8")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--serial", default="CT-SIM-0001", help="scanner serial written to the header")
    s.set_defaults(func=cmd_simulate)

    p = sub.add_parser("profiles", help="list the limit profiles")
    p.set_defaults(func=cmd_profiles)

    from station_plugins.ct_qc import net_cli  # ct-net adds `listen`
    net_cli.add_commands(sub)
    return qc


def _err(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)


def cmd_analyze(args: argparse.Namespace) -> int:
    from app.ct.analysis import analyze_series
    from app.ct.analysis.result import QcResult
    from app.ct.dicom_load import load_series

    try:
        baseline = None
        if args.baseline is not None:
            try:
                baseline = QcResult.from_json(args.baseline.read_text(encoding="utf-8"))
            except (OSError, ValueError, KeyError) as exc:
                raise InputRejected(f"baseline {args.baseline}: not a QC result JSON ({exc})") from exc
        series = load_series(args.paths if len(args.paths) > 1 else args.paths[0],
                             series_uid=args.series_uid)
        profile = args.profile
        if profile == "auto":  # chosen once the phantom is known (auto-detection)
            profile = lambda phantom: resolve_profile("auto", phantom)  # noqa: E731
        elif profile == "none":
            profile = None
        result = analyze_series(series, phantom=args.phantom, profile=profile, baseline=baseline)
    except PharosError as exc:
        _err(f"{exc.message} [{exc.code}]")
        if exc.remedy:
            print(f"remedy: {exc.remedy}", file=sys.stderr)
        return 2
    text = result.to_json()
    if args.json_out == "-":
        sys.stdout.write(text + "\n")
    elif args.json_out:
        Path(args.json_out).write_text(text, encoding="utf-8")
    if args.pdf_out:
        from station_plugins.ct_qc.report_pdf import write_report
        write_report(result, args.pdf_out, series=series)
    if not args.quiet and args.json_out != "-":
        print(summary(result))
    return EXIT[result.verdict]


def summary(result: Any) -> str:
    loc = result.localisation
    lines = [f"{result.verdict.value}  {result.phantom}  profile {result.profile.name} {result.profile.version}"
             f"  ({result.elapsed_s:.2f} s)",
             f"centre {loc.centre_mm[0]:+.1f},{loc.centre_mm[1]:+.1f} mm  roll {loc.roll_deg:+.1f} deg  "
             f"origin slice {loc.origin_slice}  confidence {loc.confidence:.2f}"]
    if loc.missing_modules:
        lines.append(f"missing modules: {', '.join(loc.missing_modules)}")
    for m in result.measurements:
        if m.verdict is not Verdict.PASS and m.verdict is not Verdict.SKIP:
            v = "-" if m.value is None else m.value
            lines.append(f"  {m.verdict.value:5s} {m.key} = {v} {m.unit}  {m.note}")
    for a in result.artifacts:
        lines.append(f"  {a.verdict.value:5s} artifact {a.type} {a.amplitude_hu:+.1f} HU {json.dumps(a.location)}")
    return "\n".join(lines)


def parse_artifact(text: str) -> Any:
    from app.ct.simulator import ArtifactSpec
    parts = text.split(":")
    if len(parts) < 2:
        raise InputRejected(f"artifact {text!r}: expected KIND:AMPLITUDE[:key=value,...]")
    kw: dict[str, Any] = {}
    for item in ":".join(parts[2:]).split(",") if len(parts) > 2 else []:
        if not item:
            continue
        k, _, v = item.partition("=")
        if k == "slices":
            kw[k] = tuple(int(x) for x in v.split("+"))
        elif k in ("channel", "views"):
            kw[k] = int(v)
        else:
            kw[k] = float(v)
    kind = parts[0]
    if kind == "ring" and "radius_mm" not in kw and "channel" not in kw:
        kw["radius_mm"] = 40.0
    try:
        return ArtifactSpec(kind=kind, amplitude_hu=float(parts[1]), **kw)
    except (TypeError, ValueError) as exc:
        raise InputRejected(f"artifact {text!r}: {exc}") from exc


def cmd_simulate(args: argparse.Namespace) -> int:
    from app.ct.simulator import SimParams, simulate_series, write_dicom_series
    try:
        ox, oy = (float(v) for v in args.offset.split(","))
        params = SimParams(phantom=args.phantom, matrix=args.matrix, fov_mm=args.fov,
                           slice_thickness_mm=args.thickness, slice_spacing_mm=args.spacing,
                           n_slices=args.slices, centre_offset_mm=(ox, oy), roll_deg=args.roll,
                           pitch_deg=args.pitch, yaw_deg=args.yaw, noise_sd_hu=args.noise,
                           noise_kernel=args.kernel, psf_sigma_mm=args.sigma, helical=args.helical,
                           artifacts=tuple(parse_artifact(a) for a in args.artifact), seed=args.seed)
        sim = simulate_series(params)
        paths = write_dicom_series(sim, args.out, scanner_serial=args.serial)
    except PharosError as exc:
        _err(f"{exc.message} [{exc.code}]")
        return 2
    except ValueError as exc:
        _err(str(exc))
        return 2
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:  # noqa: ARG001
    from app.ct.limits import list_profiles, load_profile
    for name in list_profiles():
        try:
            p = load_profile(name)
            print(f"{p.name:24s} {p.version:10s} {p.sha256[:12]}  {p.title}")
        except PharosError as exc:
            print(f"{name:24s} INVALID   {exc.message}")
    return 0
