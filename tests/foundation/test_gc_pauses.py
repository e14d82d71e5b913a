"""Long-lived objects go to the permanent generation; new garbage is still collected."""
from __future__ import annotations

import gc
import weakref

from app.runtime.gc_pauses import freeze_long_lived


class _Node:
    pass


def test_freeze_keeps_existing_objects_and_still_collects_new_cycles():
    try:
        kept = _Node()
        kept.self = kept                       # a cycle that exists when freezing
        kept_ref = weakref.ref(kept)
        assert freeze_long_lived() > 0
        del kept
        gc.collect()
        assert kept_ref() is not None          # frozen: full collections do not walk it
        later = _Node()
        later.self = later                     # garbage made after freezing
        later_ref = weakref.ref(later)
        del later
        gc.collect()
        assert later_ref() is None             # collected as usual
    finally:
        gc.unfreeze()
