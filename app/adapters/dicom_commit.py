"""Storage Commitment (Push Model) bookkeeping shared by the SCU and the SCP.

The SCU sends N-ACTION (action type 1) with a Transaction UID; the PACS answers later
with N-EVENT-REPORT (event type 1: all committed, 2: some failed), usually on a *new*
association to our SCP. The SCP hands each report to :meth:`CommitmentRegistry.deliver`,
which routes it by Transaction UID to the waiting request. A report that arrives before
anyone waits (fast PACS) is kept, so :meth:`expect` must be called before N-ACTION but a
late :meth:`wait` still finds it.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from pydicom.dataset import Dataset

log = logging.getLogger(__name__)

STORAGE_COMMITMENT_PUSH = "1.2.840.10008.1.20.1"
STORAGE_COMMITMENT_INSTANCE = "1.2.840.10008.1.20.1.1"
FAILURE_REASONS = {
    0x0110: "processing failure", 0x0112: "no such object instance",
    0x0213: "resource limitation", 0x0122: "referenced SOP class not supported",
    0x0119: "class / instance conflict", 0x0131: "duplicate transaction UID",
}


@dataclass(frozen=True)
class CommitmentResult:
    transaction_uid: str
    requested: tuple[str, ...]
    committed: tuple[str, ...]
    failed: dict[str, str] = field(default_factory=dict)   # SOP Instance UID -> reason

    @property
    def all_committed(self) -> bool:
        return not self.failed and set(self.requested) <= set(self.committed)

    @property
    def missing(self) -> tuple[str, ...]:
        """Requested but named neither committed nor failed by the report."""
        seen = set(self.committed) | set(self.failed)
        return tuple(uid for uid in self.requested if uid not in seen)

    def to_dict(self) -> dict:
        return {"transaction_uid": self.transaction_uid, "requested": len(self.requested),
                "committed": list(self.committed), "failed": dict(self.failed),
                "missing": list(self.missing), "all_committed": self.all_committed}


class _Pending:
    def __init__(self, requested: tuple[str, ...]) -> None:
        self.requested = requested
        self.done = threading.Event()
        self.result: CommitmentResult | None = None


class CommitmentRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._early: dict[str, Dataset] = {}

    def expect(self, transaction_uid: str, requested: list[str] | tuple[str, ...]) -> None:
        with self._lock:
            pending = _Pending(tuple(requested))
            self._pending[transaction_uid] = pending
            early = self._early.pop(transaction_uid, None)
        if early is not None:
            self._resolve(transaction_uid, pending, early)

    def deliver(self, report: Dataset) -> bool:
        """Route an N-EVENT-REPORT's Event Information; True when someone expected it."""
        uid = str(report.get("TransactionUID", ""))
        with self._lock:
            pending = self._pending.get(uid)
            if pending is None:
                self._early[uid] = report
                del_keys = list(self._early)[:-100]
                for key in del_keys:
                    self._early.pop(key, None)
        if pending is None:
            log.warning("storage commitment report for unknown transaction %s kept", uid)
            return False
        self._resolve(uid, pending, report)
        return True

    def _resolve(self, uid: str, pending: _Pending, report: Dataset) -> None:
        committed = tuple(str(item.get("ReferencedSOPInstanceUID", ""))
                          for item in report.get("ReferencedSOPSequence", []))
        failed = {}
        for item in report.get("FailedSOPSequence", []):
            code = int(item.get("FailureReason", 0x0110))
            failed[str(item.get("ReferencedSOPInstanceUID", ""))] = (
                f"{FAILURE_REASONS.get(code, 'failure')} (0x{code:04X})")
        pending.result = CommitmentResult(uid, pending.requested, committed, failed)
        pending.done.set()

    def wait(self, transaction_uid: str, timeout: float) -> CommitmentResult | None:
        """The result, or None after ``timeout`` seconds (the caller raises)."""
        with self._lock:
            pending = self._pending.get(transaction_uid)
        if pending is None:
            raise KeyError(f"transaction {transaction_uid} was never expected")
        pending.done.wait(timeout)
        with self._lock:
            self._pending.pop(transaction_uid, None)
        return pending.result

    def cancel(self, transaction_uid: str) -> None:
        with self._lock:
            self._pending.pop(transaction_uid, None)
