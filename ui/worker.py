"""Long jobs off the GUI thread.

A job is a plain generator yielding :class:`annotator.progress.Progress` and returning its
result. :func:`run_job` runs it in a ``QThread`` that opens its **own** :class:`Store` on the
project path (SQLite connections belong to one thread), shows a progress dialog with a Cancel
button (cancel closes the generator between two yields), hands the generator's return value to
``on_done`` on the GUI thread, and *always* reports a failure (``on_error`` or
:func:`ui.errors.show_error`). The dialog is closed whatever happens.

``modal=False`` runs without a dialog (background suggestion of one document); progress can
still be followed through ``on_progress``.
"""

from __future__ import annotations


import logging
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from annotator.progress import Progress
from corpus.store import Store
from ui.errors import show_error

__all__ = ["run_job", "JobHandle", "active_jobs", "wait_all"]

log = logging.getLogger(__name__)

JobFactory = Callable[[Store], Iterator[Progress]]

_ACTIVE: set["JobHandle"] = set()


class _JobThread(QThread):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)
    cancelled = Signal()

    def __init__(self, factory: JobFactory, db_path: str) -> None:
        super().__init__()
        self._factory = factory
        self._db_path = db_path
        self._cancel = False

    def request_cancel(self) -> None:
        self._cancel = True

    def run(self) -> None:  # noqa: D401 - Qt API
        store: Store | None = None
        try:
            store = Store(self._db_path, create=False)
            gen = self._factory(store)
            while True:
                if self._cancel:
                    close = getattr(gen, "close", None)
                    if close is not None:
                        close()
                    self.cancelled.emit()
                    return
                try:
                    p = next(gen)
                except StopIteration as stop:
                    self.succeeded.emit(stop.value)
                    return
                if isinstance(p, Progress):
                    self.progressed.emit(int(p.done), int(p.total), p.message or "")
        except BaseException as exc:  # noqa: BLE001 - every failure is reported
            self.failed.emit(exc, traceback.format_exc())
        finally:
            if store is not None:
                store.close()


class JobHandle(QObject):
    """A running job: cancel it, wait for it, or follow its signals."""

    #: (done, total, message)
    progressed = Signal(int, int, str)
    #: the job's result (after ``on_done`` ran)
    finished = Signal(object)
    #: the exception (after it was reported)
    failed = Signal(object)
    #: the job was cancelled
    cancelled = Signal()
    #: emitted once, whatever the outcome
    ended = Signal()

    def __init__(self, parent: QWidget | None, title: str, factory: JobFactory, db_path: str,
                 on_done: Callable[[Any], None] | None, on_error: Callable[[BaseException], None] | None,
                 modal: bool, on_progress: Callable[[int, int, str], None] | None,
                 on_cancel: Callable[[], None] | None) -> None:
        super().__init__(parent)
        self.title = title
        self._parent = parent
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._on_cancel = on_cancel
        self.result: Any = None
        self.error: BaseException | None = None
        self.outcome: str = "running"  # running | done | failed | cancelled
        self.dialog: QProgressDialog | None = None
        self.thread = _JobThread(factory, db_path)
        self.thread.progressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.thread.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self.thread.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.thread.cancelled.connect(self._cancelled, Qt.ConnectionType.QueuedConnection)
        if modal:
            dlg = QProgressDialog(title, "Cancel", 0, 0, parent)
            dlg.setWindowTitle(title)
            dlg.setWindowModality(Qt.WindowModality.WindowModal)
            dlg.setAutoClose(False)
            dlg.setAutoReset(False)
            dlg.setMinimumDuration(300)
            dlg.setMinimumWidth(380)
            dlg.canceled.connect(self.cancel)
            self.dialog = dlg

    # -- control -------------------------------------------------------------------------------
    def start(self) -> None:
        _ACTIVE.add(self)
        if self.dialog is not None:
            self.dialog.setValue(0)
        self.thread.start()

    def cancel(self) -> None:
        """Ask the job to stop at its next step (the generator is closed)."""
        if self.dialog is not None:
            self.dialog.setLabelText(f"{self.title}: cancelling...")
        self.thread.request_cancel()

    def is_running(self) -> bool:
        return self.outcome == "running"

    def wait(self, ms: int = 60_000) -> bool:
        """Block until the thread ends (tests, shutdown). Queued results arrive with events."""
        return bool(self.thread.wait(ms))

    # -- results, on the GUI thread ------------------------------------------------------------
    @Slot(int, int, str)
    def _progress(self, done: int, total: int, message: str) -> None:
        if self.dialog is not None:
            if total > 0:
                if self.dialog.maximum() != total:
                    self.dialog.setMaximum(total)
                self.dialog.setValue(min(done, total))
            text = self.title + (f"\n{message}" if message else "")
            if total:
                text += f"\n{done:,} of {total:,}"
            self.dialog.setLabelText(text)
        if self._on_progress is not None:
            self._on_progress(done, total, message)
        self.progressed.emit(done, total, message)

    def _finish(self) -> None:
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        self.thread.wait(5000)
        _ACTIVE.discard(self)

    @Slot(object)
    def _succeeded(self, value: Any) -> None:
        self.outcome = "done"
        self.result = value
        self._finish()
        try:
            if self._on_done is not None:
                self._on_done(value)
        except Exception as exc:  # noqa: BLE001 - the callback failed: still report it
            show_error(self._parent, exc)
        finally:
            self.finished.emit(value)
            self.ended.emit()

    @Slot(object, str)
    def _failed(self, exc: BaseException, tb: str) -> None:
        self.outcome = "failed"
        self.error = exc
        self._finish()
        log.debug("job %r failed:\n%s", self.title, tb)
        try:
            if self._on_error is not None:
                self._on_error(exc)
            else:
                show_error(self._parent, exc, details=tb)
        finally:
            self.failed.emit(exc)
            self.ended.emit()

    @Slot()
    def _cancelled(self) -> None:
        self.outcome = "cancelled"
        self._finish()
        try:
            if self._on_cancel is not None:
                self._on_cancel()
        finally:
            self.cancelled.emit()
            self.ended.emit()


def run_job(parent: QWidget | None, title: str, job_factory: JobFactory, db_path: str,
            on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            modal: bool = True,
            on_progress: Callable[[int, int, str], None] | None = None,
            on_cancel: Callable[[], None] | None = None) -> JobHandle:
    """Run ``job_factory(store)`` (a Progress generator) off the GUI thread.

    ``job_factory`` is called **in the worker thread** with a :class:`Store` opened there on
    ``db_path``; do not capture the GUI thread's store in it. ``on_done(result)`` /
    ``on_error(exc)`` / ``on_cancel()`` run on the GUI thread. Without ``on_error`` a failure is
    shown with :func:`ui.errors.show_error`. Returns a :class:`JobHandle` (already started).
    """
    handle = JobHandle(parent, title, job_factory, db_path, on_done, on_error, modal, on_progress, on_cancel)
    handle.start()
    return handle


def active_jobs() -> list[JobHandle]:
    """Jobs still running."""
    return list(_ACTIVE)


def wait_all(ms: int = 30_000) -> None:
    """Cancel nothing, but wait for every running job's thread to end (shutdown, tests)."""
    for h in list(_ACTIVE):
        h.wait(ms)
