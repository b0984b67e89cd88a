"""Closing while work runs in the background: the window closes at once, the worker stops at
its next step, nothing of the closed window is touched afterwards, no error dialog."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from annotator.progress import Progress
from corpus.store import Store
from ui.main_window import MainWindow
from ui.worker import active_jobs, run_job


def _no_dialogs(monkeypatch) -> list:
    shown: list = []
    monkeypatch.setattr("ui.errors.QMessageBox.exec", lambda box: shown.append(box.text()) or 0)
    return shown


def _slow_suggester(started: threading.Event, release: threading.Event, ended: threading.Event):
    def slow_job(store, **kw):
        try:
            started.set()
            release.wait(20)  # one long step without a yield, like loading a spaCy model
            for i in range(1000):
                yield Progress(i, 1000, "slow")
                time.sleep(0.01)
        finally:
            ended.set()
    return slow_job


def test_closing_the_window_while_a_background_suggestion_runs(qtbot, project, monkeypatch):
    shown = _no_dialogs(monkeypatch)
    started, release, ended = threading.Event(), threading.Event(), threading.Event()
    monkeypatch.setattr("ui.jobs.suggest_mod.suggest_job", _slow_suggester(started, release, ended))
    s = QSettings()
    s.setValue("auto_suggest", True)
    s.setValue("auto_propagate", False)
    w = MainWindow()
    w.show()
    assert w.open_project(str(project))
    qtbot.waitUntil(started.is_set, timeout=10_000)
    (job,) = w.jobs.background.values()
    assert "Suggesting" in w.sb_job.text()
    try:
        t0 = time.monotonic()
        w.close()
        assert time.monotonic() - t0 < 1.0  # the window does not wait for the model
        assert w.state is None and not w.jobs.background and w.sb_job.text() == ""
        assert job.detached and job.parent() is None and job in active_jobs()
        w.deleteLater()  # the window is gone while the worker is still in its long step
        QApplication.processEvents()
    finally:
        release.set()
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    assert job.outcome == "cancelled" and ended.is_set()
    assert job.wait(5000) and job not in active_jobs()
    assert shown == []
    with Store(project) as st:  # the project opens again, untouched by the cancelled job
        assert not any(st.suggested_layers(d) for d in st.document_ids())


def test_closing_during_suggest_all_hides_its_progress(qtbot, project, monkeypatch):
    shown = _no_dialogs(monkeypatch)
    started, release, ended = threading.Event(), threading.Event(), threading.Event()
    monkeypatch.setattr("ui.jobs.suggest_mod.suggest_job", _slow_suggester(started, release, ended))
    QSettings().setValue("auto_suggest", False)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(project))
    w.act_suggest_all.trigger()
    job = w.jobs.suggest_all_job
    qtbot.waitUntil(started.is_set, timeout=10_000)
    release.set()
    qtbot.waitUntil(lambda: w.jobs.progress.bar.value() > 0, timeout=10_000)
    w.close()
    assert not w.jobs.progress.isVisible() and w.jobs.suggest_all_job is None
    with qtbot.waitSignal(job.ended, timeout=10_000):
        pass
    assert job.outcome == "cancelled" and ended.is_set() and shown == []


def test_progress_dialog_survives_the_job_ending_inside_set_value(qtbot, project, monkeypatch):
    """A shown modal progress dialog processes events in setValue(); the job's end arriving in
    there used to raise AttributeError (a traceback dialog on the demo's first start)."""
    shown = _no_dialogs(monkeypatch)

    def job(store):
        yield Progress(0, 50, "start")
        time.sleep(0.6)  # the dialog shows after 300 ms
        for i in range(1, 50):
            yield Progress(i, 50, "fast")
        return "ok"

    for _ in range(3):
        got = []
        h = run_job(None, "Fast ending", job, str(project), on_done=got.append)
        with qtbot.waitSignal(h.ended, timeout=10_000):
            pass
        assert h.outcome == "done" and got == ["ok"] and h.dialog is None
    assert shown == []
