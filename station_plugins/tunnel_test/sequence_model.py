"""The parsed, validated form of a tunnel test sequence (frozen dataclasses).

Built only by :mod:`sequence_loader`; the engine never sees raw YAML. Limits are held in
the measurement's own unit (converted at load).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.measurement import Limits

MEASUREMENT_KINDS = ("scalar", "multi", "waveform", "image", "text")
WAVEFORM_REDUCERS = ("rms", "peak", "mean", "p2p", "std")
IMAGE_REDUCERS = ("mean", "uniformity_pct", "noise_pct", "defect_contrast_pct")
VERDICT_NAMES = ("PASS", "WARN", "FAIL", "ERROR")
AI_POLICIES = ("retry", "review", "fail")


@dataclass(frozen=True)
class MeasurementSpec:
    name: str
    unit: str
    source: str                      # key in the action output
    kind: str = "scalar"
    limits: Limits = field(default_factory=Limits)
    reduce: str = ""                 # waveform / image reducer
    labels: tuple[str, ...] = ()     # multi-value: one label per element
    line: int = 0

    @property
    def limits_text(self) -> str:
        return self.limits.text()


@dataclass(frozen=True)
class Action:
    driver: str = ""                 # "generator.expose": a hardware driver call by name
    python: str = ""                 # "pkg.module:function": a Python step function
    args: dict = field(default_factory=dict)

    @property
    def target(self) -> str:
        return self.driver or self.python


def localized(text: str, text_zh: str, language: str) -> str:
    """The Chinese text when the language is Chinese and the sequence has one; else the
    English text (format /1 files and steps without ``title_zh``)."""
    return text_zh if text_zh and language.startswith("zh") else text


@dataclass(frozen=True)
class Prompt:
    text: str
    choices: tuple[str, ...]
    pass_choices: tuple[str, ...]
    image: str = ""
    text_zh: str = ""
    choices_zh: tuple[str, ...] = ()        # display labels; the answer is the choice

    def text_for(self, language: str) -> str:
        return localized(self.text, self.text_zh, language)

    def labels_for(self, language: str) -> tuple[str, ...]:
        if self.choices_zh and language.startswith("zh"):
            return self.choices_zh
        return self.choices


@dataclass(frozen=True)
class AiSpec:
    onnx: str                        # model folder name under models/, e.g. tunnel_image
    source: str                      # output key holding the image / waveform
    budget_s: float = 2.0
    min_confidence: float = 0.8
    on_timeout: str = "retry"        # retry | review | fail
    on_low_confidence: str = "review"
    retries: int = 1


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    action: Action | None
    measurements: tuple[MeasurementSpec, ...] = ()
    prompt: Prompt | None = None
    ai: AiSpec | None = None
    timeout_s: float = 10.0
    retries: int = 0
    retry_on: tuple[str, ...] = ("ERROR",)
    run_if: str = ""
    skip_if: str = ""
    precondition: str = ""
    locks: tuple[str, ...] = ()
    resumable: bool = True
    line: int = 0
    group: str = ""
    phase: str = "main"              # setup | main | teardown
    title_zh: str = ""

    def title_for(self, language: str) -> str:
        return localized(self.title, self.title_zh, language)

    @property
    def item_count(self) -> int:
        return max(1, len(self.measurements)) + (1 if self.ai else 0)


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    steps: tuple[Step, ...]
    setup: tuple[Step, ...] = ()
    teardown: tuple[Step, ...] = ()
    retries: int = 0
    retry_on: tuple[str, ...] = ("ERROR",)
    run_if: str = ""
    resume: str = "step"             # step: resume at the step; group: rerun the group
    locks: tuple[str, ...] = ()
    line: int = 0
    title_zh: str = ""

    def title_for(self, language: str) -> str:
        return localized(self.title, self.title_zh, language)


@dataclass(frozen=True)
class Sequence:
    id: str
    version: str
    title: str
    product: str
    status: str                      # released | draft
    groups: tuple[Group, ...]
    setup: tuple[Step, ...] = ()
    teardown: tuple[Step, ...] = ()
    safe_state: tuple[Action, ...] = ()
    limits_version: str = ""
    source_path: str = ""
    sha256: str = ""
    limits_sha256: str = ""
    approved_by: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    format: str = "pharos.tunnel.sequence/1"
    title_zh: str = ""

    def title_for(self, language: str) -> str:
        return localized(self.title, self.title_zh, language)

    def all_steps(self) -> list[Step]:
        out = list(self.setup)
        for g in self.groups:
            out.extend(g.setup)
            out.extend(g.steps)
            out.extend(g.teardown)
        out.extend(self.teardown)
        return out

    def main_steps(self) -> list[Step]:
        return [s for g in self.groups for s in g.steps]

    def item_count(self) -> int:
        return sum(s.item_count for s in self.main_steps())

    def step(self, key: str) -> Step:
        for s in self.all_steps():
            if s.key == key:
                return s
        raise KeyError(key)

    def identity(self) -> dict:
        return {"id": self.id, "version": self.version, "sha256": self.sha256,
                "status": self.status, "limits_version": self.limits_version,
                "limits_sha256": self.limits_sha256, "title": self.title,
                "product": self.product, "approved_by": self.approved_by,
                "path": self.source_path}
