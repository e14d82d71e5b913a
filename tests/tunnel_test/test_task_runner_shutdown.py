"""The workstation's task pool shuts down with a keyed job still queued (the tunnel
console queues several): cancelling it ran its done callback, which took the runner's
lock that shutdown held - the close hung for ever (found by the tunnel GUI tests)."""
from __future__ import annotations

import threading

from app.runtime.task_runner import TaskRunner


def test_shutdown_with_a_queued_keyed_job_does_not_hang():
    runner = TaskRunner(max_workers=1)
    release = threading.Event()
    runner.submit(lambda token, progress: release.wait(10), key="busy")
    queued = runner.submit(lambda token, progress: None, key="queued")   # waits for a worker
    closer = threading.Thread(target=runner.shutdown, kwargs={"wait": False}, daemon=True)
    closer.start()
    closer.join(5)
    release.set()
    assert not closer.is_alive(), "TaskRunner.shutdown deadlocked on its own lock"
    assert queued.future.cancelled()
