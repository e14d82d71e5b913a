"""Detector module matching: which tested module goes into which slot of a CT detector.

Qt-free domain code lives in this package (import, quality model, optimiser, bounds,
learned cost); ``panel*.py`` / ``ui_*.py`` hold the Qt view.
"""
import os as _os

# numba colours its compile-error messages with colorama, which swaps the process-wide
# sys.stdout / sys.stderr in and out from whichever thread compiles (the warm-up, the
# optimiser's annealing and bound threads): two threads compiling at once can leave the
# streams wrapped, and a GUI or CLI that redirects them loses its output. Plain messages
# instead; set before any module of this package imports numba (the test suite sets the
# same in tests/conftest.py).
_os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")
