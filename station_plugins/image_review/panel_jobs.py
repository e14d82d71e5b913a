"""The panel's background jobs (run in the task pool; Qt-free, so testable without Qt).

Each is ``fn(*args, token=..., progress=...)`` as TaskController/TaskRunner call them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import Cancelled, InputRejected, ModelIntegrityError, PharosError


@dataclass(frozen=True)
class LoadedItem:
    item: Any
    image: np.ndarray | None
    baseline: np.ndarray | None
    heatmap: np.ndarray | None
    image_error: str = ""       # the image was refused (missing / altered)
    heat_note: str = ""         # why there is no heatmap (English, as logged)
    heat_error: str = ""        # the refusal's message ('' when the AI is unavailable)


def probe_ai(service: Any, *, token: Any = None, progress: Any = None) -> tuple[bool, str, str]:
    """(available, English status text, detail: the refusal reason or the model)."""
    try:
        checker = service.ai_checker()
    except ModelIntegrityError as exc:
        return False, service.ai_status()[1], exc.message
    card = checker.onnx.card
    return True, service.ai_status()[1], f"{card.name} {card.version}"


def load_queue(service: Any, *, token: Any = None, progress: Any = None) -> tuple[list, dict]:
    queue = service.queue
    return queue.items(sort="priority"), queue.held_scanners()


def load_item(service: Any, item_id: str, *, token: Any = None, progress: Any = None
              ) -> LoadedItem:
    item = service.queue.get(item_id)
    try:
        image, baseline = service.queue.load_images(item)
    except InputRejected as exc:
        return LoadedItem(item, None, None, None, image_error=exc.message)
    heat, note, error = None, "", ""
    if item.ai.get("label") is not None:
        try:
            heat = service.heatmap(item, image, token=token)
        except Cancelled:
            raise
        except PharosError as exc:
            note, error = f"No heatmap: {exc.message}", exc.message
        if heat is None and not note:
            note = "No heatmap: the AI check is unavailable."
    return LoadedItem(item, image, baseline, heat, heat_note=note, heat_error=error)


def check_series(service: Any, folder: Path, username: str, *, token: Any = None,
                 progress: Any = None) -> tuple[str, tuple]:
    from station_plugins.image_review.service import load_input, physics_for

    inp = load_input(folder)
    physics = physics_for(inp, token=token, progress=progress) if inp.series else {}
    return "check", service.check_series(inp, analysed_by=username, physics=physics,
                                         token=token)


def export(service: Any, folder: Path, username: str, *, token: Any = None,
           progress: Any = None) -> tuple[str, dict]:
    from app import __version__
    from station_plugins.image_review.export import export_dataset

    ctx = service.ctx
    return "export", export_dataset(service.queue, folder, username=username, audit=ctx.audit,
                                    station_id=getattr(ctx.store, "station_id", ""),
                                    software_version=__version__)
