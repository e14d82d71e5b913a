"""One notifier for every thread: expected errors, unexpected exceptions, notices.

Installed as ``sys.excepthook`` and ``threading.excepthook``. Listeners (the GUI's
notification area, the log) subscribe; delivery to widgets is the Qt bridge's job.
"""
from __future__ import annotations

import logging
import sys
import threading
import traceback
from dataclasses import dataclass, field
from types import TracebackType
from typing import Callable

from app.core.errors import PharosError
from app.core.ids import utc_iso

log = logging.getLogger("pharos")


@dataclass(frozen=True)
class Notice:
    level: str          # info / warning / error / safety
    text: str
    code: str = ""
    remedy: str = ""
    source: str = ""
    detail: str = ""
    ts_utc: str = field(default_factory=utc_iso)


class Notifier:
    def __init__(self) -> None:
        self._listeners: list[Callable[[Notice], None]] = []
        self._lock = threading.Lock()
        self.history: list[Notice] = []

    def subscribe(self, fn: Callable[[Notice], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._listeners:
                    self._listeners.remove(fn)
        return unsubscribe

    def notify(self, notice: Notice) -> None:
        lvl = {"info": logging.INFO, "warning": logging.WARNING,
               "safety_cleared": logging.WARNING}.get(notice.level, logging.ERROR)
        log.log(lvl, "%s%s%s", f"[{notice.source}] " if notice.source else "", notice.text,
                f" ({notice.code})" if notice.code else "")
        with self._lock:
            self.history.append(notice)
            del self.history[:-500]
            listeners = list(self._listeners)
        for fn in listeners:
            try:
                fn(notice)
            except Exception:  # noqa: BLE001 - a broken listener must not hide the notice
                log.exception("notification listener failed")

    def info(self, text: str, source: str = "") -> None:
        self.notify(Notice("info", text, source=source))

    def warning(self, text: str, source: str = "") -> None:
        self.notify(Notice("warning", text, source=source))

    def error(self, exc: BaseException | str, source: str = "") -> None:
        if isinstance(exc, PharosError):
            self.notify(Notice("error", exc.message, code=exc.code, remedy=exc.remedy,
                               source=source, detail=exc.detail or ""))
        elif isinstance(exc, BaseException):
            self.notify(Notice("error", f"Unexpected error: {type(exc).__name__}: {exc}",
                               code="PH-BUG", remedy="Report this with the log file.",
                               source=source,
                               detail="".join(traceback.format_exception(exc))))
        else:
            self.notify(Notice("error", str(exc), source=source))

    # --- excepthooks -------------------------------------------------------------
    def install_excepthooks(self) -> None:
        def hook(exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
            if issubclass(exc_type, KeyboardInterrupt):
                sys.__excepthook__(exc_type, exc, tb)
                return
            log.error("unhandled exception", exc_info=(exc_type, exc, tb))
            self.error(exc, source="main")

        def thread_hook(args: threading.ExceptHookArgs) -> None:
            if args.exc_type is SystemExit:
                return
            log.error("unhandled exception in thread %s",
                      args.thread.name if args.thread else "?",
                      exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
            if args.exc_value is not None:
                self.error(args.exc_value, source=args.thread.name if args.thread else "thread")

        sys.excepthook = hook
        threading.excepthook = thread_hook
