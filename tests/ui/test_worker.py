"""The worker: results on the GUI thread, failures always reported, cancel, no hanging dialog."""

from __future__ import annotations

import threading

from annotator.progress import Progress
from corpus.errors import InputError
from ui import errors
from ui.worker import run_job


def _count_job(n):
    def factory(store):
        assert threading.current_thread() is not threading.main_thread()
        total = store.count_documents()
        for i in range(n):
            yield Progress(i + 1, n, f"step {i}")
        return ("docs", total)
    return factory


def test_job_result_delivered(qtbot, project):
    got = []
    h = run_job(None, "Counting", _count_job(3), str(project), on_done=got.append)
    with qtbot.waitSignal(h.ended, timeout=10_000):
        pass
    assert got == [("docs", 3)]
    assert h.dialog is None and h.outcome == "done"


def test_job_failure_reported(qtbot, project, monkeypatch):
    shown = []
    monkeypatch.setattr(errors, "show_error", lambda parent, exc, **kw: shown.append(exc))
    monkeypatch.setattr("ui.worker.show_error", lambda parent, exc, **kw: shown.append(exc))

    def bad(store):
        yield Progress(0, 1)
        raise InputError("x.jsonl", "broken JSON", line=3)

    h = run_job(None, "Failing", bad, str(project))
    with qtbot.waitSignal(h.ended, timeout=10_000):
        pass
    assert h.outcome == "failed" and h.dialog is None
    assert len(shown) == 1 and "x.jsonl, line 3" in str(shown[0])


def test_job_cancel_closes_generator(qtbot, project):
    closed = threading.Event()
    gate = threading.Event()

    def slow(store):
        try:
            i = 0
            while True:
                gate.wait(5)
                i += 1
                yield Progress(i, 0)
        finally:
            closed.set()

    gate.set()
    h = run_job(None, "Forever", slow, str(project), on_done=lambda v: None)
    with qtbot.waitSignal(h.progressed, timeout=10_000):
        pass
    h.cancel()
    with qtbot.waitSignal(h.ended, timeout=10_000):
        pass
    assert h.outcome == "cancelled" and closed.is_set() and h.dialog is None


def test_bad_project_path_is_reported(qtbot, tmp_path):
    errs = []
    p = tmp_path / "not.db"
    p.write_text("hello, not sqlite " * 100)
    h = run_job(None, "x", _count_job(1), str(p), on_error=errs.append)
    with qtbot.waitSignal(h.ended, timeout=10_000):
        pass
    assert errs and "not a project" in str(errs[0])
