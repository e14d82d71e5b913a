"""The station's numba kernels never colour their messages: numba's colorama would swap
sys.stdout / sys.stderr from whichever thread compiles (the warm-up, the annealing and
bound threads), and two compiling at once can leave the process's streams wrapped."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_station_turns_numba_message_colouring_off() -> None:
    env = {k: v for k, v in os.environ.items()
           if k != "NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"}   # the suite sets it itself
    env["PYTHONPATH"] = str(ROOT)
    code = ("import station_plugins.detector_matching.anneal, numba.core.errors as e; "
            "print(type(e.termcolor()).__name__)")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    # colorama may be imported; only its HighlightColorScheme's context swaps the streams
    assert out.stdout.split() == ["NOPColorScheme"]
