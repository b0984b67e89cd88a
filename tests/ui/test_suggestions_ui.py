"""Suggestions in the window: background suggestion of the open document, "Suggest all" with
its progress and Cancel in the status bar (no modal dialog), and the demo project."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from annotator.progress import Progress
from corpus.store import Store
from ui.main_window import MainWindow
from ui.worker import active_jobs
from conftest import open_window


def _window(qtbot, path, auto_suggest):
    w = open_window(qtbot, path, auto_suggest=auto_suggest)
    return w


def _wait_jobs(qtbot):
    qtbot.waitUntil(lambda: not active_jobs(), timeout=60_000)


def test_open_document_is_suggested_in_the_background(qtbot, project):
    w = _window(qtbot, project, auto_suggest=True)
    # the window stays usable while the model runs: we can already select text
    w.view.set_text_selection(0, 5)
    qtbot.waitUntil(lambda: any(it.suggestion for it in w.view.items), timeout=60_000)
    _wait_jobs(qtbot)
    sugg = [it for it in w.view.items if it.suggestion]
    assert any(it.label == "PERSON" and "Blinken" in w.view.text[it.start:it.end] for it in sugg)
    assert all(it.layer.startswith("model:") for it in sugg)
    with Store(project) as st:
        # only the open document was suggested
        assert st.suggested_layers(w.doc_id) and not st.suggested_layers(3)
    w.close()


def test_suggest_all_runs_in_the_status_bar_while_the_person_labels(qtbot, project):
    w = _window(qtbot, project, auto_suggest=False)
    w.view.setFocus()
    w.act_suggest_all.trigger()
    job = w.jobs.suggest_all_job
    # no modal dialog: progress and Cancel are in the status bar
    assert job is not None and job.dialog is None and QApplication.activeModalWidget() is None
    assert w.jobs.progress.isVisible() and w.jobs.progress.cancel_button.isEnabled()
    # the person labels while the suggesters load their model
    text = w.view.text
    i = text.index("Blinken")
    w.view.set_text_selection(i, i + len("Blinken"))
    assert job.is_running()
    qtbot.keyClick(w.view, "1")
    label = w.palette_widget.label_for_key("1")
    assert any((it.start, it.end, it.label) == (i, i + 7, label) and not it.suggestion for it in w.view.items)
    with qtbot.waitSignal(job.ended, timeout=60_000):
        pass
    assert job.outcome == "done" and not w.jobs.progress.isVisible()
    with Store(project) as st:  # both landed: the person's span and every document's suggestions
        assert (i, i + 7, label) in {(sp.start, sp.end, sp.label) for sp in st.spans(w.doc_id, "tester")}
    with Store(project) as st:
        assert all(st.suggested_layers(d) for d in st.document_ids())
    assert any(it.suggestion for it in w.view.items)
    assert "Suggestions ready" in w.statusBar().currentMessage()
    w.close()


def test_suggest_all_cancel_keeps_window_alive(qtbot, project, monkeypatch):
    import threading

    started = threading.Event()
    stop = threading.Event()
    closed = threading.Event()

    def slow_job(store, **kw):
        try:
            for i in range(1000):
                started.set()
                stop.wait(0.05)
                yield Progress(i, 1000, "slow")
        finally:
            closed.set()

    monkeypatch.setattr("ui.jobs.suggest_mod.suggest_job", slow_job)
    w = _window(qtbot, project, auto_suggest=False)
    w.act_suggest_all.trigger()
    job = w.jobs.suggest_all_job
    qtbot.waitUntil(started.is_set, timeout=10_000)
    qtbot.waitUntil(lambda: w.jobs.progress.bar.maximum() == 1000, timeout=10_000)
    button = w.jobs.progress.cancel_button
    assert button.text() == "Cancel" and button.isVisible()
    button.click()
    stop.set()
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    assert job.outcome == "cancelled" and closed.is_set() and not w.jobs.progress.isVisible()
    assert "cancelled" in w.statusBar().currentMessage()
    w.close()


def test_failing_suggester_is_reported(qtbot, project, monkeypatch):
    from corpus.errors import CorpusError

    def bad_job(store, **kw):
        yield Progress(0, 1)
        raise CorpusError("model 'nope': no spaCy pipeline package of that name is installed")

    shown = []
    monkeypatch.setattr("ui.errors.QMessageBox.exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr("ui.jobs.suggest_mod.suggest_job", bad_job)
    w = _window(qtbot, project, auto_suggest=False)
    w.act_suggest_all.trigger()
    job = w.jobs.suggest_all_job
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    assert job.outcome == "failed" and job.dialog is None
    assert shown == ["model 'nope': no spaCy pipeline package of that name is installed"]
    w.close()


def test_demo_project_is_built_and_opened(qtbot, tmp_path, monkeypatch):
    from ui import app

    monkeypatch.setattr("ui.demo.demo_folder", lambda: tmp_path / "data")
    QSettings().setValue("auto_suggest", False)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    app.open_demo(w)
    job = w.demo_job
    with qtbot.waitSignal(job.ended, timeout=60_000):
        pass
    assert job.outcome == "done"
    assert Path(w.state.path) == tmp_path / "data" / "demo.db"
    assert w.doc_list.model.rowCount() >= 7
    assert w.doc_id is not None
    qtbot.waitUntil(lambda: any(it.suggestion for it in w.view.items), timeout=10_000)
    # opening it again does not rebuild
    w.close_project()
    w2 = MainWindow()
    qtbot.addWidget(w2)
    app.open_demo(w2)
    assert not hasattr(w2, "demo_job")
    w2.close()
    w.close()


def test_cli_registers_gui_and_demo():
    from annotator.cli import build_parser
    from annotator.commands import gui_cmd

    p = build_parser()
    args = p.parse_args(["gui", "x.db"])
    assert args.func is gui_cmd.run_gui and args.project == "x.db"
    assert p.parse_args(["demo"]).func is gui_cmd.run_demo
    assert p.parse_args(["gui"]).project is None


@pytest.mark.parametrize("overlap", [True])
def test_overlapping_spans_are_stacked(qtbot, tmp_path, overlap):
    from conftest import make_project
    from PySide6.QtCore import Qt

    path = make_project(tmp_path / "o.db", overlap=overlap)
    w = _window(qtbot, path, auto_suggest=False)
    text = w.view.text
    s = text.index("Antony Blinken")
    w.view.set_text_selection(s, s + 14)
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    w.view.set_text_selection(s + 7, s + 14)
    qtbot.keyClick(w.view, Qt.Key.Key_2)
    spans = w.state.store.spans(w.doc_id, "tester")
    assert len(spans) == 2
    outer = w.view.span_rects(("span", spans[0].id))[0]
    inner = w.view.span_rects(("span", spans[1].id))[0]
    # the longer span's box encloses the nested one; their tags do not collide
    assert outer.contains(inner.center()) and outer.height() > inner.height()
    t1, t2 = w.view.tag_rect(("span", spans[0].id)), w.view.tag_rect(("span", spans[1].id))
    assert not t1.intersects(t2)
    w.close()


def test_decisions_stay_made_in_the_window(qtbot, project):
    """Deleting an accepted suggestion, or a relabelled one, does not bring the suggestion back
    as a ghost (the session asks annotator.suggest's rule); undo brings the span back."""
    from PySide6.QtCore import Qt

    from conftest import add_suggestions

    with Store(project) as st:
        d = st.document_ids()[0]
    add_suggestions(project, d, [("Antony Blinken", "PERSON"), ("Baghdad", "GPE")])
    w = open_window(qtbot, project)
    w.state.open_document(d)

    def shown():
        return sorted((it.label, w.view.text[it.start:it.end], it.suggestion) for it in w.view.items)

    blinken = next(it for it in w.view.items if it.suggestion and it.label == "PERSON")
    w.view.select_item(blinken.key)
    qtbot.keyClick(w.view, Qt.Key.Key_A)  # accept
    assert ("PERSON", "Antony Blinken", False) in shown()
    mine = next(it for it in w.view.items if not it.suggestion and it.label == "PERSON")
    w.view.select_item(mine.key)
    qtbot.keyClick(w.view, Qt.Key.Key_Delete)
    assert all(text != "Antony Blinken" for _l, text, _s in shown())  # no ghost
    w.undo()
    assert ("PERSON", "Antony Blinken", False) in shown() and ("PERSON", "Antony Blinken", True) not in shown()
    baghdad = next(it for it in w.view.items if it.suggestion and it.label == "GPE")
    w.view.select_item(baghdad.key)
    w.apply_label_name("LOC")  # relabel the suggestion: accepted corrected
    assert ("LOC", "Baghdad", False) in shown() and ("GPE", "Baghdad", True) not in shown()
    w.close()
