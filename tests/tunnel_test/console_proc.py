"""A minimal console process for kill tests: starts a runner process for the RunSpec
given as JSON on argv[1], prints ``RUNNER <pid>`` then ``STEP <n>`` per finished step,
and waits until the runner reports. Killed with SIGKILL by the tests (and the kill-point
matrix) to play a console crash."""
from __future__ import annotations

import json
import sys
import threading

from station_plugins.tunnel_test.runner import RunProcess, RunSpec


def main() -> int:
    spec = RunSpec(**json.loads(sys.argv[1]))
    done = threading.Event()
    steps = [0]

    def on(kind: str, body: dict) -> None:
        if kind == "event" and body.get("kind") == "step_end":
            steps[0] += 1
            print(f"STEP {steps[0]}", flush=True)
        elif kind == "event" and body.get("kind") == "step_start":
            print(f"START {body['step']}", flush=True)
        elif kind in ("done", "failed", "lost"):
            print(f"END {kind}", flush=True)
            done.set()

    proc = RunProcess(spec, on)
    print(f"RUNNER {proc.process.pid}", flush=True)
    done.wait(600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
