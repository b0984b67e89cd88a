"""Keys that save travel: Ctrl+D with undecided suggestions, find, hints, page keys, label
chords, relations by hint, selection kept over background work, zoom."""

from __future__ import annotations

import pytest
from conftest import add_suggestions, open_window
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from corpus.model import DocumentStatus, Span
from corpus.store import Store

PERSON = "tester"
NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def win(qtbot, project):
    return open_window(qtbot, project, size=(1200, 800), exposed=True)


def key(qtbot, w, k, mod=NO):
    qtbot.keyClick(w.view, k, mod)


def type_letters(qtbot, w, letters: str) -> None:
    for ch in letters:
        qtbot.keyClick(w.view, getattr(Qt.Key, f"Key_{ch.upper()}"), NO)


def seed_doc(w) -> int:
    return w.doc_list.model.ids()[0]


def with_suggestions(w, project, items):
    d = seed_doc(w)
    add_suggestions(project, d, items)
    w.state.open_document(d)
    w.reload_annotations()
    return d


def click_later(qtbot, name: str) -> None:
    """Press the button ``name`` of the message box that is about to open."""
    def press():
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, press)
            return
        from PySide6.QtWidgets import QAbstractButton
        btn = next(b for b in box.findChildren(QAbstractButton) if b.objectName() == name or b.text() == name)
        btn.click()
    QTimer.singleShot(0, press)


# -- Ctrl+D ------------------------------------------------------------------------------------
def test_done_with_undecided_suggestions_asks_and_accept_the_rest_keeps_them(win, qtbot, project):
    d = with_suggestions(win, project, [("Antony Blinken", "PERSON"), ("Baghdad", "GPE")])
    click_later(qtbot, "Cancel")
    key(qtbot, win, Qt.Key.Key_D, CTRL)
    assert win.state.store.status(d, PERSON) is not DocumentStatus.DONE  # cancelled: nothing changed
    assert win.doc_id == d
    click_later(qtbot, "acceptRest")
    key(qtbot, win, Qt.Key.Key_D, CTRL)
    assert win.state.store.status(d, PERSON) is DocumentStatus.DONE
    text = win.state.store.get_document(d).text
    assert sorted((text[s.start:s.end], s.label) for s in win.state.store.spans(d, PERSON)) == [
        ("Antony Blinken", "PERSON"), ("Baghdad", "GPE")]
    win.undo()  # one step: status and the accepted spans
    assert win.state.store.spans(d, PERSON) == [] and win.state.store.status(d, PERSON) is not DocumentStatus.DONE


def test_done_with_reject_setting_records_rejections(win, qtbot, project):
    QSettings().setValue("done_with_undecided", "reject")
    d = with_suggestions(win, project, [("Antony Blinken", "PERSON"), ("Baghdad", "GPE")])
    key(qtbot, win, Qt.Key.Key_D, CTRL)  # no question: the setting says reject
    assert win.state.store.status(d, PERSON) is DocumentStatus.DONE
    assert win.state.store.spans(d, PERSON) == []
    assert len(win.state.store.rejections(PERSON, d)) == 2
    from annotator.suggest import pending_suggestions
    assert pending_suggestions(win.state.store, d, PERSON) == []


# -- find, hints, movement ---------------------------------------------------------------------
def test_find_bar_enter_selects_next_match_escape_closes(win, qtbot):
    text = win.view.text
    key(qtbot, win, Qt.Key.Key_F, CTRL)
    assert win.find_bar.isVisible() and win.find_bar.edit.hasFocus()
    qtbot.keyClicks(win.find_bar.edit, "blinken")
    qtbot.keyClick(win.find_bar.edit, Qt.Key.Key_Return)
    first = text.lower().index("blinken")
    assert win.view.text_selection() == (first, first + 7)
    qtbot.keyClick(win.find_bar.edit, Qt.Key.Key_Return)
    second = text.lower().index("blinken", first + 1)
    assert win.view.text_selection() == (second, second + 7)
    qtbot.keyClick(win.find_bar.edit, Qt.Key.Key_Escape)
    assert not win.find_bar.isVisible() and win.view.hasFocus()
    key(qtbot, win, Qt.Key.Key_1)  # the match is labelled by a number key
    assert [(s.start, s.end) for s in win.state.store.spans(win.doc_id, PERSON)] == [(second, second + 7)]


def test_hint_jump_selects_a_word_and_letters_do_not_reach_shortcuts(win, qtbot, project):
    with_suggestions(win, project, [("Antony Blinken", "PERSON")])
    key(qtbot, win, Qt.Key.Key_J)
    hints = win.view.hints()
    assert hints
    text = win.view.text
    hint, target = next((h, t) for h, t in hints.items() if text[t[0]:t[1]] == "Baghdad")
    type_letters(qtbot, win, hint)
    assert win.view.text_selection() == target and not win.view.hints()
    assert win.state.store.spans(win.doc_id, PERSON) == []  # no "a" reached Accept
    # Shift+J: hints on spans
    key(qtbot, win, Qt.Key.Key_J, SHIFT)
    h, k = next(iter(win.view.hints().items()))
    type_letters(qtbot, win, h)
    assert win.view.selected_key() == k


def test_home_end_page_keys_move_inside_the_text_and_documents_move_on_ctrl_pgdown(win, qtbot):
    win.resize(900, 400)
    text, d = win.view.text, win.doc_id
    key(qtbot, win, Qt.Key.Key_End, CTRL)
    s, e = win.view.text_selection()
    assert text[e:].strip() == "" or not any(c.isalnum() for c in text[e:])
    key(qtbot, win, Qt.Key.Key_Home, CTRL)
    assert win.view.text_selection()[0] == 0
    key(qtbot, win, Qt.Key.Key_End)
    lay = win.view.doc_layout()
    line = lay.lines[0]
    s, e = win.view.text_selection()
    assert line.start <= s < line.end and not text[e:line.end].strip(" .,")
    key(qtbot, win, Qt.Key.Key_Home)
    assert win.view.text_selection()[0] == 0
    key(qtbot, win, Qt.Key.Key_PageDown)
    below = win.view.text_selection()[0]
    assert lay.line_of(below) >= 3 and win.doc_id == d  # a screenful down, same document
    key(qtbot, win, Qt.Key.Key_PageUp)
    assert win.view.text_selection()[0] < below
    key(qtbot, win, Qt.Key.Key_PageDown, CTRL)
    assert win.doc_id != d


def test_next_undecided_suggestion_and_next_of_same_label(win, qtbot, project):
    with_suggestions(win, project, [("Antony Blinken", "PERSON"), ("Baghdad", "GPE"), ("Iraq", "GPE")])
    key(qtbot, win, Qt.Key.Key_N)
    assert win.view.selected_item().label == "PERSON"  # the first suggestion
    key(qtbot, win, Qt.Key.Key_N)
    first = win.view.selected_item()
    assert first.suggestion and first.label == "GPE"
    key(qtbot, win, Qt.Key.Key_Period)
    nxt = win.view.selected_item()
    assert nxt.label == "GPE" and nxt.start > first.start


# -- labels and relations ----------------------------------------------------------------------
def test_shift_digit_gives_the_eleventh_label(win, qtbot):
    labels = [lab.name for lab in win.state.labels("entity")]
    assert len(labels) > 10
    s = win.view.text.index("Baghdad")
    win.view.set_text_selection(s, s + 7)
    key(qtbot, win, Qt.Key.Key_1, SHIFT)
    assert [sp.label for sp in win.state.store.spans(win.doc_id, PERSON)] == [win.palette_widget.keys["Shift+1"]]
    assert win.palette_widget.keys["Shift+1"] not in [win.palette_widget.keys.get(k) for k in "1234567890"]


def test_relabel_moves_on_to_the_next_suggestion(win, qtbot, project):
    with_suggestions(win, project, [("Antony Blinken", "PERSON"), ("Iraq", "GPE")])
    first = next(it for it in win.view.items if it.label == "PERSON")
    win.view.select_item(first.key)
    key(qtbot, win, Qt.Key.Key_2)  # another label: accepted corrected
    sel = win.view.selected_item()
    assert sel is not None and sel.suggestion and sel.label == "GPE"


def test_relation_by_hint_with_preview_arc(win, qtbot):
    text = win.view.text
    ids = []
    for surface, k in (("Antony Blinken", Qt.Key.Key_1), ("Baghdad", Qt.Key.Key_3)):
        s = text.index(surface)
        win.view.set_text_selection(s, s + len(surface))
        key(qtbot, win, k)
        ids.append(next(sp.id for sp in win.state.store.spans(win.doc_id, PERSON) if sp.start == s))
    win.view.select_span_id(ids[0])
    key(qtbot, win, Qt.Key.Key_R)
    hint = next(h for h, t in win.view.hints().items() if t == ("span", ids[1]))
    type_letters(qtbot, win, hint)
    prev = win.view.preview_relation()
    assert prev is not None and (prev.head, prev.child) == (ids[0], ids[1])
    key(qtbot, win, Qt.Key.Key_1)
    rels = win.state.store.relations(win.doc_id, PERSON)
    assert [(r.head, r.child) for r in rels] == [(ids[0], ids[1])]
    assert win.view.preview_relation() is None


# -- background work, zoom ---------------------------------------------------------------------
def test_selection_survives_propagation(qtbot, project):
    """Select a suggestion; a propagation job lands (a "match" suggestion over the same words);
    the same words are still selected and A accepts them."""
    w = open_window(qtbot, project, size=(1200, 800), exposed=True)
    w.jobs.auto_propagate = True
    d = with_suggestions(w, project, [("Baghdad", "GPE")])
    text = w.view.text
    s = text.index("Baghdad", text.index("Baghdad") + 1)  # the second "Baghdad"
    with Store(project) as st:
        st.add_spans([Span(doc_id=d, layer="model:test@2", start=s, end=s + 7, label="GPE", source="model:test@2")])
    w.reload_annotations()
    first = next(it for it in w.view.items if it.suggestion and it.start < s)
    w.view.select_item(first.key)
    key(qtbot, w, Qt.Key.Key_A)  # accept: matching "Baghdad" elsewhere runs soon
    sel = w.view.selected_item()
    assert sel is not None and sel.suggestion
    before = (sel.start, sel.end, sel.label)
    w.jobs.propagate_now()
    qtbot.waitUntil(lambda: w.jobs.propagate_job is None, timeout=10_000)
    qtbot.wait(50)
    sel = w.view.selected_item()
    assert sel is not None and (sel.start, sel.end, sel.label) == before
    key(qtbot, w, Qt.Key.Key_A)
    assert (before[0], before[1]) in {(sp.start, sp.end) for sp in w.state.store.spans(d, PERSON)}


def test_zoom_keys_are_remembered_and_colours_reach_the_view(qtbot, project):
    w = open_window(qtbot, project, exposed=True)
    key(qtbot, w, Qt.Key.Key_Plus, CTRL)
    z = w.view.zoom()
    assert z > 1.0
    w.close()
    w2 = open_window(qtbot, project, exposed=True)
    assert w2.view.zoom() == pytest.approx(z)
    key(qtbot, w2, Qt.Key.Key_0, CTRL)
    assert w2.view.zoom() == 1.0
    w2.close()


def test_label_colours_reach_the_view(qtbot, project):
    """Two labels of one colour: the view draws the second with a pattern (it was told the colours)."""
    import dataclasses

    with Store(project) as st:
        labels = st.labels("entity")
        st.set_labels([dataclasses.replace(labels[1], color=labels[0].color), *[
            lab for i, lab in enumerate(labels) if i != 1]] + list(st.labels("relation")))
        labels = st.labels("entity")
    w = open_window(qtbot, project, exposed=True)
    colours = {lab.name: lab.color for lab in labels}
    twins = [n for n, c in colours.items() if list(colours.values()).count(c) > 1]
    assert len(twins) >= 2
    assert any(w.view.label_pattern(n) for n in twins)
