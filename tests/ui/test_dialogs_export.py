"""File > Export dialog: choices, background export with the real worker, summary, QSettings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from corpus.model import GOLD, Span
from corpus.store import Store
from test_dialogs_project import make_multi_project
from ui import export_dialog as ed
from ui.export_dialog import ExportDialog
from ui.state import AppState


@pytest.fixture
def state(tmp_path: Path, qtbot):
    path = make_multi_project(tmp_path / "multi.db")
    st = AppState(Store(path), "alice")
    yield st
    st.close()


def open_dialog(state, qtbot) -> ExportDialog:
    dlg = ExportDialog(state, None)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def run_export(dlg: ExportDialog, qtbot) -> None:
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert dlg.job is not None
    with qtbot.waitSignal(dlg.job.ended, timeout=60_000, raising=False):
        pass
    qtbot.waitUntil(lambda: dlg.export_button.isEnabled(), timeout=60_000)


def test_layers_offered_and_format_options(state, qtbot):
    dlg = open_dialog(state, qtbot)
    layers = [dlg.layer_combo.itemData(i) for i in range(dlg.layer_combo.count())]
    assert layers[0] == GOLD and {"alice", "bob", "carol"} <= set(layers) and layers[-1] == "all"
    assert "alice — 11 spans" in [dlg.layer_combo.itemText(i) for i in range(dlg.layer_combo.count())]
    dlg.format_combo.setCurrentIndex(dlg.format_combo.findData("conll"))
    assert dlg.conll_group.isEnabled() and not dlg.spacy_group.isEnabled()
    assert "CoNLL" not in dlg.format_hint.text() or "NE" in dlg.format_hint.text()
    dlg.format_combo.setCurrentIndex(dlg.format_combo.findData("spacy"))
    assert dlg.spacy_group.isEnabled() and not dlg.conll_group.isEnabled()


def test_needs_a_folder_and_gold_needs_review(state, qtbot, tmp_path):
    dlg = open_dialog(state, qtbot)
    dlg.out_edit.clear()
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert dlg.message.isVisible() and "Choose the folder" in dlg.message.text()
    dlg.out_edit.setText(str(tmp_path / "out"))
    dlg.layer_combo.setCurrentIndex(dlg.layer_combo.findData(GOLD))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert "review documents into gold first" in dlg.message.text()
    assert dlg.job is None


def test_conll_export_runs_in_background_and_summarises(state, qtbot, tmp_path, monkeypatch):
    # a span off token boundaries in alice's layer: the summary must say it was expanded, by name
    doc = state.store.get_document(1)
    i = doc.text.index("Siemens")
    state.store.add_span(Span(doc_id=1, layer="alice", start=i, end=i + 4, label="ORG"))  # "Siem"
    state.store.delete_span(next(s.id for s in state.store.spans(1, "alice") if s.end == i + 7))
    dlg = open_dialog(state, qtbot)
    monkeypatch.setattr(ed, "choose_folder", lambda parent, start: str(tmp_path / "out"))
    qtbot.mouseClick(dlg.browse_button, Qt.MouseButton.LeftButton)
    assert dlg.out_edit.text() == str(tmp_path / "out")
    dlg.format_combo.setCurrentIndex(dlg.format_combo.findData("conll"))
    dlg.layer_combo.setCurrentIndex(dlg.layer_combo.findData("alice"))
    dlg.scheme_combo.setCurrentIndex(dlg.scheme_combo.findData("bilou"))
    run_export(dlg, qtbot)
    assert dlg.report is not None, dlg.message.text()
    text = dlg.summary.toPlainText()
    assert dlg.summary.isVisible()
    assert "CoNLL-2003 of layer “alice” written to" in text
    assert "alice.conll" in text
    assert "3 documents, 11 spans" in text
    assert "spans expanded to token boundaries, in: summit.txt" in text  # "Siem" of Siemens
    conll = (tmp_path / "out" / "alice.conll").read_text()
    assert "U-PERSON" in conll or "B-PERSON" in conll
    # choices are remembered for the next time
    again = open_dialog(state, qtbot)
    assert again.current_format() == "conll" and again.current_layer() == "alice"
    assert again.scheme_combo.currentData() == "bilou"
    assert again.out_edit.text() == str(tmp_path / "out")


def test_all_layers_only_for_jsonl_and_export_gold(state, qtbot, tmp_path):
    state.store.add_span(Span(doc_id=1, layer=GOLD, start=0, end=12, label="PERSON"))
    dlg = open_dialog(state, qtbot)
    dlg.out_edit.setText(str(tmp_path / "j"))
    dlg.format_combo.setCurrentIndex(dlg.format_combo.findData("spacy"))
    all_i = dlg.layer_combo.findData("all")
    assert not dlg.layer_combo.model().item(all_i).isEnabled()
    dlg.format_combo.setCurrentIndex(dlg.format_combo.findData("jsonl"))
    assert dlg.layer_combo.model().item(all_i).isEnabled()
    dlg.layer_combo.setCurrentIndex(dlg.layer_combo.findData(GOLD))
    run_export(dlg, qtbot)
    assert dlg.report is not None, dlg.message.text()
    assert dlg.report.layer == GOLD and dlg.report.spans == 1
    assert (tmp_path / "j" / "gold.jsonl").exists()
    assert "1 document, 1 span, 0 relations." in dlg.summary.toPlainText()


def test_failure_is_shown_not_hidden(state, qtbot, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    dlg = open_dialog(state, qtbot)
    dlg.format_combo.setCurrentIndex(dlg.format_combo.findData("brat"))
    dlg.layer_combo.setCurrentIndex(dlg.layer_combo.findData("bob"))
    dlg.out_edit.setText(str(blocker / "sub"))  # cannot create a folder inside a file
    run_export(dlg, qtbot)
    assert dlg.report is None
    assert dlg.message.text().startswith("Export failed:")
    assert "Nothing was written" in dlg.message.text()


def test_cancel_stops_the_job_and_says_so(state, qtbot, tmp_path, monkeypatch):
    import threading

    from annotator.progress import Progress

    started = threading.Event()
    closed = threading.Event()

    def endless(store, out, fmt, **options):  # stands in for a very long export
        try:
            n = 0
            while True:
                started.set()
                n += 1
                yield Progress(n, 0, "exporting")
                closed.wait(0.005)
        finally:
            closed.set()

    monkeypatch.setattr(ed, "export_job", endless)
    dlg = open_dialog(state, qtbot)
    dlg.out_edit.setText(str(tmp_path / "c"))
    dlg.layer_combo.setCurrentIndex(dlg.layer_combo.findData("alice"))
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    assert not dlg.export_button.isEnabled()  # one export at a time
    job = dlg.job
    try:
        qtbot.waitUntil(started.is_set, timeout=30_000)
        cancel = next(b for b in job.dialog.findChildren(QPushButton) if b.text() == "Cancel")
        cancel.click()  # the progress dialog's Cancel button
        qtbot.waitUntil(lambda: dlg.export_button.isEnabled(), timeout=30_000)
    finally:
        job.thread.request_cancel()
        job.wait(10_000)
    assert closed.is_set()
    assert dlg.job.outcome == "cancelled"
    assert dlg.message.text() == "Export cancelled. Nothing was written."
    assert dlg.report is None
