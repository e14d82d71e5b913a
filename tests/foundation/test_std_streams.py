"""sys.stdout / sys.stderr belong to the main thread: nothing a worker thread runs may rebind
them, or a command's output (and a CLI test's ``capsys``) goes elsewhere.

numba, compiling a kernel in a warm-up or optimisation thread, builds error messages for
callees it cannot infer as constants (internal, caught) and highlights them with colorama,
whose init() / deinit() rebind both streams process-wide. A deinit landing after the main
thread set up a test's capsys put pytest's global capture back: the CLI's error went to
"Captured stderr call" and the test read ``''`` (test_audit_export_needs_a_login, once in a
mixed run on a loaded machine). tests/conftest.py turns the highlighting off before anything
imports numba."""
from __future__ import annotations

import io
import sys
import threading

import numpy as np


class _Probe(io.StringIO):
    """A stream that notices being wrapped (colorama asks the stream it wraps isatty())."""

    wrapped = False

    def isatty(self) -> bool:
        self.wrapped = True
        return False


def test_a_kernel_compiling_in_a_thread_leaves_the_process_streams_alone(monkeypatch):
    from numba import njit

    out, err = _Probe(), _Probe()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    results: list[float] = []

    def compile_and_run() -> None:
        @njit(cache=False)
        def total(a):
            return a.sum()       # a method of an argument: no constant callee (an error built)

        results.append(total(np.ones(3)))

    worker = threading.Thread(target=compile_and_run, name="kernel-compile")
    worker.start()
    worker.join(120)
    assert results == [3.0]
    assert sys.stdout is out and sys.stderr is err
    assert not out.wrapped, "a compiling thread wrapped sys.stdout (colorama init)"
    assert not err.wrapped, "a compiling thread wrapped sys.stderr (colorama init)"


def test_a_reader_that_goes_away_ends_the_command_without_a_traceback():
    """`pharos ... | head`: the pipe closes before the command has printed; the command ends
    with the shell's SIGPIPE code (141) and nothing on stderr (no BrokenPipeError
    traceback, no "Exception ignored" at the interpreter's final flush)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "app", "version"], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()       # the reader is gone before the interpreter has started
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err, err
