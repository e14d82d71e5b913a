"""What the detector-matching panel says, built without Qt (tested without a display).

Every function takes ``tr``, the translator of the station's texts (the panel passes one
bound to the ``DetectorMatchingPanel`` translation context; tests pass ``str``), and a
:class:`~station_plugins.detector_matching.session.MatchSession` or its parts. The view
only puts the returned texts into widgets.
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

Tr = Callable[[str], str]


def fmt(x: float | None, pct: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{100 * x:.2f}\u00a0%" if pct else f"{x:.3f}"


def arrangement_label(arr: Any, tr: Tr) -> str:
    """'#3 manual swap of slots 2 and 9' - one history entry, in the user's language."""
    a = arr.args
    if arr.kind == "swap":
        text = tr("manual swap of slots {a} and {b}").format(a=a["a"], b=a["b"])
    elif arr.kind == "restored":
        text = tr("back to #{no}").format(no=a["no"])
    elif arr.kind == "optimised":
        text = tr("optimised (seed {seed})").format(seed=a["seed"])
    elif arr.kind == "batch":
        text = (tr("batch detector {k} (meets spec)") if a["meets_spec"] else
                tr("batch detector {k} (does NOT meet spec)")).format(k=a["detector"])
    else:
        text = arr.origin
    return f"#{arr.no} {text}" if arr.no else text


def source_label(source: str, tr: Tr) -> str:
    return {"physics": tr("physics model"),
            "learned": tr("learned model (ONNX)")}.get(source, source)


def source_note(result: Any, tr: Tr) -> str:
    """What the run used, in the user's language (the English note is in the JSON)."""
    source = getattr(result, "cost_source", None) or result.problem.cost_source
    if source == "learned":
        return tr("Learned neighbour cost with the physics slot cost.")
    text = tr("Physics cost (slot and neighbour).")
    _, sep, why = result.cost_source_note.partition("learned cost not used: ")
    if sep and why != "physics requested":
        why = {"disabled in settings": tr("disabled in settings")}.get(why, why)
        # sentences follow each other with a space in English, without one in Chinese
        text += ("" if text.endswith("。") else " ") + tr(
            "The learned cost was not used: {why}").format(why=why)
    return text


def weak_text(weak: Any, tr: Tr) -> str:
    """Why a result is weak (gap above the detector model's threshold, or no bound)."""
    if weak.note:
        return str(weak.note)
    if not weak.certified:
        return tr("no certified lower bound, so how far this arrangement is from the best "
                  "possible is unknown")
    return tr("the certified gap {g} is above the {t} threshold of {m}: the arrangement may "
              "be up to {g} worse than the best possible").format(
                  g=f"{100 * weak.gap:.2f} %", t=f"{100 * weak.threshold:.2f} %", m=weak.model)


def weak_banner(weak: Any, tr: Tr) -> str:
    return tr("Weak result: {why}. Optimise again with a longer time limit; approving it "
              "needs a reason.").format(why=weak_text(weak, tr))


def reference(session: Any, chosen_no: int | None) -> tuple[Any, int | None]:
    """The arrangement the current one is compared with - the history entry the user
    chose, else the previous one - and the choice still valid (None: the previous)."""
    ref = session.arrangement(chosen_no) if chosen_no is not None else None
    if ref is None or ref is session.current:
        chosen_no = None
        ref = session.previous if any(a is session.previous for a in session.history) \
            else None
    return ref, chosen_no


def compare_choices(session: Any, tr: Tr) -> list[tuple[str, int]]:
    """(label, number) of every other arrangement in the history, newest first."""
    return [(f"{arrangement_label(arr, tr)}: {fmt(arr.solution.objective)}", arr.no)
            for arr in reversed(session.history) if arr is not session.current]


def summary_html(session: Any, tr: Tr) -> str:
    """The arrangement box: label, objective and its parts, the bound (or why none),
    cost source, feasibility, material utilisation (rich text, every value escaped)."""
    s = session
    if s.current is None:
        return html.escape(tr("No arrangement yet."))
    sol, p = s.current.solution, s.problem
    util = ""
    if s.batch_detector is not None and s.batch is not None:
        b = s.batch
        per_slot = sol.objective / max(1, p.n)
        bound_line = tr(
            "batch detector: {c} per slot against the spec {spec} ({state}); no "
            "single-detector bound (the batch is optimised as a whole)").format(
                c=f"{per_slot:.4f}", spec=f"{b.spec_cost_per_slot:.3f}",
                state=tr("met") if per_slot <= b.spec_cost_per_slot else tr("NOT met"))
        util = tr("material utilisation of the batch {u}").format(
            u=f"{100 * b.utilisation:.1f} %")
    elif s.result is not None and not s.bound_valid:
        bound_line = tr("no lower bound: a lock the optimisation used was released; "
                        "optimise again for a certified gap")
    else:
        bound_line = tr("lower bound {lb}, certified gap <b>{g}</b>").format(
            lb=fmt(sol.lower_bound), g=fmt(sol.gap, True))
        used = p.n / max(1, s.pool.size + len(s.pool.excluded))
        util = tr("material utilisation {u}").format(u=f"{100 * used:.1f} %")
    lines = [f"<b>{html.escape(arrangement_label(s.current, tr))}</b>",
             tr("objective {o} (slots {sc} + neighbours {nc})").format(
                 o=fmt(sol.objective), sc=fmt(sol.slot_cost), nc=fmt(sol.neighbour_cost)),
             bound_line,
             html.escape(tr("cost source: {src}").format(src=source_label(p.cost_source, tr))),
             tr("feasible: {f}").format(f=tr("yes") if sol.feasible else tr("NO")),
             util]
    return "<br>".join(line for line in lines if line)


def compare_text(session: Any, ref: Any, tr: Tr) -> str:
    s = session
    if s.current is None:
        return "-"
    if ref is None:
        return tr("no earlier arrangement")
    sol, prev, n = s.current.solution, ref.solution, s.problem.n
    diff = int((ref.perm[:n] != s.current.perm[:n]).sum())
    return tr("{a}: {o1}\n{b}: {o2}\nchange {d}, {k} slots differ").format(
        a=arrangement_label(ref, tr), o1=fmt(prev.objective),
        b=arrangement_label(s.current, tr), o2=fmt(sol.objective),
        d=fmt(sol.objective - prev.objective), k=diff)


def selection_text(session: Any, selected: list[int], tr: Tr) -> str:
    p, cur = session.problem, session.current
    if p is None or cur is None or not selected:
        return tr("Click slots on the arc to select them.")
    return "\n".join(tr("slot {s}: {m} (cost {c})").format(
        s=s, m=p.serials[cur.perm[s]], c=fmt(p.c[s, cur.perm[s]])) for s in selected)


def approve_summary(session: Any, n_slots: int, weak: Any, reason: str, tr: Tr) -> str:
    """What the signature dialog shows beside the content it signs."""
    s = session.current.solution
    text = tr("{n} slots, objective {o}, gap {g}").format(n=n_slots, o=fmt(s.objective),
                                                          g=fmt(s.gap, True))
    if weak is not None:      # approving a weak result needs a reason; it is signed too
        text += "\n" + tr("WEAK RESULT: {why}. Reason: {r}").format(why=weak_text(weak, tr),
                                                                    r=reason)
    return text


@dataclass(frozen=True)
class BatchRow:
    detector: str
    cost: str
    spec: str
    meets_spec: bool
    note: str
    note_tip: str


def batch_summary(batch: Any, tr: Tr) -> str:
    if batch is None:
        return tr("Builds as many detectors as the pool allows and balances them so that as "
                  "many as possible meet the spec.")
    b = batch
    return tr("Spec {spec} per slot: {ok} of {k} detectors meet it ({before} before "
              "balancing); material utilisation {u}; cost: {src}; {sec} s").format(
                  spec=f"{b.spec_cost_per_slot:.3f}", ok=b.meeting_spec, k=len(b.detectors),
                  before=b.balancing.get("meeting_spec_before", "-"),
                  u=f"{100 * b.utilisation:.1f} %", src=source_label(b.cost_source, tr),
                  sec=f"{b.seconds:.1f}")


def batch_rows(batch: Any, tr: Tr) -> list[BatchRow]:
    if batch is None:
        return []
    out = []
    for d in batch.detectors:
        given_up = bool(d["given_up_for_others"])
        out.append(BatchRow(
            str(d["detector"]), f"{d['cost_per_slot']:.4f}",
            tr("met") if d["meets_spec"] else tr("NOT met"), bool(d["meets_spec"]),
            tr("given up") if given_up else "",
            tr("Its modules were used so that the other detectors meet spec.")
            if given_up else ""))
    return out


# the running task's progress messages (written in English by the optimiser, the batch and
# the importers: the CLI and the log keep them) -> the user's language
_ANNEALING = re.compile(r"annealing: best (\S+)")
_REOPTIMISING = re.compile(r"re-optimising detector (\d+) of (\d+)")
_READING_DB = re.compile(r"reading (.+) from the test database")
_READING = re.compile(r"reading (.+)")
_VALIDATING = re.compile(r"validating (\d+) modules")


def progress_text(message: str, tr: Tr) -> str:
    """A progress message of the station's background work in the user's language; a
    message this table does not know is shown as written (never blank)."""
    fixed = {"seeding": tr("seeding"),
             "polishing (exact LAP neighbourhoods)": tr("polishing (exact LAP neighbourhoods)"),
             "waiting for the lower bound": tr("waiting for the lower bound"),
             "done": tr("done"),
             "preparing the optimiser": tr("preparing the optimiser"),
             "building costs": tr("building costs"),
             "balancing detectors against the spec": tr("balancing detectors against the spec")}
    if message in fixed:
        return fixed[message]
    if m := _ANNEALING.fullmatch(message):
        return tr("annealing: best {best}").format(best=m[1])
    if m := _REOPTIMISING.fullmatch(message):
        return tr("re-optimising detector {d} of {k}").format(d=m[1], k=m[2])
    if m := _READING_DB.fullmatch(message):
        return tr("reading {table} from the test database").format(table=m[1])
    if m := _READING.fullmatch(message):
        return tr("reading {file}").format(file=m[1])
    if m := _VALIDATING.fullmatch(message):
        return tr("validating {n} modules").format(n=m[1])
    return message
