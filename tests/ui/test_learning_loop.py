"""The learning loop in the window (issue 9): Train now in the background (editing goes on,
Stop keeps the best model), retraining after K done documents, the new model's suggestions on
untouched documents, the model in the status bar, "most useful next", the suggestion threshold
and the learning curve. Tiny models, few steps."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import open_window
from PySide6.QtCore import Qt

from annotator.suggest import THRESHOLD_SETTING
from annotator.tokenize import tokenize
from annotator.training import latest_model
from annotator.training.loop import RETRAIN_SETTING
from corpus.model import Document, DocumentStatus, Label, Span
from corpus.store import Store

BRANDS = ["Nike", "Gucci", "Prada", "Adidas", "Zara", "Uniqlo"]
UNDONE = ["Yesterday I bought new shoes from Gucci.", "Quantum chromodynamics rarely sells socks.",
          "She wore Prada and Zara to the party.", "My new jacket from Nike is warm."]
QUICK = {"max_steps": 30, "eval_frequency": 10}


def learning_project(path: Path, done: int = 24) -> Path:
    """``done`` documents marked done by ``tester`` with BRAND spans, then the :data:`UNDONE` ones."""
    rng = random.Random(0)
    with Store(path) as store:
        store.set_labels([Label("BRAND")])
        store.add_annotator("tester")

        def add(text: str, name: str) -> int:
            toks, sents = tokenize(text)
            return store.add_document(Document(text=text, name=name, tokens=toks, sents=sents))

        for k in range(done):
            b = rng.choice(BRANDS)
            text = f"I bought new shoes from {b} on day {k}."
            d = add(text, f"done-{k:02d}")
            s = text.index(b)
            store.add_span(Span(d, "tester", s, s + len(b), "BRAND"))
            store.set_status(d, "tester", DocumentStatus.DONE)
        for k, text in enumerate(UNDONE):
            add(text, f"todo-{k}")
    return path


@pytest.fixture
def learn(tmp_path: Path) -> Path:
    return learning_project(tmp_path / "learn.db")


def _window(qtbot, path: Path, **options):
    from PySide6.QtCore import QSettings

    QSettings().setValue("done_with_undecided", "reject")  # Ctrl+D does not ask about suggestions left
    win = open_window(qtbot, path)
    win.learning.train_options = {**QUICK, **options}
    return win


def _idle(qtbot, win, ms: int = 60_000) -> None:
    qtbot.waitUntil(lambda: not win.learning.running(), timeout=ms)


def test_without_a_model_the_status_bar_says_so_and_useful_order_falls_back(qtbot, learn):
    win = _window(qtbot, learn)
    assert win.learning.status_label.text() == "No project model yet"
    panel = win.panel("training")
    assert "Train now" in panel.model_label.text()
    assert panel.train_button.isEnabled() and not panel.stop_button.isEnabled()
    docs = win.doc_list
    docs.order_box.setCurrentIndex(docs.order_box.findData("useful"))
    assert docs.order_box.currentData() == "documents"  # no model: back to document order
    assert "needs a trained model" in win.statusBar().currentMessage()


@pytest.mark.slow
def test_train_now_runs_in_the_background_and_stop_keeps_the_best_model(qtbot, learn):
    win = _window(qtbot, learn, max_steps=5000, eval_frequency=5)
    panel = win.panel("training")
    doc = win.doc_id
    win.act_train.trigger()
    qtbot.waitUntil(lambda: "best dev score" in panel.progress_label.text(), timeout=30_000)
    assert panel.stop_button.isEnabled() and not panel.train_button.isEnabled()
    # editing goes on while the model trains
    win.view.setFocus()
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    qtbot.keyClick(win.view, Qt.Key.Key_1)
    assert [sp.label for sp in win.state.store.spans(doc, "tester")] == ["BRAND"]
    assert win.learning.train_job.is_running()
    panel.stop_button.click()
    qtbot.waitUntil(lambda: not win.learning.training(), timeout=60_000)
    model = latest_model(win.state.store)
    assert model is not None and model.version == 1 and model.interrupted and model.steps < 5000
    assert win.learning.status_label.text().startswith("Model project@1 \u00b7 dev F1 ")
    assert "stopped early" in panel.progress_label.text() and "stopped early" in panel.model_label.text()
    _idle(qtbot, win)
    # the document being edited was touched: the new model suggested nothing there
    assert win.state.store.spans(doc, "model:project@1") == []


@pytest.mark.slow
def test_a_new_model_suggests_on_untouched_documents_only(qtbot, learn):
    win = _window(qtbot, learn)
    store = win.state.store
    todo = [d for d in store.document_ids() if store.get_document(d).name.startswith("todo-")]
    touched = todo[2]
    win.state.open_document(touched)
    win.view.setFocus()
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    qtbot.keyClick(win.view, Qt.Key.Key_1)  # the person labels "wore" themselves
    mine = store.spans(touched, "tester")
    win.panel("training").train_button.click()
    _idle(qtbot, win)
    assert win.learning.model is not None and win.learning.model.version == 1
    suggested = {d for d in todo if store.spans(d, "model:project@1")}
    assert todo[0] in suggested and todo[3] in suggested  # "... from Gucci", "... from Nike"
    assert touched not in suggested and store.spans(touched, "tester") == mine


@pytest.mark.slow
def test_retraining_starts_after_every_k_newly_done_documents(qtbot, learn):
    win = _window(qtbot, learn)
    panel = win.panel("training")
    win.learning.train_now()
    _idle(qtbot, win)
    panel.retrain.setValue(2)  # an undoable project setting
    assert win.state.store.get_setting(RETRAIN_SETTING) == 2
    win.undo()
    assert not win.state.store.get_setting(RETRAIN_SETTING) and panel.retrain.value() == 0  # unset again
    win.redo()
    assert panel.retrain.value() == 2
    win.mark_done()
    assert not win.learning.training()  # one newly done document: not yet
    win.mark_done()
    assert win.learning.training()  # the second one: retraining in the background
    _idle(qtbot, win)
    assert latest_model(win.state.store).version == 2
    assert win.learning.status_label.text().startswith("Model project@2")


@pytest.mark.slow
def test_most_useful_next_orders_the_list_and_ctrl_d(qtbot, learn):
    win = _window(qtbot, learn)
    win.learning.train_now()
    _idle(qtbot, win)
    docs = win.doc_list
    with qtbot.waitSignal(win.learning.orderReady, timeout=30_000):
        docs.order_box.setCurrentIndex(docs.order_box.findData("useful"))
    order = win.learning.order
    assert sorted(order) == sorted(d for d in win.state.store.document_ids()
                                   if win.state.store.get_document(d).name.startswith("todo-"))
    assert docs.model.ids()[:len(order)] == order  # the list shows the most useful first
    current = win.doc_id
    win.mark_done()  # Ctrl+D: the most useful document still to do
    assert win.doc_id == next(d for d in order if d != current)
    docs.order_box.setCurrentIndex(docs.order_box.findData("documents"))
    assert docs.model.ids() == sorted(docs.model.ids())


def test_the_threshold_setting_hides_weak_suggestions_in_the_window(qtbot, learn):
    with Store(learn) as store:
        d = next(i for i in store.document_ids() if store.get_document(i).name == "todo-2")
        text = store.get_document(d).text
        store.add_spans([Span(d, "model:project@1", text.index("Prada"), text.index("Prada") + 5, "BRAND", score=0.9),
                         Span(d, "model:project@1", text.index("Zara"), text.index("Zara") + 4, "BRAND", score=0.3)])
        store.mark_suggested([d], "model:project@1")
    win = _window(qtbot, learn)
    win.state.open_document(d)
    assert len(win.presenter.pending()) == 2
    panel = win.panel("training")
    panel.threshold.setValue(0.5)
    assert win.state.store.get_setting(THRESHOLD_SETTING) == 0.5
    assert [text[s.start:s.end] for s in win.presenter.pending()] == ["Prada"]
    win.undo()
    assert len(win.presenter.pending()) == 2 and panel.threshold.value() == 0.0


@pytest.mark.slow
def test_the_learning_curve_is_plotted_in_the_panel(qtbot, learn):
    win = _window(qtbot, learn)
    panel = win.panel("training")
    seen: list[str] = []
    panel.curve_button.click()
    with qtbot.waitSignal(win.learning.curveReady, timeout=120_000):
        win.learning.progressed.connect(lambda _d, _t, message: seen.append(message))
    assert any(m.startswith("part 4 of 4: best dev score") for m in seen)
    assert [x for x, _ in panel.chart.points] == [25.0, 50.0, 75.0, 100.0]
    assert all(0.0 <= y <= 1.0 for _, y in panel.chart.points)
    assert latest_model(win.state.store) is None  # the curve keeps no model


def test_stop_throws_into_the_job_once_and_cancel_closes_it():
    import threading

    from annotator.progress import Progress
    from ui.learning import stoppable

    log: list[str] = []

    def job():
        try:
            for k in range(100):
                try:
                    yield Progress(k, 100, "step")
                except KeyboardInterrupt:
                    log.append(f"interrupted at {k}")
                    yield Progress(k, k, "saving the best model")  # a second report: not thrown into
                    return "best model"
        finally:
            log.append("cleaned up")

    stop = threading.Event()
    run = stoppable(job(), stop)
    next(run), next(run)
    stop.set()
    assert next(run).message == "saving the best model"
    with pytest.raises(StopIteration) as end:
        next(run)
    assert end.value.value == "best model" and log == ["interrupted at 1", "cleaned up"]
    log.clear()
    run = stoppable(job(), threading.Event())
    next(run)
    run.close()  # the window's cancel: the job is closed at once, keeping nothing
    assert log == ["cleaned up"]
