"""Start a ``multiprocessing`` spawn child with a clean ``sys.path``.

OpenCV's loader (``cv2/__init__.py``) inserts its own package folder into ``sys.path``
while it loads and puts the old list back when it is done. A process spawned by another
thread in that window inherits the edited path, and the child then finds the folders of
OpenCV's package (``typing``, ``utils``, ``data``, ``misc``...) before the standard
library's: its ``import numpy`` fails on ``from typing import Any`` and the child never
starts - a tunnel run that never began was seen this way while the workstation's warm-up
thread imported the CT modules.

:func:`start_process` waits for any such import that is under way (importing a module
another thread is importing waits for that import to finish) before the child's
preparation data - which holds ``sys.path`` - is taken. The workstation also imports
OpenCV on the GUI thread before its first worker thread starts
(:func:`app.ui.warmup.start_warmup`), so in the GUI no thread imports it later.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any

# modules whose import edits sys.path until it is finished
SYS_PATH_EDITING_MODULES: tuple[str, ...] = ("cv2",)


def settle_imports() -> None:
    """Return when no module of SYS_PATH_EDITING_MODULES is half imported."""
    for name in SYS_PATH_EDITING_MODULES:
        if name in sys.modules:
            importlib.import_module(name)   # waits for another thread's import of it


def start_process(process: Any) -> None:
    """``process.start()`` once no import is editing ``sys.path``."""
    settle_imports()
    process.start()
