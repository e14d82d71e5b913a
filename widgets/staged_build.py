"""Build a big panel in slices, one per pass of the event loop, while it is on screen.

Constructing a station panel at once (pyqtgraph plots, tables, forms) and painting it in
the next turn held the GUI thread 40-80 ms: on a busy workstation (one process per core
besides the window) that is a freeze of 100-200 ms. A staged panel builds its frame
first and each part in its own turn; the parts appear one after the other (~20 ms of
GUI-thread work each) and the window keeps answering.

    class MyPanel(StagedWidget, QWidget):
        def __init__(self, parent=None):
            super().__init__(parent)
            self.frame = ...                         # cheap: the layout with empty places
            self.start_staged_build(self._build())   # runs the first slice now

        def _build(self):
            self.plot = make_plot(self.frame)        # slice 1
            yield
            self.table = make_table(self.frame)      # slice 2
            yield
            self._connect()                          # last slice

Code that needs a part not built yet simply uses it: an attribute the panel does not have
(yet) finishes the build at once (``__getattr__``), as :class:`widgets.lazy_page.LazyPage`
does for a tab. ``finish_build()`` does the same explicitly; ``build_done`` says whether
every slice ran; ``sig_built`` is emitted once at the end.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable, Iterator

from PySide6.QtCore import QObject, QTimer

# A job of the idle queue: runs one slice and says what is left: True (more slices),
# False (that was its last), None (nothing was done: its owner is gone or it was done)
IdleJob = Callable[[], "bool | None"]


class IdleQueue:
    """The GUI thread's staged work, one slice per pass of the event loop, across every
    builder (session 30). Each builder used to arm its own 0 ms timer; Qt runs every due
    timer in the same pass, so a station's panel slices, its lazy pages' builds and a
    page's own staged parts ran together: passes of 35-42 ms CPU when the lead room
    opened, where each slice was 5-10 ms. Jobs run first in, first out (the panel
    opened first is finished first); the queue's one timer is re-armed after each slice,
    so input, paints and other timers get the turns between them."""

    def __init__(self) -> None:
        self._jobs: deque[IdleJob] = deque()
        self._timer: QTimer | None = None

    def add(self, job: IdleJob, context: QObject | None = None, first: bool = False) -> None:
        """Run ``job`` in later passes until it returns False or None; never once
        ``context`` (a QObject) is deleted. ``first``: before the jobs waiting (not
        before the rest of the one running now)."""
        if context is not None:
            alive, inner = _alive(context), job

            def job() -> bool | None:
                return inner() if alive() else None
        if first:
            self._jobs.appendleft(job)
        else:
            self._jobs.append(job)
        self._arm()

    def pending(self) -> int:
        return len(self._jobs)

    def _arm(self) -> None:
        if self._timer is None:
            self._timer = QTimer()
            self._timer.setSingleShot(True)
            self._timer.setInterval(0)
            self._timer.timeout.connect(self._run)
        if self._jobs and not self._timer.isActive():
            self._timer.start()

    def _run(self) -> None:
        try:
            while self._jobs:
                job = self._jobs.popleft()
                more = job()
                if more:                        # its next slice before the others
                    self._jobs.appendleft(job)
                if more is not None:            # a slice ran: the rest in later passes
                    break
        finally:
            self._arm()


_QUEUE = IdleQueue()


def idle_queue() -> IdleQueue:
    """The GUI thread's one idle queue (create and use it on the GUI thread only)."""
    return _QUEUE


def call_when_idle(context: QObject, fn: Callable[[], Any], first: bool = False) -> None:
    """``fn()`` once, in a pass of its own on the idle queue (``first``: before the jobs
    waiting); never when ``context`` (a QObject) was deleted before."""
    def job() -> bool:
        fn()
        return False
    _QUEUE.add(job, context, first)


def _alive(obj: QObject) -> Callable[[], bool]:
    """Whether ``obj`` still exists, without holding its Python wrapper."""
    gone: list[bool] = []
    obj.destroyed.connect(lambda *_: gone.append(True))
    return lambda: not gone


class StagedBuild:
    """Runs the generator ``steps`` one ``next()`` per pass of the event loop (a job of
    the :class:`IdleQueue`; nothing more runs once ``owner`` is deleted)."""

    def __init__(self, owner: Any, steps: Iterator[Any], on_done: Any = None) -> None:
        self._owner, self._steps, self._on_done = owner, steps, on_done
        self.done = False
        self._running = False
        self.slices = 0

    @property
    def running(self) -> bool:
        """A slice is running now."""
        return self._running

    def start(self, auto: bool = True) -> None:
        """The first slice now, the rest in later turns (``auto=False``: when the owner's
        builder asks, :meth:`StagedWidget.staged_slices`)."""
        if self._step():
            # deleted before its last slice (log out): let go of the panel at once (the
            # generator holds it: a cycle only a collection in any thread would free)
            self._owner.destroyed.connect(self._drop)
            if auto:
                _QUEUE.add(self._queued)

    def _drop(self, *_: Any) -> None:
        steps, self._owner, self._steps, self._on_done = self._steps, None, None, None
        self.done = True
        if steps is not None:
            steps.close()

    def step(self) -> bool:
        """One more slice now; False when none was left."""
        return self._step()

    def finish(self) -> None:
        """Every slice left, now (code needs a part that is not built yet)."""
        if self._running:
            raise RuntimeError("a build slice used a part that a later slice builds")
        while self._step():
            pass

    def _queued(self) -> bool | None:
        """A job of the idle queue: the next slice (None: built already or deleted)."""
        if self.done or self._owner is None:
            return None
        return self._step() and self._owner is not None

    def _step(self) -> bool:
        """One slice; False when the build is (now) complete."""
        if self.done:
            return False
        self._running = True
        try:
            next(self._steps)
            self.slices += 1
            return True
        except StopIteration:
            self.slices += 1
            self.done = True
        finally:
            self._running = False
        on_done = self._on_done
        # no cycle panel <-> build once built: the panel's wrapper is freed by its
        # reference count, never by a garbage collection that may run in a worker thread
        self._owner = self._steps = self._on_done = None
        if on_done is not None:
            on_done()
        return False


def show_part(*widgets: Any) -> None:
    """Show parts just added to a layout of a panel on screen now (a layout shows them
    only in the next turn: code that finished the build would see them hidden)."""
    for w in widgets:
        w.setVisible(True)


class StagedWidget:
    """Mixin for a QWidget built by :class:`StagedBuild` (put it before the Qt class)."""

    _staged: StagedBuild | None = None

    def start_staged_build(self, steps: Iterator[Any], auto: bool = True) -> None:
        """Run the first slice of ``steps`` now; the others one per turn (``auto``) or
        when a parent's build runs :meth:`staged_slices` (a part built inside a panel's
        slices: two timers would run two slices in one turn)."""
        self._staged = StagedBuild(self, steps, self._staged_done)
        self._staged.start(auto)

    def staged_slices(self) -> Iterator[None]:
        """The slices left, for a parent's builder: ``yield from part.staged_slices()``."""
        while self._staged is not None and self._staged.step():
            yield

    def _staged_done(self) -> None:
        signal = getattr(self, "sig_built", None)
        if signal is not None:
            signal.emit()

    @property
    def build_done(self) -> bool:
        return self._staged is None or self._staged.done

    def finish_build(self) -> None:
        if self._staged is not None:
            self._staged.finish()

    def __getattr__(self, name: str) -> Any:
        # only for attributes not found the normal way: a part of a later slice
        staged = self.__dict__.get("_staged")
        if staged is not None and not staged.done and not name.startswith("__") \
                and not staged.running:
            staged.finish()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
