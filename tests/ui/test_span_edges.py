"""Resizing spans by keys and by dragging their edges, and the overlap rule while doing it."""

from __future__ import annotations

import pytest
from conftest import open_window
from PySide6.QtCore import QPoint, Qt

from corpus.store import Store
from window_driver import PERSON, key, label_text, my_spans, snapshot

ALT_SHIFT = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def win(qtbot, project):
    return open_window(qtbot, project, size=(1200, 800), exposed=True)


def test_resize_selected_span_by_a_token_with_keys_and_undo(win, qtbot):
    win.view.setFocus()
    text = win.view.text
    a = label_text(win, qtbot, "Secretary", Qt.Key.Key_3)
    s = text.index("Secretary")
    assert win.view.selected_key() == ("span", a.id)
    # Alt+Shift+Right: the end takes the next token ("of")
    key(qtbot, win, Qt.Key.Key_Right, ALT_SHIFT)
    assert [(sp.start, sp.end) for sp in my_spans(win)] == [(s, s + len("Secretary of"))]
    key(qtbot, win, Qt.Key.Key_Right, ALT_SHIFT)
    assert [(sp.start, sp.end) for sp in my_spans(win)] == [(s, s + len("Secretary of State"))]
    # "{": the start takes the previous token ("US")
    key(qtbot, win, Qt.Key.Key_BraceLeft, Qt.KeyboardModifier.ShiftModifier)
    u = text.index("US Secretary")
    assert [(sp.start, sp.end, sp.id) for sp in my_spans(win)] == [(u, s + len("Secretary of State"), a.id)]
    # still selected, shown where it is now, one box over the new text
    assert win.view.selected_key() == ("span", a.id)
    rects = win.view.span_rects(("span", a.id))
    for pos in (u, s, s + 15):
        assert any(r.contains(win.view.char_rect(pos).center()) for r in rects)
    # shrinking: "[" drops the last token, "}" the first
    key(qtbot, win, Qt.Key.Key_BracketLeft)
    key(qtbot, win, Qt.Key.Key_BraceRight, Qt.KeyboardModifier.ShiftModifier)
    assert [(sp.start, sp.end) for sp in my_spans(win)] == [(s, s + len("Secretary of"))]
    # a one-token span does not vanish
    key(qtbot, win, Qt.Key.Key_Left, ALT_SHIFT)
    key(qtbot, win, Qt.Key.Key_Left, ALT_SHIFT)
    assert [(sp.start, sp.end) for sp in my_spans(win)] == [(s, s + len("Secretary"))]
    # every resize is one undo step (six made it; the refused one is not on the stack)
    assert win.state.undo_stack.count() == 7
    for _ in range(6):
        key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [(sp.start, sp.end, sp.label) for sp in my_spans(win)] == [(s, s + len("Secretary"), "GPE")]
    # listed in the shortcuts dialog
    table = win.shortcut_table()
    assert any("Resize span: end one token right" in what and k == "], Alt+Shift+Right" for _g, k, what in table)


def _edge_point(view, key_, edge):
    r = view.span_rects(key_)[0 if edge == "start" else -1]
    x = r.left() + 1 if edge == "start" else r.right() - 1
    return QPoint(int(round(x)), int(r.center().y()))


def test_drag_a_span_edge_with_the_mouse_snaps_to_tokens(win, qtbot):
    text = win.view.text
    a = label_text(win, qtbot, "Antony", Qt.Key.Key_1)
    s = text.index("Antony Blinken")
    vp = win.view.viewport()
    k = ("span", a.id)
    p1 = _edge_point(win.view, k, "end")
    assert win.view.edge_at(p1) == (win.view.item(k), "end")
    # drop it in the middle of "Blinken": the end snaps to the end of that word
    target = win.view.char_rect(s + len("Antony Bli")).center()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p1)
    qtbot.mouseMove(vp, QPoint((p1.x() + target.x()) // 2, p1.y()))
    qtbot.mouseMove(vp, target)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
    assert [(sp.start, sp.end, sp.id) for sp in my_spans(win)] == [(s, s + len("Antony Blinken"), a.id)]
    # the start edge, dragged left over "(BAGHDAD)"
    b = text.index("(BAGHDAD)")
    p2 = _edge_point(win.view, k, "start")
    target = win.view.char_rect(b + 2).center()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p2)
    qtbot.mouseMove(vp, target)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
    start = my_spans(win)[0].start
    assert b <= start < b + 2 and my_spans(win)[0].end == s + len("Antony Blinken")
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [(sp.start, sp.end) for sp in my_spans(win)] == [(s, s + len("Antony"))]


def test_resizing_over_another_span_is_refused(win, qtbot):
    text = win.view.text
    a = label_text(win, qtbot, "Antony Blinken", Qt.Key.Key_1)
    label_text(win, qtbot, "US Secretary", Qt.Key.Key_2)
    win.view.select_span_id(a.id)
    before = snapshot(win.state.path)
    # up to "the" is fine, one more token would take "US"
    key(qtbot, win, Qt.Key.Key_Right, ALT_SHIFT)
    key(qtbot, win, Qt.Key.Key_Right, ALT_SHIFT)
    assert my_spans(win)[0].end == text.index(" US") and win.state.undo_stack.count() == 4
    key(qtbot, win, Qt.Key.Key_Right, ALT_SHIFT)
    assert my_spans(win)[0].end == text.index(" US")
    assert "overlaps" in win.statusBar().currentMessage() and win.state.undo_stack.count() == 4
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(win.state.path) == before


def test_overlap_is_checked_against_the_project_file(win, qtbot):
    """A span the window has not drawn yet (added by another program) still refuses an overlap."""
    text = win.view.text
    s = text.index("Blinken")
    with Store(win.state.path) as other:
        from corpus.model import Span

        other.add_span(Span(doc_id=win.doc_id, layer=PERSON, start=s, end=s + 7, label="PERSON"))
    assert not any(not it.suggestion for it in win.view.items)  # not on screen
    win.view.set_text_selection(text.index("Antony"), s + 7)
    key(qtbot, win, Qt.Key.Key_1)
    assert "overlaps" in win.statusBar().currentMessage()
    assert len(my_spans(win)) == 1 and win.state.undo_stack.count() == 0


def test_overlaps_allowed_by_the_project_setting(qtbot, tmp_path):
    from conftest import make_project

    path = make_project(tmp_path / "o.db", overlap=True)
    w = open_window(qtbot, path)
    text = w.view.text
    a = text.index("Antony Blinken")
    w.view.set_text_selection(a, a + 14)
    key(qtbot, w, Qt.Key.Key_1)
    w.view.set_text_selection(a + 7, a + 14)
    key(qtbot, w, Qt.Key.Key_2)
    assert sorted((sp.start, sp.end) for sp in my_spans(w)) == [(a, a + 14), (a + 7, a + 14)]


# -- review -> main view ----------------------------------------------------------------------
