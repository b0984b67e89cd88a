"""The learning loop in the window (issue 9): train, suggest with the new model, order by use.

:class:`LearningLoop` is a part of the window (``window.learning``). It only starts jobs; the
rules live in :mod:`annotator.training`:

* **Train now** (:meth:`LearningLoop.train_now`) runs :func:`~annotator.training.train_job` in
  a background thread with its own connection to the project file (:func:`ui.worker.run_job`),
  so editing goes on. :meth:`LearningLoop.stop` stops it *keeping the best model so far* (it
  throws ``KeyboardInterrupt`` into the job at its next progress report, as Ctrl-C does on the
  command line); closing the project cancels it (nothing is kept).
* **Retraining**: after an edit of a document's status, when the project setting
  ``retrain_every`` says so (:func:`~annotator.training.retrain_due`), training starts by itself.
* **A new model is ready**: the status bar names it and its dev F1, and the documents no one has
  touched get its suggestions (:func:`~annotator.training.suggest_untouched_job`, in the
  background); decisions already made are never changed.
* **Most useful next** (:meth:`LearningLoop.set_order_mode`): the undone documents ordered by
  the model's uncertainty (:func:`~annotator.training.uncertainty_job`, in the background), for
  the document list and for Ctrl+D's "next" (:meth:`LearningLoop.next_after`).
* **Learning curve** (:meth:`LearningLoop.run_curve`): :func:`~annotator.training.curve_job`.
* The project setting ``suggestion_threshold`` changed: the document on screen is shown again
  (the rule hiding weak suggestions is :func:`annotator.suggest.undecided`'s).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from annotator.changes import Changes
from annotator.progress import Progress
from annotator.suggest import THRESHOLD_SETTING
from annotator.training import (
    MODELS_SETTING,
    ModelRecord,
    TrainingError,
    curve_job,
    latest_model,
    retrain_due,
    suggest_untouched_job,
    train_job,
    uncertainty_job,
)
from annotator.training.loop import RETRAIN_SETTING
from annotator.training.spacy_train import CURVE_FRACTIONS
from corpus.errors import CorpusError
from corpus.model import DocumentStatus
from ui.worker import JobHandle, run_job

__all__ = ["LearningLoop", "ORDER_DOCUMENTS", "ORDER_USEFUL", "dev_f1", "model_summary", "stoppable"]

log = logging.getLogger(__name__)

#: Document-list orders: import order, or most useful (most uncertain) first.
ORDER_DOCUMENTS = "documents"
ORDER_USEFUL = "useful"


def stoppable(job: Iterator[Progress], stop: threading.Event) -> Generator[Progress, None, Any]:
    """Run ``job``; once ``stop`` is set, throw ``KeyboardInterrupt`` into it at its next progress
    report (once): a training job then keeps its best model and returns (see
    :func:`~annotator.training.train_job`). Returns the job's value."""
    thrown = False
    try:
        item = next(job)
        while True:
            yield item
            if stop.is_set() and not thrown:
                thrown = True
                item = job.throw(KeyboardInterrupt())
            else:
                item = next(job)
    except StopIteration as end:
        return end.value
    finally:
        close = getattr(job, "close", None)
        if close is not None:  # cancelled (closed) here: the job cleans up now, not when collected
            close()


def dev_f1(record: ModelRecord) -> float | None:
    """The model's entity F1 on its dev documents (spaCy's weighted score when there is none)."""
    scores = record.scores or {}
    value = scores.get("ents_f", scores.get("score"))
    return None if value is None else float(value)


def model_summary(record: ModelRecord | None) -> str:
    """"Model project@3 · dev F1 0.81" (what the status bar says)."""
    if record is None:
        return "No project model yet"
    f1 = dev_f1(record)
    return f"Model {record.name} \u00b7 dev F1 {f1:.2f}" if f1 is not None else f"Model {record.name}"


class LearningLoop(QObject):
    """The window's learning loop; see the module docstring."""

    #: (step, steps at most, message) while training or computing a curve
    progressed = Signal(int, int, str)
    #: a job started (``True``) or every learning job ended
    busyChanged = Signal(bool)
    #: one line saying how the last job ended
    ended = Signal(str)
    #: the project's latest model (a :class:`ModelRecord` or ``None``)
    modelChanged = Signal(object)
    #: the learning curve's rows (see :func:`~annotator.training.curve_job`)
    curveReady = Signal(list)
    #: the document order: a list of ids (most useful first), or ``None`` for document order
    orderReady = Signal(object)

    def __init__(self, window: QWidget, state_getter: Callable[[], Any], message: Callable[[str, int], None]) -> None:
        super().__init__(window)
        self._window = window
        self._state = state_getter
        self._message = message
        self._connected: Any = None
        self._stop = threading.Event()
        #: options for :func:`train_job` (``max_steps``, ``eval_frequency``, ``base``...)
        self.train_options: dict[str, Any] = {}
        self.train_job: JobHandle | None = None
        self.curve_job: JobHandle | None = None
        self.suggest_job: JobHandle | None = None
        self.order_job: JobHandle | None = None
        self.order_mode = ORDER_DOCUMENTS
        #: undone documents, most useful first (filled in the background)
        self.order: list[int] = []
        #: the last model announced
        self.model: ModelRecord | None = None
        self.status_label = QLabel("", window)
        self.status_label.setObjectName("modelStatus")
        window.statusBar().addPermanentWidget(self.status_label)

    # -- the open project ----------------------------------------------------------------------
    def set_state(self, state: Any) -> None:
        """The window shows another project (or none): follow its changes, name its model."""
        if self._connected is not None:
            try:
                self._connected.changed.disconnect(self._on_changed)
            except (RuntimeError, TypeError):
                pass
        self._connected = state
        self.train_job = self.curve_job = self.suggest_job = self.order_job = None
        self.order = []
        if state is not None:
            state.changed.connect(self._on_changed)
        self.refresh_model()
        if self.order_mode == ORDER_USEFUL and state is not None:
            self.compute_order()

    def refresh_model(self) -> None:
        """Read the latest model and show it in the status bar."""
        st = self._state()
        try:
            self.model = latest_model(st.store) if st is not None else None
        except TrainingError as exc:
            self.model = None
            self._message(str(exc), 10_000)
        self.status_label.setText(model_summary(self.model) if st is not None else "")
        self.status_label.setToolTip(self._model_tip(self.model))
        self.modelChanged.emit(self.model)

    @staticmethod
    def _model_tip(rec: ModelRecord | None) -> str:
        if rec is None:
            return "Train now (Model menu or the Training panel) to get suggestions from the project's own model"
        return (f"{rec.name}: trained on {len(rec.documents):,} documents, scored on {len(rec.dev_documents):,}; "
                f"{rec.steps:,} steps{' (stopped early)' if rec.interrupted else ''}; {rec.created}\n"
                f"Its suggestions go to the layer {rec.suggestion_layer}")

    def running(self) -> list[JobHandle]:
        """The learning jobs still running."""
        jobs = (self.train_job, self.curve_job, self.suggest_job, self.order_job)
        return [h for h in jobs if h is not None and h.is_running()]

    def training(self) -> bool:
        """True while a model or a learning curve is being trained."""
        return any(h is not None and h.is_running() for h in (self.train_job, self.curve_job))

    def _on_changed(self, changes: Changes) -> None:
        if THRESHOLD_SETTING in changes.settings:
            reload = getattr(self._window, "reload_annotations", None)
            if reload is not None:
                reload()
        if changes.status:
            self.maybe_retrain()

    # -- training ------------------------------------------------------------------------------
    def train_now(self, auto: bool = False) -> JobHandle | None:
        """Train a project model in the background (nothing happens while one is training)."""
        st = self._state()
        if st is None or self.training():
            if st is not None and not auto:
                self._message("Training is already running", 4000)
            return None
        self._stop.clear()
        stop, options = self._stop, dict(self.train_options)
        title = "Retraining" if auto else "Training"
        self.train_job = run_job(self._window, title, lambda store: stoppable(train_job(store, **options), stop),
                                 st.path, on_done=lambda report: self._trained(st, report),
                                 on_error=lambda exc: self._failed(st, title, exc), modal=False,
                                 on_progress=self.progressed.emit, on_cancel=lambda: self._ended("Training cancelled"))
        self.busyChanged.emit(True)
        self._message(f"{title} the project model in the background; editing goes on", 6000)
        return self.train_job

    def stop(self) -> None:
        """Stop training keeping the best model so far (a learning curve is cancelled)."""
        if self.train_job is not None and self.train_job.is_running():
            self._stop.set()
            self.progressed.emit(0, 0, "stopping: keeping the best model so far\u2026")
        if self.curve_job is not None and self.curve_job.is_running():
            self.curve_job.cancel()

    def maybe_retrain(self) -> bool:
        """Start training when the project setting ``retrain_every`` says it is due."""
        st = self._state()
        if st is None or self.training():
            return False
        try:
            due = retrain_due(st.store)
        except TrainingError as exc:
            self._message(str(exc), 10_000)
            return False
        if due:
            every = st.store.get_setting(RETRAIN_SETTING, 0)
            self.train_now(auto=True)
            self._message(f"Retraining in the background: {every} documents done since the last model", 8000)
        return due

    def _trained(self, st: Any, report: Any) -> None:
        if self._state() is not st:
            return
        st.announce(Changes(settings=frozenset({MODELS_SETTING})))
        self.refresh_model()
        rec = report.record
        early = "stopped early, the best model so far kept" if report.interrupted else "finished"
        self._ended(f"Training {early} ({report.steps:,} steps, {report.seconds:,.0f} s)",
                    f"{model_summary(rec)} ready ({early}); trained on {report.train_documents:,} documents")
        self.suggest_untouched()
        if self.order_mode == ORDER_USEFUL:
            self.compute_order()

    def _failed(self, st: Any, what: str, exc: BaseException) -> None:
        if isinstance(exc, KeyboardInterrupt):
            text = f"{what} stopped before its first evaluation: no model kept"
        elif isinstance(exc, CorpusError):
            text = f"{what} failed: {exc}"
        else:
            log.warning("%s failed: %r", what, exc)
            text = f"{what} failed: {type(exc).__name__}: {exc}"
        self._ended(text)

    def _ended(self, text: str, long_text: str = "") -> None:
        """Say how a job ended: ``text`` to the panel, ``long_text`` (or ``text``) in the status bar."""
        self._message(long_text or text, 10_000)
        self.ended.emit(text)
        if not self.training():
            self.busyChanged.emit(False)

    # -- a new model's suggestions -------------------------------------------------------------
    def suggest_untouched(self) -> JobHandle | None:
        """The latest model's suggestions on the documents no one has touched (background)."""
        st = self._state()
        if st is None or (self.suggest_job is not None and self.suggest_job.is_running()):
            return None

        def done(ids: list[int]) -> None:
            if self._state() is st and ids:
                st.announce(Changes(suggestions=frozenset(ids)))
                self._message(f"{len(ids):,} untouched documents have the new model's suggestions", 8000)

        self.suggest_job = run_job(self._window, "Suggesting with the new model", suggest_untouched_job, st.path,
                                   on_done=done, on_error=lambda exc: self._message(f"Suggesting failed: {exc}", 10_000),
                                   modal=False)
        return self.suggest_job

    # -- most useful next ----------------------------------------------------------------------
    def set_order_mode(self, mode: str) -> None:
        """``ORDER_DOCUMENTS`` or ``ORDER_USEFUL`` (needs a trained model; computed in the background)."""
        self.order_mode = ORDER_USEFUL if mode == ORDER_USEFUL else ORDER_DOCUMENTS
        if self.order_mode == ORDER_DOCUMENTS:
            self.order = []
            self.orderReady.emit(None)
            return
        self.compute_order()

    def compute_order(self) -> JobHandle | None:
        """Order the undone documents by the latest model's uncertainty (background)."""
        st = self._state()
        if st is None:
            return None
        if self.model is None:
            self.order_mode, self.order = ORDER_DOCUMENTS, []
            self.orderReady.emit(None)
            self._message("\u201cMost useful next\u201d needs a trained model: Train now first", 8000)
            return None
        who = st.annotator

        def done(scored: list[tuple[int, float]]) -> None:
            if self._state() is st and self.order_mode == ORDER_USEFUL:
                self.order = [d for d, _ in scored]
                self.orderReady.emit(list(self.order))
                self._message(f"Most useful next: {len(self.order):,} documents to do, most uncertain first", 6000)

        self.order_job = run_job(self._window, "Ordering by usefulness", lambda store: uncertainty_job(store, who),
                                 st.path, on_done=done, modal=False,
                                 on_error=lambda exc: self._message(f"Could not order the documents: {exc}", 10_000))
        return self.order_job

    def next_after(self, doc_id: int, fallback: int | None) -> int | None:
        """Ctrl+D's next document: with "most useful next" chosen, the most useful document still
        to do other than ``doc_id``; otherwise (or when none is left) ``fallback``."""
        st = self._state()
        if st is None or self.order_mode != ORDER_USEFUL or not self.order:
            return fallback
        status = st.store.statuses(st.annotator)
        finished = {DocumentStatus.DONE, DocumentStatus.SKIPPED}
        for d in self.order:
            if d != doc_id and status.get((d, st.annotator)) not in finished:
                return d
        return fallback

    # -- learning curve ------------------------------------------------------------------------
    def run_curve(self) -> JobHandle | None:
        """Train on 25, 50, 75 and 100 % of the data (nothing kept) and report the dev scores."""
        st = self._state()
        if st is None or self.training():
            return None
        options = dict(self.train_options)
        part = [0]

        def progress(done: int, total: int, message: str) -> None:
            part[0] += message == "training"  # each part's training run starts with this report
            self.progressed.emit(done, total, f"part {part[0]} of {len(CURVE_FRACTIONS)}: {message}")

        def done(rows: list[dict[str, Any]]) -> None:
            self.curveReady.emit(list(rows))
            self._ended("Learning curve ready")

        self.curve_job = run_job(self._window, "Learning curve", lambda store: curve_job(store, **options), st.path,
                                 on_done=done, on_error=lambda exc: self._failed(st, "The learning curve", exc),
                                 modal=False, on_progress=progress,
                                 on_cancel=lambda: self._ended("Learning curve cancelled"))
        self.busyChanged.emit(True)
        return self.curve_job
