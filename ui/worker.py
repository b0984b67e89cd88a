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


import atexit
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
        self._in_progress = False
        self._dialog_to_delete: QProgressDialog | None = None
        #: True once :meth:`detach` ran: the job ends on its own, reporting to nobody
        self.detached = False
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

    def detach(self) -> None:
        """Forget the window and the callbacks: the job (cancelled first, usually) ends on its
        own, and when it does nothing of a window that may be closed or gone is touched. The
        handle stays alive (in :func:`active_jobs`) until its thread ends."""
        self.detached = True
        self._on_done = self._on_error = self._on_progress = self._on_cancel = None
        self._parent = None
        dlg, self.dialog = self.dialog, None
        if dlg is not None:
            dlg.canceled.disconnect(self.cancel)
            dlg.close()
            if self._in_progress:
                self._dialog_to_delete = dlg
            else:
                dlg.deleteLater()
        self.setParent(None)  # the window's deletion must not delete a running thread's handle

    def is_running(self) -> bool:
        return self.outcome == "running"

    def wait(self, ms: int = 60_000) -> bool:
        """Block until the thread ends (tests, shutdown). Queued results arrive with events."""
        return bool(self.thread.wait(ms))

    # -- results, on the GUI thread ------------------------------------------------------------
    @Slot(int, int, str)
    def _progress(self, done: int, total: int, message: str) -> None:
        dlg = self.dialog
        if dlg is not None:
            # text first: QProgressDialog.setValue() of a modal dialog processes events, and the
            # job may end (and the dialog go) in there; nothing touches the dialog after it
            text = self.title + (f"\n{message}" if message else "")
            if total:
                text += f"\n{done:,} of {total:,}"
            dlg.setLabelText(text)
            if total > 0:
                if dlg.maximum() != total:
                    dlg.setMaximum(total)
                self._in_progress = True
                try:
                    dlg.setValue(min(done, total))
                finally:
                    self._in_progress = False
                    if self._dialog_to_delete is not None:
                        self._dialog_to_delete.deleteLater()
                        self._dialog_to_delete = None
        if self._on_progress is not None:
            self._on_progress(done, total, message)
        self.progressed.emit(done, total, message)

    def _finish(self) -> None:
        dlg, self.dialog = self.dialog, None
        if dlg is not None:
            dlg.canceled.disconnect(self.cancel)
            dlg.close()
            if self._in_progress:  # inside dlg.setValue(): deleted once that returns
                self._dialog_to_delete = dlg
            else:
                dlg.deleteLater()
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
            elif self.detached:  # nobody is waiting for it any more (the window was closed)
                log.warning("job %r failed after its window closed: %s", self.title, exc)
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


def _wait_at_exit() -> None:
    """A job still running when the program ends (its window closed while it was in one long
    step, e.g. loading a model) is waited for: a QThread destroyed while running aborts the
    process. The windows are gone by then, so nobody sees the wait."""
    for h in list(_ACTIVE):
        h.thread.request_cancel()
    wait_all(120_000)


atexit.register(_wait_at_exit)
