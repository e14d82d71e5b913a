"""ONNX model registry and runtime (onnxruntime), shared by every station.

Layout: ``models/<name>/<version>/model.onnx`` + ``card.json`` (name, version, sha256,
inputs, outputs, preprocessing, training recipe, metrics). A model is loaded only if
the file's sha256 matches its card: a mismatch (altered, truncated) or a missing file
refuses to load with a ModelIntegrityError (and an audit entry when an audit trail is
given). Sessions are cached; the CUDA execution provider is chosen when available,
else CPU; no session spin-waits (a shared CPU). Batched inference; cancellation through
``RunOptions.terminate``. A caller that runs its own threads (the AI check of a whole
series) asks for ``threads=1``: a second, single-threaded session, built from the
file's bytes after their sha256 is checked again, so several batches run side by side
on the cores without a thread pool of onnxruntime beside each. On the CPU both
sessions run :mod:`app.adapters.onnx_exact`'s rewrites of the verified bytes (the 2.x
classifiers' constant-grid ``GridSample``) only where every output is bit for bit the
file's graph's on probe inputs (``OnnxModel.rewrites`` names them; ``exact_rewrites=False``
runs the file's graph as it is).
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from app.core.errors import Cancelled, ModelIntegrityError
from app.core.tasks import CancelToken
from app.ct.note_codes import coded

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelCard:
    name: str
    version: str
    sha256: str
    path: Path
    card_path: Path
    data: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def model_id(self) -> str:
        return f"{self.name}:{self.version}"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_card(card_path: Path) -> ModelCard:
    try:
        data = json.loads(card_path.read_text(encoding="utf-8"))
        name, version, sha = data["name"], str(data["version"]), data["sha256"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelIntegrityError(coded(f"Model card {card_path} is unreadable or incomplete "
                                        f"({exc}).", "model.card_unreadable",
                                        card=str(card_path), error=str(exc))) from exc
    onnx_path = card_path.parent / data.get("file", "model.onnx")
    return ModelCard(name=name, version=version, sha256=sha, path=onnx_path,
                     card_path=card_path, data=data)


def available_providers() -> list[str]:
    import onnxruntime as ort

    have = ort.get_available_providers()
    return [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in have]


class OnnxModel:
    """A verified, loaded ONNX model. Thread-safe ``run``; cancellable."""

    def __init__(self, card: ModelCard, providers: list[str] | None = None,
                 intra_op_threads: int = 0, exact_rewrites: bool = True) -> None:
        import onnxruntime as ort

        self.card = card
        # onnx_exact's rewrites of the graph (the same outputs bit for bit, checked on
        # probe inputs per session); False: the file's graph as it is
        self.exact_rewrites = exact_rewrites
        self.rewrites: list[str] = []     # what the sessions run rewritten ([]: nothing)
        opts = ort.SessionOptions()
        if intra_op_threads:
            opts.intra_op_num_threads = intra_op_threads
        # no spin-waiting between operators: on a CPU shared with the GUI and other
        # work the spinning threads took the cores from everyone (2.0.0, 2 CPUs at load
        # 9: 6.4 -> 3.5 ms CPU per slice, 63 -> 114 slices/s at batch 16)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        try:
            self.session = self._session(self._verified_bytes(), opts,
                                         providers or available_providers())
        except ModelIntegrityError:
            raise
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types
            raise ModelIntegrityError(coded(f"Model {card.model_id} cannot be loaded by "
                                            f"onnxruntime: {exc}", "model.load_failed",
                                            model=card.model_id, error=str(exc))) from exc
        self.providers = self.session.get_providers()
        self._lock = threading.Lock()
        self._single: Any = None          # the single-threaded session (threads=1)
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_names = [o.name for o in self.session.get_outputs()]

    def _verified_bytes(self) -> bytes:
        """The model file's bytes, checked against the card's sha256 (the session is
        built from exactly these bytes)."""
        data = self.card.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != self.card.sha256:
            raise ModelIntegrityError(coded(
                f"Model {self.card.model_id} failed its integrity check: sha256 "
                f"{digest[:16]}… differs from the card's {self.card.sha256[:16]}… "
                f"(file altered after loading). It was not loaded again.",
                "model.altered_after_loading", model=self.card.model_id,
                actual=digest[:16], expected=self.card.sha256[:16]))
        return data

    def _session(self, data: bytes, opts: Any, providers: list[str]) -> Any:
        """An onnxruntime session of the verified bytes: on the CPU with onnx_exact's
        rewrites where they apply and give every output bit for bit equal to the file's
        graph on probe inputs; else the file's graph as it is."""
        import onnxruntime as ort

        from app.adapters import onnx_exact

        plain = ort.InferenceSession(data, sess_options=opts, providers=providers)
        if not self.exact_rewrites or \
                any(p != "CPUExecutionProvider" for p in plain.get_providers()) or \
                any(i.type != "tensor(float)" for i in plain.get_inputs()):
            return plain          # (the probe check feeds float32 inputs only)
        try:
            fast_bytes, done = onnx_exact.rewrite(data)
            if not done:
                return plain
            fast = ort.InferenceSession(fast_bytes, sess_options=opts, providers=providers)
            same = onnx_exact.same_outputs(plain, fast)
        except Exception:  # noqa: BLE001 - a rewrite that fails leaves the file's graph
            log.warning("model %s: exact rewrite not applied", self.card.model_id,
                        exc_info=True)
            return plain
        if not same:
            log.warning("model %s: the rewritten graph's outputs differ from the file's on "
                        "this onnxruntime (%s); the file's graph is used",
                        self.card.model_id, ort.__version__)
            return plain
        if done != self.rewrites:
            self.rewrites = done
            log.info("model %s on the CPU: %s (outputs bit for bit equal)",
                     self.card.model_id, "; ".join(done))
        return fast

    @property
    def sha256(self) -> str:
        return self.card.sha256

    def single_threaded(self) -> Any:
        """The session for callers that parallelise themselves: one intra-op thread, no
        spin-waiting; loaded once from the file's bytes, checked against the card."""
        import onnxruntime as ort

        with self._lock:
            if self._single is None:
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = 1
                opts.inter_op_num_threads = 1
                opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
                opts.log_severity_level = 3
                self._single = self._session(self._verified_bytes(), opts, self.providers)
            return self._single

    def run(self, inputs: dict[str, np.ndarray] | np.ndarray,
            token: CancelToken | None = None, *, threads: int = 0
            ) -> dict[str, np.ndarray]:
        """Outputs by name. ``threads=1``: the single-threaded session (the same model
        and results; for callers that run batches side by side)."""
        import onnxruntime as ort

        session = self.single_threaded() if threads == 1 else self.session
        feeds = inputs if isinstance(inputs, dict) else {self.input_names[0]: inputs}
        ro = ort.RunOptions()
        if token is not None:
            token.raise_if_cancelled()
            token.on_cancel(lambda: setattr(ro, "terminate", True))
        try:
            outs = session.run(None, feeds, ro)
        except Exception as exc:  # noqa: BLE001
            if token is not None and token.cancelled:
                raise Cancelled("Inference cancelled.") from exc
            raise
        return dict(zip(self.output_names, outs))

    def run_batched(self, array: np.ndarray, batch_size: int = 16,
                    token: CancelToken | None = None,
                    progress: Callable[[float, str], None] | None = None
                    ) -> dict[str, np.ndarray]:
        parts: dict[str, list[np.ndarray]] = {}
        n = len(array)
        for start in range(0, n, batch_size):
            out = self.run(np.ascontiguousarray(array[start:start + batch_size]), token)
            for k, v in out.items():
                parts.setdefault(k, []).append(v)
            if progress:
                progress(min(1.0, (start + batch_size) / max(n, 1)), "inference")
        return {k: np.concatenate(v) for k, v in parts.items()}

    def timed_run(self, inputs: Any, token: CancelToken | None = None
                  ) -> tuple[dict[str, np.ndarray], float]:
        t0 = time.perf_counter()
        out = self.run(inputs, token)
        return out, (time.perf_counter() - t0) * 1000.0


class ModelRegistry:
    """Finds model cards under ``models_dir``; verifies and caches sessions."""

    def __init__(self, models_dir: Path, *, audit: Any = None, station_user: str = "",
                 providers: list[str] | None = None) -> None:
        self.models_dir = Path(models_dir)
        self.audit = audit
        self.user = station_user
        self.providers = providers
        self._cache: dict[str, OnnxModel] = {}
        self._lock = threading.Lock()

    def cards(self) -> list[ModelCard]:
        out = []
        for card_path in sorted(self.models_dir.glob("*/*/card.json")):
            try:
                out.append(read_card(card_path))
            except ModelIntegrityError as exc:
                log.warning("%s", exc)
        return out

    def find(self, name: str, version: str | None = None) -> ModelCard:
        cards = [c for c in self.cards() if c.name == name
                 and (version is None or c.version == version)]
        if not cards:
            text = (f"No model '{name}'{' version ' + version if version else ''} is "
                    f"installed in {self.models_dir}.")
            # the English text is the message; its code lets a screen translate it (the
            # folder stays a parameter, as written)
            raise ModelIntegrityError(
                coded(text, "model.version_not_installed", name=name, version=version,
                      folder=str(self.models_dir)) if version else
                coded(text, "model.not_installed", name=name, folder=str(self.models_dir)))
        return max(cards, key=lambda c: _version_key(c.version))

    def verify(self, card: ModelCard) -> None:
        if not card.path.exists():
            self._refuse(card, coded(f"Model file {card.path} is missing.",
                                     "model.file_missing", path=str(card.path)))
        actual = file_sha256(card.path)
        if actual != card.sha256:
            self._refuse(card, coded(f"Model {card.model_id} failed its integrity check: sha256 "
                                     f"{actual[:16]}… differs from the card's "
                                     f"{card.sha256[:16]}… (file altered or truncated). It was "
                                     f"not loaded.", "model.integrity_failed",
                                     model=card.model_id, actual=actual[:16],
                                     expected=card.sha256[:16]))

    def _refuse(self, card: ModelCard, message: str) -> None:
        log.error("%s", message)
        if self.audit is not None:
            try:
                self.audit.append("model_refused", "onnx_model", card.model_id,
                                  username=self.user, new={"path": str(card.path)},
                                  reason=message)
            except Exception:  # noqa: BLE001 - refusing must not depend on the audit store
                log.exception("could not audit the refused model")
        raise ModelIntegrityError(message)

    def load(self, name: str, version: str | None = None) -> OnnxModel:
        card = self.find(name, version)
        with self._lock:
            cached = self._cache.get(card.model_id)
            if cached is not None and cached.card.sha256 == card.sha256:
                return cached
            self.verify(card)
            loaded = OnnxModel(card, self.providers)
            self._cache[card.model_id] = loaded
            log.info("loaded %s on %s", card.model_id, ", ".join(loaded.providers))
            return loaded


def _version_key(v: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in v.replace("-", ".").split("."))
