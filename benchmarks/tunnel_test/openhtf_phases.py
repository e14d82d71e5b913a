"""Runs N trivial OpenHTF phases (one in-range measurement each) and prints the per-phase
wall time (time between consecutive phase bodies) as JSON. Executed with the OpenHTF venv
python by run.py: ``.venvs/openhtf/bin/python openhtf_phases.py N``."""
import json
import logging
import sys
import time

import openhtf as htf

logging.disable(logging.CRITICAL)
N = int(sys.argv[1])
stamps = []


def make_phase(i):
    @htf.measures(htf.Measurement("value").in_range(0, 2))
    def phase(test):
        test.measurements.value = 1.0
        stamps.append(time.perf_counter())
    return htf.PhaseOptions(name=f"p{i}")(phase)


test = htf.Test(*[make_phase(i) for i in range(N)])
t0 = time.perf_counter()
test.execute(test_start=lambda: "SN-BENCH")
total = time.perf_counter() - t0
print(json.dumps({"per_step_ms": [(b - a) * 1e3 for a, b in zip(stamps, stamps[1:])],
                  "total_s": total}))
