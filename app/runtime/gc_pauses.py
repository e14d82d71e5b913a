"""Short garbage-collector pauses for processes with a live display.

CPython's full (generation 2) collection walks every tracked object and holds the GIL
while it does. In the GUI process that is all of Qt's wrappers, pyqtgraph items, station
state...: a full collection started by *any* thread (e.g. the lead-room link reader
unpickling snapshots) stopped the GUI thread for 75 ms and more, measured with
``gc.callbacks``. Objects that live as long as the process (modules, the main window, a
station's panel) never become garbage, so after start-up and after a panel is built they
are moved to the permanent generation (``gc.freeze``): later full collections only walk
what was allocated since. Garbage cycles that exist at the moment of freezing are kept
(a few kB at these points); nothing else changes.
"""
from __future__ import annotations

import gc


def freeze_long_lived(*, count: bool = True) -> int:
    """Move every object tracked now to the permanent generation; returns how many are
    (``count=False``: -1 without counting: the count walks every frozen object, 50-80 ms
    on the GUI thread of a workstation with every station open; freezing is O(1))."""
    gc.freeze()
    return gc.get_freeze_count() if count else -1
