"""A span's kb id and attributes in the window: K opens the editor on the selected span, Enter
saves one undoable step, the status bar shows them when the span is selected."""

from __future__ import annotations

import pytest
from conftest import open_window
from PySide6.QtCore import Qt

from corpus.model import Span
from corpus.store import Store

PERSON = "tester"
NO = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def win(qtbot, project):
    with Store(project) as s:
        d = s.document_ids()[0]
        text = s.get_document(d).text
        word = text.split()[0]
        s.add_span(Span(d, PERSON, 0, len(word), "PERSON"))
    w = open_window(qtbot, project, size=(1100, 700), exposed=True)
    w.state.open_document(d)
    w.reload_annotations()
    return w


def _open_editor(qtbot, win):
    """K on the selected span; the editor is the active window with the kb id field focused."""
    qtbot.keyClick(win.view, Qt.Key.Key_K, NO)
    dlg = win.span_info.dialog
    assert dlg is not None and dlg.isVisible()
    dlg.activateWindow()
    qtbot.waitUntil(lambda: dlg.kb_edit.hasFocus())
    return dlg


def _select_first_span(qtbot, win) -> Span:
    qtbot.keyClick(win.view, Qt.Key.Key_Tab, NO)
    item = win.view.selected_item()
    assert item is not None and not item.suggestion
    return win.state.store.get_span(item.id)


def test_k_sets_kb_id_and_attributes_in_one_undoable_step(qtbot, win) -> None:
    span = _select_first_span(qtbot, win)
    dlg = _open_editor(qtbot, win)
    assert dlg.kb_edit.text() == ""
    dlg.attributes_edit.setPlainText("Negated\nConfidence = Low")
    dlg.kb_edit.setText("Q76")
    qtbot.keyClick(dlg.kb_edit, Qt.Key.Key_Return, NO)
    qtbot.waitUntil(lambda: win.span_info.dialog is None)
    stored = win.state.store.get_span(span.id)
    assert stored.kb_id == "Q76" and stored.attrs == {"Negated": True, "Confidence": "Low"}
    assert (stored.start, stored.end, stored.label) == (span.start, span.end, span.label)
    assert "kb id Q76" in win.statusBar().currentMessage()
    win.undo()
    back = win.state.store.get_span(span.id)
    assert back.kb_id == "" and back.attributes == ()
    win.redo()
    assert win.state.store.get_span(span.id).kb_id == "Q76"


def test_a_bad_attribute_line_is_named_and_nothing_is_saved(qtbot, win) -> None:
    span = _select_first_span(qtbot, win)
    dlg = _open_editor(qtbot, win)
    dlg.attributes_edit.setPlainText("Speculation =")
    dlg.kb_edit.setText("Q1")
    qtbot.keyClick(dlg.kb_edit, Qt.Key.Key_Return, NO)
    assert dlg.isVisible() and "line 1" in dlg.error.text()
    qtbot.keyClick(dlg, Qt.Key.Key_Escape, NO)
    qtbot.waitUntil(lambda: win.span_info.dialog is None)
    assert win.state.store.get_span(span.id).kb_id == ""


def test_k_without_a_selected_span_says_what_to_do(qtbot, win) -> None:
    win.view.clear_selection()
    qtbot.keyClick(win.view, Qt.Key.Key_K, NO)
    assert win.span_info.dialog is None
    assert "Select one of your spans" in win.statusBar().currentMessage()
