"""The window's background work: suggesting, matching (propagation), importing.

:class:`WindowJobs` starts each job with :func:`ui.worker.run_job` (a thread with its own
connection to the project file), and when it ends announces what it changed as a
:class:`~annotator.changes.Changes` report on the state (views refresh from that, as after an
edit). Closing the project cancels every job without waiting for one (see :meth:`close`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from annotator import suggest as suggest_mod
from annotator.changes import Changes
from annotator.progress import Progress
from corpus.store import Store
from ui.errors import show_error
from ui.job_status import JobProgress
from ui.startup import PaintGate
from ui.worker import JobHandle, active_jobs, run_job

__all__ = ["WindowJobs", "PROPAGATE_DELAY_MS"]

log = logging.getLogger(__name__)

#: Matching (propagation) runs this long after the last accept or label, in the background.
PROPAGATE_DELAY_MS = 1200


class WindowJobs(QObject):
    """Background jobs of one window; ``state_getter`` gives the open project (or ``None``)."""

    def __init__(self, window: QWidget, state_getter: Callable, status_label: QLabel,
                 message: Callable[[str, int], None]) -> None:
        super().__init__(window)
        self._window = window
        self._state = state_getter
        self._label = status_label
        self._message = message
        #: per-document suggestion jobs running now, by document id
        self.background: dict[int, JobHandle] = {}
        #: the "Suggest all documents" job while it runs
        self.suggest_all_job: JobHandle | None = None
        #: the matching job while it runs
        self.propagate_job: JobHandle | None = None
        self.auto_propagate = True
        self._texts: set[str] | None = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PROPAGATE_DELAY_MS)
        self._timer.timeout.connect(self.propagate_now)
        #: "Suggest all" in the status bar (progress and Cancel), never a modal dialog
        self._gate = PaintGate(window)
        self.progress = JobProgress(window)
        window.statusBar().addPermanentWidget(self.progress)

    def running(self) -> list[JobHandle]:
        """Every job of this window that has not ended."""
        jobs = [*self.background.values(), self.suggest_all_job, self.propagate_job]
        return [h for h in jobs if h is not None and h.is_running()]

    def close(self) -> None:
        """Cancel every job and drop its callbacks (never blocks: a job may be inside a long
        step such as loading a spaCy model; its thread stops at its next step)."""
        self._timer.stop()
        self.progress.release()
        jobs = {*self.background.values(), *active_jobs()}
        jobs.update(h for h in (self.propagate_job, self.suggest_all_job) if h is not None)
        for h in jobs:
            if h.is_running():
                h.cancel()
                h.detach()
        self.background.clear()
        self.propagate_job = None
        self.suggest_all_job = None
        self._label.setText("")

    # -- suggesting ------------------------------------------------------------------------
    def maybe_suggest(self, doc_id: int) -> None:
        """Suggest ``doc_id`` in the background if it is still on screen and has no suggestions
        (once the window has painted: the window is there before spaCy loads)."""
        self._gate.run(lambda: self._maybe_suggest(doc_id))

    def _maybe_suggest(self, doc_id: int) -> None:
        st = self._state()
        if st is None or st.current_doc_id != doc_id or doc_id in self.background:
            return
        if self.suggest_all_job is not None and self.suggest_all_job.is_running():
            return
        if st.store.suggested_layers(doc_id):
            return
        self.suggest_current(force=False)

    def suggest_current(self, force: bool = False) -> None:
        """Suggest the current document in the background (the window keeps working)."""
        st = self._state()
        if st is None or st.current_doc_id is None or st.current_doc_id in self.background:
            return
        d = st.current_doc_id
        self._label.setText("Suggesting this document\u2026")

        def ended(d=d) -> None:
            self.background.pop(d, None)
            self._label.setText("")

        def done(_report, d=d) -> None:
            ended()
            if self._state() is st:
                st.announce(Changes(suggestions=frozenset({d}), status=frozenset({d})))
                if st.current_doc_id == d:
                    n = len(self._window.presenter.pending())
                    self._message(f"{n} suggestions for this document", 6000)

        def failed(exc: BaseException) -> None:
            ended()
            show_error(self._window, exc, title="Suggesting failed")

        self.background[d] = run_job(self._window, "Suggesting this document",
                                     lambda store: suggest_mod.suggest_job(store, doc_ids=[d], force=force),
                                     st.path, on_done=done, on_error=failed, modal=False, on_cancel=ended)

    def suggest_all(self) -> None:
        """Run the suggesters over the whole corpus in the background, its progress and Cancel in
        the status bar (Cancel keeps what finished); the person keeps labelling meanwhile."""
        st = self._state()
        if st is None or (self.suggest_all_job is not None and self.suggest_all_job.is_running()):
            return

        def done(report) -> None:
            self.suggest_all_job = None
            if self._state() is st:
                st.announce(Changes(all_suggestions=True, documents=True))
                n = sum(lr.spans for lr in getattr(report, "layers", ()) or ())
                self._message(f"Suggestions ready ({n:,} new)" if n else "Suggestions ready", 10_000)

        def cancelled() -> None:
            self.suggest_all_job = None
            if self._state() is st:
                st.announce(Changes(all_suggestions=True))
                self._message("Suggesting cancelled; the documents finished so far keep their suggestions", 6000)

        def failed(exc: BaseException) -> None:
            self.suggest_all_job = None
            show_error(self._window, exc, title="Suggesting failed")

        title = "Suggesting all documents"
        self.suggest_all_job = run_job(self._window, title, lambda store: suggest_mod.suggest_job(store),
                                       st.path, on_done=done, on_error=failed, on_cancel=cancelled, modal=False)
        self.progress.follow(self.suggest_all_job, title)

    # -- matching (propagation) ------------------------------------------------------------
    def schedule_propagation(self, texts: list[str] | None) -> None:
        """Refresh the person's ``match:`` suggestions for these surface texts soon (``None``:
        every text they labelled)."""
        if not self.auto_propagate:
            return
        if texts is None or self._texts is None:
            self._texts = None
        else:
            self._texts.update(t for t in texts if t.strip())
        self._timer.start()

    def propagate_now(self) -> None:
        """Refresh the ``match:<annotator>`` suggestions after accepts (in the background)."""
        st = self._state()
        if st is None or not self.auto_propagate:
            return
        if self.propagate_job is not None and self.propagate_job.is_running():
            self._timer.start()
            return
        who = st.annotator
        texts = None if self._texts is None else sorted(self._texts)
        self._texts = set()
        if texts is not None and not texts:
            return

        def factory(store: Store):
            def gen():
                yield Progress(0, 1, "propagating")
                n = suggest_mod.propagate(store, who, texts=texts)
                yield Progress(1, 1, "propagated")
                return n
            return gen()

        def done(_n) -> None:
            self.propagate_job = None
            if self._state() is st:
                st.announce(Changes(all_suggestions=True))

        def failed(exc: BaseException) -> None:
            self.propagate_job = None
            log.warning("propagation failed: %s", exc)
            self._message(f"Could not refresh matching suggestions: {exc}", 6000)

        self.propagate_job = run_job(self._window, "Matching", factory, st.path, on_done=done, on_error=failed,
                                     modal=False, on_cancel=lambda: setattr(self, "propagate_job", None))

    # -- importing -------------------------------------------------------------------------
    def run_import(self, paths: list[str]) -> JobHandle | None:
        """Import files into the project with a progress dialog."""
        st = self._state()
        if st is None:
            return None
        from annotator import importing

        who = st.annotator

        def done(report) -> None:
            if self._state() is st:
                st.announce(Changes(documents=True, labels=True))
                summary = report.summary() if hasattr(report, "summary") else ""
                self._message(f"Imported: {summary}" if summary else "Imported", 15_000)
                for warning in list(getattr(report, "warnings", []) or [])[:1]:
                    self._message(f"Imported with warnings: {warning}", 15_000)

        return run_job(self._window, "Importing", lambda store: importing.import_job(store, paths, annotator=who),
                       st.path, on_done=done)
