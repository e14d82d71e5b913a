"""Load and validate a sequence file (YAML): all or nothing, errors name file and line.

Format (documented in docs/tunnel_test.md): ``format: pharos.tunnel.sequence/2`` (or
``/1``), id, version, status (released | draft), setup / groups / teardown / safe_state.
Format 2 adds the plant's Chinese texts, all optional (the English text is shown where
one is missing): ``title_zh`` on the sequence, groups and steps, ``text_zh`` and
``choices_zh`` on prompts. A format 1 file is read as before; a ``*_zh`` key in it is
rejected naming the format it needs. Nothing of a file that fails validation is ever run.
"""
from __future__ import annotations

import importlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterable, NoReturn

from app.core.errors import InputRejected
from app.core.ids import content_hash, sha256_hex
from app.core.measurement import Limits
from station_plugins.tunnel_test import units
from station_plugins.tunnel_test.conditions import ConditionError, compile_condition
from station_plugins.tunnel_test.sequence_model import (
    AI_POLICIES, IMAGE_REDUCERS, MEASUREMENT_KINDS, VERDICT_NAMES, WAVEFORM_REDUCERS, Action,
    AiSpec, Group, MeasurementSpec, Prompt, Sequence, Step)
from station_plugins.tunnel_test.yaml_lines import LineDict, LineList, YamlLineError, load_with_lines

FORMAT_1 = "pharos.tunnel.sequence/1"
FORMAT = "pharos.tunnel.sequence/2"          # the current format (adds the *_zh texts)
FORMATS = (FORMAT_1, FORMAT)
ZH_KEYS = {"title_zh", "text_zh", "choices_zh"}
_TOP = {"format", "id", "version", "title", "title_zh", "product", "status", "limits_version",
        "approved_by", "defaults", "setup", "groups", "teardown", "safe_state", "meta"}
_GROUP = {"key", "title", "title_zh", "steps", "setup", "teardown", "retries", "retry_on",
          "run_if", "resume", "locks"}
_STEP = {"key", "title", "title_zh", "action", "measurements", "prompt", "ai", "timeout_s",
         "retries", "retry_on", "run_if", "skip_if", "precondition", "locks", "resumable"}
_PROMPT = {"text", "text_zh", "choices", "choices_zh", "pass_choices", "image"}
_MEAS = {"name", "unit", "from", "kind", "limits", "reduce", "labels"}
_LIMITS = {"low", "high", "marginal_low", "marginal_high", "equals", "nominal", "tolerance",
           "tolerance_pct", "marginal_pct", "unit", "source"}
_AI = {"onnx", "input", "budget_s", "min_confidence", "on_timeout", "on_low_confidence",
       "retries"}


class SequenceError(InputRejected):
    """A sequence file rejected at load: ``file``, ``line`` and ``reason``."""

    code = "PH-TT-SEQ"
    remedy = "Correct the sequence file at the named line and load it again."

    def __init__(self, file: str, line: int, reason: str) -> None:
        super().__init__(f"{file}:{line}: {reason}")
        self.file, self.line, self.reason = file, line, reason


class _Checker:
    def __init__(self, file: str, known_drivers: Iterable[str] | None,
                 fmt: str = FORMAT) -> None:
        self.file = file
        self.known_drivers = set(known_drivers) if known_drivers is not None else None
        self.keys: dict[str, int] = {}
        self.format = fmt

    def fail(self, line: int, reason: str) -> NoReturn:
        raise SequenceError(self.file, line, reason)

    def mapping(self, obj: Any, where: str, line: int, allowed: set[str]) -> LineDict:
        if not isinstance(obj, LineDict):
            self.fail(getattr(obj, "line", line), f"{where} must be a mapping")
        if self.format == FORMAT_1:
            zh = sorted(set(obj) & ZH_KEYS)
            if zh:
                self.fail(obj.line_of(zh[0]), f"{where}: '{zh[0]}' needs 'format: {FORMAT}' "
                                              f"(this file says {FORMAT_1})")
        unknown = sorted(set(obj) - allowed)
        if unknown:
            self.fail(obj.line_of(unknown[0]), f"{where}: unknown key '{unknown[0]}' "
                                                f"(allowed: {', '.join(sorted(allowed))})")
        return obj

    def zh_text(self, d: LineDict, key: str, where: str) -> str:
        """An optional Chinese text: one line, not blank."""
        if key not in d:
            return ""
        v = d[key]
        if not isinstance(v, str) or not v.strip() or "\n" in v.strip():
            self.fail(d.line_of(key), f"{where}: '{key}' must be one line of text")
        return v.strip()

    def text(self, d: LineDict, key: str, where: str, *, required: bool = True,
             default: str = "") -> str:
        if key not in d:
            if required:
                self.fail(d.line, f"{where}: '{key}' is required")
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            self.fail(d.line_of(key), f"{where}: '{key}' must be text")
        return str(v)

    def number(self, d: LineDict, key: str, where: str, default: float, *,
               lo: float = 0.0, hi: float = 1e9, integer: bool = False) -> Any:
        if key not in d:
            return default
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not
                                                                      isinstance(v, int)):
            self.fail(d.line_of(key), f"{where}: '{key}' must be "
                                      f"{'an integer' if integer else 'a number'}, got {v!r}")
        if not lo <= v <= hi:
            self.fail(d.line_of(key), f"{where}: '{key}' = {v} is outside {lo:g}..{hi:g}")
        return v

    def names(self, d: LineDict, key: str, where: str, allowed: Iterable[str] | None = None,
              default: tuple = ()) -> tuple[str, ...]:
        if key not in d:
            return default
        v = d[key]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.fail(d.line_of(key), f"{where}: '{key}' must be a list of names")
        if allowed is not None:
            bad = [x for x in v if x not in allowed]
            if bad:
                self.fail(d.line_of(key), f"{where}: '{bad[0]}' is not one of "
                                          f"{', '.join(allowed)}")
        return tuple(v)

    def condition(self, d: LineDict, key: str, where: str) -> str:
        text = self.text(d, key, where, required=False)
        if text:
            try:
                compile_condition(text)
            except ConditionError as exc:
                self.fail(d.line_of(key), f"{where}: {exc}")
        return text

    # --- parts ----------------------------------------------------------------
    def limits(self, d: Any, meas_unit: str, where: str, line: int) -> Limits:
        d = self.mapping(d, f"{where} limits", line, _LIMITS)
        lim_unit = self.text(d, "unit", where, required=False, default=meas_unit)
        if "unit" in d:
            if not units.is_known(lim_unit):
                self.fail(d.line_of("unit"), f"{where}: unknown limit unit '{lim_unit}'")
            try:
                units.factor(lim_unit, meas_unit)
            except units.UnitError as exc:
                self.fail(d.line_of("unit"), f"{where}: limits in wrong unit: {exc}")
        vals: dict[str, Any] = {}
        for k in ("low", "high", "marginal_low", "marginal_high", "nominal", "tolerance",
                  "tolerance_pct", "marginal_pct"):
            if k in d:
                vals[k] = self.number(d, k, where, 0.0, lo=-1e12, hi=1e12)
        if "equals" in d:
            if any(k in vals for k in ("low", "high", "nominal")):
                self.fail(d.line_of("equals"), f"{where}: 'equals' cannot be combined "
                                               f"with a range")
            return Limits(equals=d["equals"], source=str(d.get("source", "")))
        if "nominal" in vals:
            nom = vals["nominal"]
            if "tolerance" in vals:
                tol = vals["tolerance"]
            elif "tolerance_pct" in vals:
                tol = abs(nom) * vals["tolerance_pct"] / 100.0
            else:
                self.fail(d.line_of("nominal"), f"{where}: 'nominal' needs 'tolerance' or "
                                                f"'tolerance_pct'")
            vals["low"], vals["high"] = nom - tol, nom + tol
            if "marginal_pct" in vals:
                band = tol * vals["marginal_pct"] / 100.0
                vals["marginal_low"], vals["marginal_high"] = nom - band, nom + band
        conv = {k: units.convert(vals.get(k), lim_unit, meas_unit)
                for k in ("low", "high", "marginal_low", "marginal_high")}
        lo, hi, wlo, whi = conv["low"], conv["high"], conv["marginal_low"], conv["marginal_high"]
        if lo is None and hi is None:
            self.fail(d.line, f"{where}: limits need low, high, nominal or equals")
        if lo is not None and hi is not None and lo > hi:
            self.fail(d.line, f"{where}: low {lo:g} is above high {hi:g}")
        for w in (wlo, whi):
            if w is not None and ((lo is not None and w < lo) or (hi is not None and w > hi)):
                self.fail(d.line, f"{where}: marginal band {w:g} lies outside the limits")
        return Limits(low=lo, high=hi, warn_low=wlo, warn_high=whi,
                      source=str(d.get("source", "")))

    def measurement(self, d: Any, where: str, line: int) -> MeasurementSpec:
        d = self.mapping(d, where, line, _MEAS)
        name = self.text(d, "name", where)
        where = f"{where} '{name}'"
        unit = self.text(d, "unit", where)
        if not units.is_known(unit):
            self.fail(d.line_of("unit"), f"{where}: unknown unit '{unit}'")
        kind = self.text(d, "kind", where, required=False, default="scalar")
        if kind not in MEASUREMENT_KINDS:
            self.fail(d.line_of("kind"), f"{where}: kind '{kind}' is not one of "
                                         f"{', '.join(MEASUREMENT_KINDS)}")
        reduce = self.text(d, "reduce", where, required=False)
        allowed = {"waveform": WAVEFORM_REDUCERS, "image": IMAGE_REDUCERS}.get(kind, ())
        if kind in ("waveform", "image") and reduce not in allowed:
            self.fail(d.line_of("reduce") if "reduce" in d else d.line,
                      f"{where}: a {kind} measurement needs 'reduce' in {', '.join(allowed)}")
        limits = self.limits(d["limits"], unit, where, d.line_of("limits")) \
            if "limits" in d else Limits()
        return MeasurementSpec(name=name, unit=unit, source=self.text(
            d, "from", where, required=False, default=name), kind=kind, limits=limits,
            reduce=reduce, labels=self.names(d, "labels", where), line=d.line)

    def action(self, d: Any, where: str, line: int) -> Action:
        d = self.mapping(d, f"{where} action", line, {"driver", "python", "args"})
        drv, py = self.text(d, "driver", where, required=False), \
            self.text(d, "python", where, required=False)
        if bool(drv) == bool(py):
            self.fail(d.line, f"{where}: action needs exactly one of 'driver' or 'python'")
        if drv and self.known_drivers is not None and drv not in self.known_drivers:
            self.fail(d.line_of("driver"), f"{where}: unknown driver call '{drv}'")
        if py:
            mod, _, fn = py.partition(":")
            try:
                ok = callable(getattr(importlib.import_module(mod), fn, None))
            except ImportError as exc:
                self.fail(d.line_of("python"), f"{where}: cannot import '{mod}': {exc}")
            if not ok:
                self.fail(d.line_of("python"), f"{where}: '{py}' is not a function")
        args = d.get("args", {})
        if not isinstance(args, dict):
            self.fail(d.line_of("args"), f"{where}: 'args' must be a mapping")
        return Action(driver=drv, python=py, args=_plain(args))

    def step(self, d: Any, line: int, group: str, phase: str, defaults: dict) -> Step:
        d = self.mapping(d, "step", line, _STEP)
        key = self.text(d, "key", "step")
        where = f"step '{key}'"
        if key in self.keys:
            self.fail(d.line_of("key"), f"{where}: duplicate key (first at line "
                                        f"{self.keys[key]})")
        self.keys[key] = d.line_of("key")
        action = self.action(d["action"], where, d.line_of("action")) if "action" in d else None
        prompt = None
        if "prompt" in d:
            p = self.mapping(d["prompt"], f"{where} prompt", d.line_of("prompt"), _PROMPT)
            choices = self.names(p, "choices", where)
            passes = self.names(p, "pass_choices", where, allowed=choices)
            if len(choices) < 2 or not passes:
                self.fail(p.line, f"{where}: a prompt needs 2+ choices and 1+ pass_choices")
            labels = self.names(p, "choices_zh", where)
            if labels and len(labels) != len(choices):
                self.fail(p.line_of("choices_zh"), f"{where}: 'choices_zh' needs one label per "
                                                   f"choice ({len(choices)}), got {len(labels)}")
            prompt = Prompt(text=self.text(p, "text", where), choices=choices,
                            pass_choices=passes, image=self.text(p, "image", where,
                                                                 required=False),
                            text_zh=self.zh_text(p, "text_zh", where), choices_zh=labels)
        if action is None and prompt is None:
            self.fail(d.line, f"{where}: needs an 'action' or a 'prompt'")
        meas_list = d.get("measurements", [])
        if not isinstance(meas_list, list):
            self.fail(d.line_of("measurements"), f"{where}: measurements must be a list")
        meas = tuple(self.measurement(m, where, getattr(meas_list, "item_lines", [d.line])[i]
                                      if isinstance(meas_list, LineList) else d.line)
                     for i, m in enumerate(meas_list))
        names = [m.name for m in meas]
        if len(set(names)) != len(names):
            self.fail(d.line_of("measurements"), f"{where}: duplicate measurement names")
        ai = None
        if "ai" in d:
            a = self.mapping(d["ai"], f"{where} ai", d.line_of("ai"), _AI)
            ai = AiSpec(onnx=self.text(a, "onnx", where), source=self.text(a, "input", where),
                        budget_s=self.number(a, "budget_s", where, 2.0, lo=0.01, hi=2.0),
                        min_confidence=self.number(a, "min_confidence", where, 0.8, hi=1.0),
                        on_timeout=self._policy(a, "on_timeout", where, "retry"),
                        on_low_confidence=self._policy(a, "on_low_confidence", where, "review"),
                        retries=self.number(a, "retries", where, 1, hi=5, integer=True))
        return Step(
            key=key, title=self.text(d, "title", where, required=False, default=key),
            action=action, measurements=meas, prompt=prompt, ai=ai,
            timeout_s=self.number(d, "timeout_s", where, defaults.get("timeout_s", 10.0),
                                  lo=0.01, hi=3600),
            retries=self.number(d, "retries", where, defaults.get("retries", 0), hi=10,
                                integer=True),
            retry_on=self.names(d, "retry_on", where, VERDICT_NAMES, ("ERROR",)),
            run_if=self.condition(d, "run_if", where),
            skip_if=self.condition(d, "skip_if", where),
            precondition=self.condition(d, "precondition", where),
            locks=self.names(d, "locks", where), resumable=bool(d.get("resumable", True)),
            line=d.line, group=group, phase=phase, title_zh=self.zh_text(d, "title_zh", where))

    def _policy(self, d: LineDict, key: str, where: str, default: str) -> str:
        v = self.text(d, key, where, required=False, default=default)
        if v not in AI_POLICIES:
            self.fail(d.line_of(key), f"{where}: {key} '{v}' not one of {', '.join(AI_POLICIES)}")
        return v

    def steps(self, d: LineDict, key: str, group: str, phase: str, defaults: dict,
              required: bool = False) -> tuple[Step, ...]:
        items = d.get(key, [])
        if required and not items:
            self.fail(d.line, f"'{key}' must list at least one step")
        if not isinstance(items, LineList):
            if items == []:
                return ()
            self.fail(d.line_of(key), f"'{key}' must be a list of steps")
        return tuple(self.step(s, items.item_lines[i], group, phase, defaults)
                     for i, s in enumerate(items))


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def limits_digest(seq_steps: Iterable[Step]) -> str:
    return content_hash([[s.key, m.name, m.unit, m.kind, m.reduce, m.limits.to_dict()]
                         for s in seq_steps for m in s.measurements])


_CACHE: OrderedDict[tuple, Sequence] = OrderedDict()
_CACHE_SIZE = 16
_CACHE_LOCK = threading.Lock()


def parse_sequence(text: str, file: str = "<text>", *,
                   known_drivers: Iterable[str] | None = None) -> Sequence:
    """Parse and validate ``text``. A text that validated before (same bytes, same file
    name, same driver list) is not parsed again: the console loads the same released
    file at every start and list refresh, and parsing is CPU work that competes with
    the GUI thread for the interpreter. Sequences are immutable; errors are not cached."""
    key = (sha256_hex(text), file,
           None if known_drivers is None else frozenset(known_drivers))
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    seq = _parse(text, file, key[2])
    with _CACHE_LOCK:
        _CACHE[key] = seq
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return seq


def _parse(text: str, file: str, known_drivers: Iterable[str] | None) -> Sequence:
    try:
        raw = load_with_lines(text)
    except YamlLineError as exc:
        raise SequenceError(file, exc.line, exc.reason) from None
    fmt = raw.get("format") if isinstance(raw, dict) else None
    c = _Checker(file, known_drivers, fmt if fmt in FORMATS else FORMAT)
    if fmt not in FORMATS:
        c.mapping(raw, "sequence file", 1, _TOP)
        c.fail(raw.line_of("format"), f"'format' must be '{FORMAT}' (or '{FORMAT_1}'), "
                                      f"got {fmt!r}" if "format" in raw else
               f"'format' is required: 'format: {FORMAT}'")
    top = c.mapping(raw, "sequence file", 1, _TOP)
    status = c.text(top, "status", "sequence")
    if status not in ("released", "draft"):
        c.fail(top.line_of("status"), "status must be 'released' or 'draft'")
    defaults = dict(c.mapping(top.get("defaults", LineDict()), "defaults", top.line,
                              {"timeout_s", "retries"}))
    groups = top.get("groups")
    if not isinstance(groups, LineList) or not groups:
        c.fail(top.line_of("groups"), "'groups' must list at least one group")
    out_groups = []
    for gi, g in enumerate(groups):
        g = c.mapping(g, "group", groups.item_lines[gi], _GROUP)
        gkey = c.text(g, "key", "group")
        where = f"group '{gkey}'"
        resume = c.text(g, "resume", where, required=False, default="step")
        if resume not in ("step", "group"):
            c.fail(g.line_of("resume"), f"{where}: resume must be 'step' or 'group'")
        out_groups.append(Group(
            key=gkey, title=c.text(g, "title", where, required=False, default=gkey),
            steps=c.steps(g, "steps", gkey, "main", defaults, required=True),
            setup=c.steps(g, "setup", gkey, "setup", defaults),
            teardown=c.steps(g, "teardown", gkey, "teardown", defaults),
            retries=c.number(g, "retries", where, 0, hi=5, integer=True),
            retry_on=c.names(g, "retry_on", where, VERDICT_NAMES, ("ERROR",)),
            run_if=c.condition(g, "run_if", where), resume=resume,
            locks=c.names(g, "locks", where), line=g.line,
            title_zh=c.zh_text(g, "title_zh", where)))
    safe = top.get("safe_state", [])
    if not isinstance(safe, LineList) or not safe:
        c.fail(top.line_of("safe_state") if "safe_state" in top else top.line,
               "'safe_state' must list the actions that make the unit safe (beam off, "
               "motion stop)")
    safe_actions = tuple(c.action(a, "safe_state", safe.item_lines[i])
                         for i, a in enumerate(safe))
    seq_setup = c.steps(top, "setup", "", "setup", defaults)
    seq_teardown = c.steps(top, "teardown", "", "teardown", defaults)
    all_steps = list(seq_setup) + [s for g in out_groups for s in (*g.setup, *g.steps,
                                                                      *g.teardown)]
    all_steps += list(seq_teardown)
    return Sequence(
        id=c.text(top, "id", "sequence"), version=c.text(top, "version", "sequence"),
        title=c.text(top, "title", "sequence", required=False),
        product=c.text(top, "product", "sequence", required=False), status=status,
        groups=tuple(out_groups), setup=seq_setup, teardown=seq_teardown,
        safe_state=safe_actions, limits_version=c.text(top, "limits_version", "sequence",
                                                       required=False),
        source_path=file, sha256=sha256_hex(text), limits_sha256=limits_digest(all_steps),
        approved_by=c.text(top, "approved_by", "sequence", required=False),
        meta=_plain(top.get("meta", {})), format=c.format,
        title_zh=c.zh_text(top, "title_zh", "sequence"))


def load_sequence(path: str | Path, *, known_drivers: Iterable[str] | None = None) -> Sequence:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise SequenceError(str(p), 0, f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SequenceError(str(p), line, "file is not UTF-8 text") from None
    seq = parse_sequence(text, str(p), known_drivers=known_drivers)
    assert seq.sha256 == sha256_hex(data)
    return seq
