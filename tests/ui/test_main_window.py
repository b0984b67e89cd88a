"""The real window, driven like a person: mouse drags, number keys, Tab, Enter, undo, reopen."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import add_suggestions, open_window
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QMessageBox

from corpus.errors import ProjectLockedError
from corpus.model import DocumentStatus, Relation
from corpus.store import Store
from ui.main_window import MainWindow
from window_driver import PERSON, drag, key, label_text, my_spans, open_doc, snapshot

@pytest.fixture
def win(qtbot, project):
    return open_window(qtbot, project, size=(1200, 800), exposed=True)


def test_opens_first_document_and_shows_plain_text(win):
    assert win.doc_id is not None
    assert "Blinken" in win.view.text
    assert win.sb_annotator.text() == f"Annotator: {PERSON}"
    assert win.doc_list.model.rowCount() == 3


def test_markup_is_shown_as_characters(win, qtbot):
    open_doc(win, "markup.txt")
    text = win.view.text
    assert "<b>bold</b>" in text and "<img src=x>" in text
    i = text.index("<b>bold</b>")
    j = i + len("<b>bold</b>")
    # laid out as the literal characters: the width is the width of the characters themselves
    fm = QFontMetricsF(win.view._font)
    width = win.view.char_rect(j).left() - win.view.char_rect(i).left()
    assert abs(width - fm.horizontalAdvance("<b>bold</b>")) < 3
    # and it can be labelled like any text
    drag(qtbot, win.view, text.index("<img"), text.index("<img") + len("<img src=x>"), Qt.KeyboardModifier.AltModifier)
    key(qtbot, win, Qt.Key.Key_8)
    assert [(s.start, s.end, s.label) for s in my_spans(win)] == [(text.index("<img"), text.index("<img") + 11, "FAC")]
    # on screen: the box covers the literal characters
    sp = my_spans(win)[0]
    rect = win.view.span_rects(("span", sp.id))[0]
    assert rect.width() >= fm.horizontalAdvance("<img src=x>") - 2


def test_mouse_drag_snaps_to_tokens_and_number_key_labels(win, qtbot):
    text = win.view.text
    s = text.index("Middle East")
    # drag from the middle of "Middle" to the middle of "East"
    drag(qtbot, win.view, s + 2, s + len("Middle Ea"))
    assert win.view.text_selection() == (s, s + len("Middle East"))
    key(qtbot, win, Qt.Key.Key_4)  # LOC
    spans = my_spans(win)
    assert [(sp.start, sp.end, sp.label, sp.layer) for sp in spans] == [(s, s + 11, "LOC", PERSON)]
    # what a person sees: a box over those characters, with the new span selected
    key_ = ("span", spans[0].id)
    rects = win.view.span_rects(key_)
    assert len(rects) == 1
    assert rects[0].contains(win.view.char_rect(s).center()) and rects[0].contains(win.view.char_rect(s + 10).center())
    assert win.view.selected_key() == key_
    assert win.state.store.status(win.doc_id, PERSON) is DocumentStatus.IN_PROGRESS
    assert win.sb_saved.text().startswith("Saved")
    # relabel with another key
    key(qtbot, win, Qt.Key.Key_3)
    assert [sp.label for sp in my_spans(win)] == ["GPE"]
    assert win.tables.spans.rowCount() == 1
    assert win.doc_list.model.data(win.doc_list.model.index(0, 1)) == 1


def test_alt_drag_gives_character_precision(win, qtbot):
    text = win.view.text
    s = text.index("Blinken")
    drag(qtbot, win.view, s + 1, s + 4, Qt.KeyboardModifier.AltModifier)
    assert win.view.text_selection() == (s + 1, s + 4)


def test_overlap_refused_in_status_bar_and_not_on_undo_stack(win, qtbot):
    text = win.view.text
    s = text.index("Antony Blinken")
    win.view.set_text_selection(s, s + 14)
    key(qtbot, win, Qt.Key.Key_1)
    win.view.set_text_selection(s + 7, s + 14)
    key(qtbot, win, Qt.Key.Key_2)
    assert len(my_spans(win)) == 1
    assert "overlaps" in win.statusBar().currentMessage()
    assert win.state.undo_stack.count() == 1


def test_keyboard_only_labelling(win, qtbot):
    text = win.view.text
    win.view.setFocus()
    key(qtbot, win, Qt.Key.Key_Right)  # first token: "6"
    first = win.view.text_selection()
    assert first is not None and first[0] == 0
    # move to "(BAGHDAD)" area: extend over three tokens then label
    key(qtbot, win, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    key(qtbot, win, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    sel = win.view.text_selection()
    assert sel[0] == 0 and sel[1] > first[1]
    key(qtbot, win, Qt.Key.Key_5)
    assert [(s.start, s.end, s.label) for s in my_spans(win)] == [(sel[0], sel[1], "DATE")]
    assert text[sel[0]:sel[1]].startswith("6")


def test_accept_and_reject_suggestions_with_keys(qtbot, project):
    add_suggestions(project, 1, [("Antony Blinken", "PERSON"), ("Iraq", "GPE"), ("Hamas", "ORG"), ("Baghdad", "GPE")])
    w = open_window(qtbot, project)
    assert w.doc_id == 1
    sugg = [it for it in w.view.items if it.suggestion]
    assert len(sugg) == 4
    # suggestions look different: dashed, faded, in the tables as "suggested"
    assert all(w.view.span_rects(it.key) for it in sugg)
    assert "Suggestion from model:test@1" in w.view.tooltip_for(sugg[0])
    w.view.setFocus()
    key(qtbot, w, Qt.Key.Key_Tab)
    assert w.view.selected_item().label == "PERSON"
    key(qtbot, w, Qt.Key.Key_Return)  # accept
    mine = my_spans(w)
    assert [(m.label, m.source) for m in mine] == [("PERSON", "accepted:model:test@1")]
    # after accepting, the next suggestion is selected: reject it with X
    assert w.view.selected_item().suggestion and w.view.selected_item().label == "GPE"
    key(qtbot, w, Qt.Key.Key_X)
    assert w.state.store.rejections(PERSON, 1) == {(1, 91, 95, "GPE")}
    assert [it.label for it in w.view.items if it.suggestion] == ["ORG", "GPE"]
    # relabel a suggestion with a number key: ORG -> NORP (6)
    assert w.view.selected_item().label == "ORG"
    key(qtbot, w, Qt.Key.Key_6)
    assert sorted(m.label for m in my_spans(w)) == ["NORP", "PERSON"]
    # accept all (Shift+A), then undo it in one step
    before = snapshot(project)
    key(qtbot, w, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert sorted(m.label for m in my_spans(w)) == ["GPE", "NORP", "PERSON"]
    assert not [it for it in w.view.items if it.suggestion]
    key(qtbot, w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(project) == before
    # hide suggestions
    w.act_show_sugg.setChecked(False)
    assert not [it for it in w.view.items if it.suggestion]
    w.act_show_sugg.setChecked(True)
    # reject all
    key(qtbot, w, Qt.Key.Key_X, Qt.KeyboardModifier.ShiftModifier)
    assert not [it for it in w.view.items if it.suggestion]
    assert len(w.state.store.rejections(PERSON, 1)) == 3  # GPE Iraq, relabelled ORG, Baghdad


def test_relation_mode_with_keyboard_and_undo_redo_exact(win, qtbot, project):
    win.view.setFocus()
    a = label_text(win, qtbot, "Antony Blinken", Qt.Key.Key_1)
    b = label_text(win, qtbot, "US Secretary", Qt.Key.Key_2)
    c = label_text(win, qtbot, "Iraq", Qt.Key.Key_3)
    # R from the selected span, Tab to the child, Enter, then the relation label's key
    win.view.select_span_id(a.id)
    key(qtbot, win, Qt.Key.Key_R)
    assert win.mode_banner.isVisible() and "Relation \u201cAntony Blinken\u201d" in win.mode_banner.text()
    assert win.palette_widget.kind.value == "relation"
    while win.view.selected_item().id != c.id:
        key(qtbot, win, Qt.Key.Key_Tab)
    key(qtbot, win, Qt.Key.Key_Return)
    assert "\u201cIraq\u201d" in win.mode_banner.text()
    key(qtbot, win, Qt.Key.Key_1)
    rels = win.state.store.relations(win.doc_id, PERSON)
    rel_label = win.state.labels("relation")[0].name
    assert [(r.head, r.child, r.label) for r in rels] == [(a.id, c.id, rel_label)]
    assert not win.mode_banner.isVisible()
    # drawn: a labelled arc
    assert win.view.relation_label_rects(rels[0].id)
    assert win.tables.relations.rowCount() == 1
    # a relation by mouse: select b, R, click a
    win.view.select_span_id(b.id)
    key(qtbot, win, Qt.Key.Key_R)
    r = win.view.span_rects(("span", a.id))[0]
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=r.center().toPoint())
    key(qtbot, win, Qt.Key.Key_2)
    assert len(win.state.store.relations(win.doc_id, PERSON)) == 2
    full = snapshot(project)
    # delete the head span: its relations go too; undo restores all with the same ids
    win.view.select_span_id(a.id)
    key(qtbot, win, Qt.Key.Key_Delete)
    assert win.state.store.get_span(a.id) is None
    assert win.state.store.relations(win.doc_id, PERSON) == []
    after_delete = snapshot(project)
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(project) == full
    assert len(win.view.relations) == 2
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert snapshot(project) == after_delete
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(project) == full
    # undo everything back to the untouched project, then redo everything
    start_n = win.state.undo_stack.index()
    for _ in range(start_n):
        win.act_undo.trigger()
    spans, rels, statuses, _ = snapshot(project)
    assert not [s for s in spans if s[2] == PERSON] and not rels
    assert all(st != "in_progress" for *_x, st in statuses)
    for _ in range(start_n):
        win.act_redo.trigger()
    assert snapshot(project) == full


def test_escape_leaves_relation_mode(win, qtbot):
    a = label_text(win, qtbot, "Antony Blinken", Qt.Key.Key_1)
    win.view.select_span_id(a.id)
    key(qtbot, win, Qt.Key.Key_R)
    assert win.controller.relation_mode
    key(qtbot, win, Qt.Key.Key_Escape)
    assert not win.controller.relation_mode and win.palette_widget.kind.value == "entity"


def test_mark_done_next_and_reopen_everything_is_there(qtbot, project):
    w = open_window(qtbot, project)
    first = w.doc_id
    a = label_text(w, qtbot, "Antony Blinken", Qt.Key.Key_1)
    b = label_text(w, qtbot, "Baghdad", Qt.Key.Key_3)
    w.state.apply(__import__("annotator.edits", fromlist=["AddRelation"]).AddRelation(
        Relation(doc_id=first, layer=PERSON, head=a.id, child=b.id, label=w.state.labels("relation")[0].name)))
    key(qtbot, w, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert w.state.store.status(first, PERSON) is DocumentStatus.DONE
    assert w.doc_id != first
    assert w.sb_progress.text() == "Done 1 / 3"
    # the list shows the done icon state
    idx = w.doc_list.model.index(w.doc_list.model.row_of(first), 0)
    assert w.doc_list.model.data(idx, Qt.ItemDataRole.UserRole + 1) == "done"
    # next/previous document keys (Page Down / Up move inside the text)
    cur = w.doc_id
    key(qtbot, w, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert w.doc_id != cur
    key(qtbot, w, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert w.doc_id == cur
    before = snapshot(project)
    w.close()
    # reopen in a new window: everything is on disk
    w2 = MainWindow()
    qtbot.addWidget(w2)
    w2.show()
    assert w2.open_project(str(project))
    assert snapshot(project) == before
    w2.state.open_document(first)
    shown = [(it.start, it.end, it.label) for it in w2.view.items if not it.suggestion]
    assert shown == [(a.start, a.end, "PERSON"), (b.start, b.end, "GPE")]
    assert len(w2.view.relations) == 1
    assert "done" in w2.doc_info.text()


def test_search_and_status_filter(win, qtbot):
    panel = win.doc_list
    panel.search.setText("Merkel")
    panel.apply_filter()
    names = [win.state.store.get_document(d).name for d in panel.model.ids()]
    assert names == ["short.txt"]
    panel.search.clear()
    panel.apply_filter()
    win.act_done.trigger()
    panel.filter.setCurrentIndex(panel.filter.findData("done"))
    assert panel.model.rowCount() == 1
    panel.filter.setCurrentIndex(panel.filter.findData("todo"))
    assert panel.model.rowCount() == 2
    assert "2 of 3" in panel.count_label.text()


def test_clicking_list_and_table_rows(win, qtbot):
    panel = win.doc_list
    idx = panel.model.index(2, 0)
    rect = panel.table.visualRect(idx)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.state.store.get_document(win.doc_id).name == "short.txt"
    sp = label_text(win, qtbot, "Angela Merkel", Qt.Key.Key_1)
    win.view.clear_selection()
    r = win.tables.span_view.visualRect(win.tables.spans.index(0, 0))
    qtbot.mouseClick(win.tables.span_view.viewport(), Qt.MouseButton.LeftButton, pos=r.center())
    assert win.view.selected_key() == ("span", sp.id)


def test_shortcuts_dialog_lists_every_key(win):
    rows = win.shortcut_table()
    keys = {k for _g, k, _w in rows}
    for must in ("Ctrl+Z", "Ctrl+D", "Tab", "A", "X", "R", "Shift+A", "Shift+X", "1", "Del, Backspace", "Esc"):
        assert any(must == k or k.startswith(must + ",") or must in k.split(", ") for k in keys), must
    from ui.shortcuts_dialog import ShortcutsDialog

    dlg = ShortcutsDialog(rows, win)
    assert dlg.table.rowCount() == len(rows)
    assert any("PERSON" in w for _g, _k, w in rows)


def _capture_boxes(monkeypatch):
    shown = []

    def fake_exec(box):
        shown.append((box.windowTitle(), box.text()))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


def test_bad_project_files_give_a_dialog(qtbot, tmp_path, monkeypatch):
    shown = _capture_boxes(monkeypatch)
    w = MainWindow()
    qtbot.addWidget(w)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    assert not w.open_project(str(junk))
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    assert not w.open_project(str(other))
    newer = tmp_path / "newer.db"
    Store(newer).close()
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    assert not w.open_project(str(newer))
    monkeypatch.setattr("ui.main_window.open_state",
                        lambda *a, **k: (_ for _ in ()).throw(ProjectLockedError("p.db: the project file is locked")))
    assert not w.open_project(str(newer))
    titles = [t for t, _ in shown]
    assert titles == ["Not a project file", "Not a project file", "Project made by a newer version", "Project file is locked"]
    assert "newer version" in shown[2][1] and "newer.db" in shown[2][1]
    assert w.state is None


def test_first_start_asks_who_is_annotating(qtbot, project, monkeypatch):
    QSettings().remove("annotator")
    monkeypatch.setattr("ui.project.QInputDialog.getText", lambda *a, **k: ("maria", True))
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_project(str(project))
    assert w.state.annotator == "maria"
    assert QSettings().value("annotator") == "maria"
    assert "maria" in w.sb_annotator.text()
    monkeypatch.setattr("ui.project.QInputDialog.getText", lambda *a, **k: ("omar", True))
    w.act_annotator.trigger()
    assert w.state.annotator == "omar" and "omar" in w.sb_annotator.text()
    assert "omar" in w.state.store.annotators()


def test_markup_in_names_and_banner_is_plain_text(qtbot, tmp_path):
    from annotator.tokenize import tokenize
    from corpus.model import Document
    from corpus.resources import default_labels

    path = tmp_path / "m.db"
    text = "Hello <b>World</b> from <i>Oslo</i>."
    with Store(path) as st:
        st.set_labels(default_labels())
        toks, sents = tokenize(text)
        st.add_document(Document(text=text, name="<b>bold name</b>", tokens=toks, sents=sents))
    QSettings().setValue("auto_suggest", False)
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_project(str(path))
    assert w.doc_title.text() == "<b>bold name</b>"
    assert w.doc_title.textFormat() == Qt.TextFormat.PlainText
    s = text.index("<b>World</b>")
    w.view.set_text_selection(s, s + len("<b>World</b>"), snap=False)
    key(qtbot, w, Qt.Key.Key_1)
    sp = my_spans(w)[0]
    w.view.select_span_id(sp.id)
    key(qtbot, w, Qt.Key.Key_R)
    assert "<b>World</b>" in w.mode_banner.text() and w.mode_banner.textFormat() == Qt.TextFormat.PlainText
    assert "&lt;b&gt;World" in w.view.tooltip_for(w.view.selected_item())


def test_document_list_is_lazy(qtbot, tmp_path):
    from corpus.model import Document
    from corpus.resources import default_labels

    path = tmp_path / "many.db"
    with Store(path) as st:
        st.set_labels(default_labels())
        st.add_documents(Document(text=f"Document number {i} about storms.", name=f"doc-{i:05d}",
                                  tokens=((0, 8), (9, 15), (16, 16 + len(str(i))))) for i in range(5000))
    QSettings().setValue("auto_suggest", False)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(path))
    model = w.doc_list.model
    assert model.rowCount() == 5000
    # only the rows on screen were read (a page or two), not 5,000
    assert 1 <= model.fetches <= 3 and model.cached_rows() <= 400
    w.doc_list.table.scrollToBottom()
    qtbot.wait(1)
    assert model.data(model.index(4999, 0)) == "doc-04999"
    assert model.cached_rows() <= 800


def test_accepting_propagates_to_other_occurrences(qtbot, project):
    s = QSettings()
    s.setValue("auto_suggest", False)
    s.setValue("auto_propagate", True)
    add_suggestions(project, 1, [("Antony Blinken", "PERSON")])
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(str(project))
    text = w.view.text
    i = text.index("Blinken", text.index("Antony Blinken") + 14)  # a later, unlabelled "Blinken"
    w.view.set_text_selection(i, i + 7)
    key(qtbot, w, Qt.Key.Key_1)
    # propagation runs in the background after a short pause: other "Blinken"s are proposed
    qtbot.waitUntil(lambda: any(it.suggestion and it.layer == f"match:{PERSON}" for it in w.view.items), timeout=20_000)
    match = [it for it in w.view.items if it.suggestion and it.layer == f"match:{PERSON}"]
    assert all(text[it.start:it.end] == "Blinken" and it.label == "PERSON" for it in match)
    qtbot.waitUntil(lambda: w.jobs.propagate_job is None, timeout=20_000)
    w.close()


def test_undo_after_moving_on_shows_the_document_again(win, qtbot):
    first = win.doc_id
    a = label_text(win, qtbot, "Antony Blinken", Qt.Key.Key_1)
    key(qtbot, win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # done, next document
    assert win.doc_id != first
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo "done"
    assert win.doc_id == first
    assert win.state.store.status(first, PERSON) is DocumentStatus.IN_PROGRESS
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the label
    assert win.state.store.get_span(a.id) is None
    assert not [it for it in win.view.items if not it.suggestion]
    assert "Undone" in win.statusBar().currentMessage()


def test_click_on_a_word_selects_it_and_a_key_labels_it(win, qtbot):
    text = win.view.text
    s = text.index("Washington")
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=win.view.char_rect(s + 3).center())
    assert win.view.text_selection() == (s, s + len("Washington"))
    key(qtbot, win, Qt.Key.Key_3)
    assert [(sp.start, sp.end, sp.label) for sp in my_spans(win)] == [(s, s + 10, "GPE")]
    # clicking the new span selects the span, not the word
    r = win.view.span_rects(("span", my_spans(win)[0].id))[0]
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=r.center().toPoint())
    assert win.view.selected_key() == ("span", my_spans(win)[0].id)


def test_pick_relabel_and_delete_a_relation(win, qtbot, project):
    a = label_text(win, qtbot, "Antony Blinken", Qt.Key.Key_1)
    b = label_text(win, qtbot, "Iraq", Qt.Key.Key_3)
    labels = [lab.name for lab in win.state.labels("relation")]
    win.state.apply(__import__("annotator.edits", fromlist=["AddRelation"]).AddRelation(
        Relation(doc_id=win.doc_id, layer=PERSON, head=a.id, child=b.id, label=labels[0])))
    rel = win.state.store.relations(win.doc_id, PERSON)[0]
    before = snapshot(project)
    # click the relation's label in the text
    r = win.view.relation_label_rects(rel.id)[0]
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=r.center().toPoint())
    assert win.view.selected_relation().id == rel.id
    assert win.palette_widget.kind.value == "relation"
    key(qtbot, win, Qt.Key.Key_2)  # relabel with the second relation label
    assert win.state.store.get_relation(rel.id).label == labels[1]
    key(qtbot, win, Qt.Key.Key_Delete)
    assert win.state.store.relations(win.doc_id, PERSON) == []
    assert win.state.store.get_span(a.id) is not None  # the spans stay
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert snapshot(project) == before
    # picking it in the relations table selects it in the view
    win.view.clear_selection()
    assert win.palette_widget.kind.value == "entity"
    win.tables.setCurrentIndex(1)
    idx = win.tables.relations.index(0, 1)
    qtbot.mouseClick(win.tables.rel_view.viewport(), Qt.MouseButton.LeftButton, pos=win.tables.rel_view.visualRect(idx).center())
    assert win.view.selected_relation().id == rel.id


# -- resizing a span: keys and mouse --------------------------------------------------------
@pytest.fixture
def review_win(qtbot, tmp_path):
    from test_dialogs_project import make_multi_project

    path = make_multi_project(tmp_path / "multi.db")
    w = open_window(qtbot, path, size=(1200, 800))
    return w


def _review_window(win):
    from ui.review_window import ReviewWindow

    return next(x for x in win.open_windows() if isinstance(x, ReviewWindow))


def test_e_in_review_opens_the_document_and_selects_that_text(review_win, qtbot):
    win = review_win
    win.go_document(1)  # the main view is elsewhere
    assert win.doc_id == 2
    win.state.open_document(1)
    win.open_review()
    review = _review_window(win)
    qtbot.addWidget(review)
    win.state.open_document(2)
    assert review.doc_id == 1
    it = review.groups[review.current_group_index()][0]
    start, end = it.position
    qtbot.keyClick(review, Qt.Key.Key_E)
    assert win.doc_id == 1
    # nobody's span of this person is there: the stretch of text is selected, ready for a number key
    assert win.view.text_selection() == (start, end)
    key(qtbot, win, Qt.Key.Key_4)
    assert [(sp.start, sp.end, sp.label) for sp in my_spans(win)] == [(start, end, "LOC")]
    # E again on the same item now selects the person's span there
    win.view.clear_selection()
    qtbot.keyClick(review, Qt.Key.Key_E)
    assert win.view.selected_key() == ("span", my_spans(win)[0].id)


def test_dashboard_review_window_e_reaches_the_main_view(review_win, qtbot):
    from test_dialogs_review import computed

    win = review_win
    win.state.open_document(3)
    win.act_agreement.trigger()
    from ui.agreement_dashboard import AgreementDashboard

    dash = next(x for x in win.open_windows() if isinstance(x, AgreementDashboard))
    computed(qtbot, dash)
    row = next(r for r in range(dash.dis_proxy.rowCount()) if dash.dis_proxy.index(r, 1).data() == "Berlin")
    dash.open_review(int(dash.disagreement_at(row)["doc_id"]), int(dash.disagreement_at(row).get("start", 0)))
    review = dash.review_window
    qtbot.addWidget(review)
    qtbot.waitUntil(lambda: bool(review.property("editWired")))
    start, end = review.current_item().position if review.current_item() else (34, 40)
    qtbot.keyClick(review, Qt.Key.Key_E)
    assert win.doc_id == review.doc_id == 1
    assert win.view.text_selection() == (start, end)
    assert win.view.text[start:end] == "Berlin"


def test_a_relation_with_both_ends_off_screen_is_labelled_in_the_gutter(win, qtbot, tmp_path):
    from annotator.edits import AddRelation

    win.resize(1000, 360)
    qtbot.wait(1)
    text = win.view.text
    a = label_text(win, qtbot, "Antony Blinken", Qt.Key.Key_1)
    last = text.rindex("Blinken")
    win.view.set_text_selection(last, last + 7)
    key(qtbot, win, Qt.Key.Key_1)
    b = next(sp for sp in my_spans(win) if sp.start == last)
    rel_label = win.state.labels("relation")[0].name
    win.apply(AddRelation(Relation(doc_id=win.doc_id, layer=PERSON, head=a.id, child=b.id, label=rel_label)))
    rel = win.state.store.relations(win.doc_id, PERSON)[0]
    view = win.view
    # both ends on their lines: labelled there, nothing in the gutter
    view.verticalScrollBar().setValue(0)
    assert view.gutter_label_rect(rel.id) is None
    # scrolled so that neither end is on screen: the gutter line carries the label
    top = view.span_rects(("span", a.id))[0].top() + view.verticalScrollBar().value()
    bottom = view.span_rects(("span", b.id))[0].top() + view.verticalScrollBar().value()
    assert bottom - top > 2 * view.viewport().height(), "the test needs a longer article"
    view.verticalScrollBar().setValue(int((top + bottom) / 2 - view.viewport().height() / 2))
    assert all(not view.viewport().rect().intersects(r.toRect()) for r in view.relation_label_rects(rel.id))
    g = view.gutter_label_rect(rel.id)
    assert g is not None and view.viewport().rect().contains(g.toRect())
    assert g.left() > view.char_rect(0).left() + 200  # in the gutter, right of the text
    win.grab().save(str(tmp_path / "gutter.png"))
    # it can be clicked like any relation label (which brings its head into view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=g.center().toPoint())
    assert view.selected_relation() is not None and view.selected_relation().id == rel.id


def test_labels_without_a_number_key_are_reachable_from_the_keyboard(win, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    offered = []

    def choose(parent, title, label, items, current=0, editable=True):
        offered.append(list(items))
        return "CARDINAL", True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(choose))
    win.view.setFocus()
    key(qtbot, win, Qt.Key.Key_Right)  # the first token, "6"
    sel = win.view.text_selection()
    key(qtbot, win, Qt.Key.Key_L)
    assert "CARDINAL" in offered[0] and "WORK_OF_ART" in offered[0]  # every entity label, keyed or not
    assert [(s.start, s.end, s.label) for s in my_spans(win)] == [(sel[0], sel[1], "CARDINAL")]


def test_enter_in_the_search_box_opens_the_match_and_returns_to_the_text(win, qtbot):
    win.show()
    qtbot.waitExposed(win)
    panel = win.doc_list
    panel.search.setFocus()
    qtbot.keyClicks(panel.search, "Merkel")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert win.state.store.get_document(win.state.current_doc_id).name == "short.txt"
    assert win.view.hasFocus()


def test_an_edit_while_another_program_writes_fails_fast_with_a_message(win, qtbot):
    import sqlite3

    from ui.main_window import GUI_BUSY_TIMEOUT_S

    # the window's connection waits briefly, not the 5 s a batch job waits
    assert win.state.store.busy_timeout == GUI_BUSY_TIMEOUT_S < 1
    other = sqlite3.connect(win.state.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE settings SET value = value")
    try:
        win.view.setFocus()
        key(qtbot, win, Qt.Key.Key_Right)
        key(qtbot, win, Qt.Key.Key_1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert my_spans(win) == []
    assert "locked" in win.statusBar().currentMessage().lower()
    key(qtbot, win, Qt.Key.Key_1)  # once the other program is done, the same key works
    assert len(my_spans(win)) == 1


def _locked(path):
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_undo_ctrl_d_and_relabel_under_a_lock_say_locked_and_change_nothing(win, qtbot):
    """Issue 14: undo must not say "Undone" while the span is still stored, and keeps its step;
    Ctrl+D and relabel show the clear "locked" message, never "Unexpected error"."""
    win.view.setFocus()
    key(qtbot, win, Qt.Key.Key_Right)
    key(qtbot, win, Qt.Key.Key_1)
    [span] = my_spans(win)
    win.view.select_span_id(span.id)
    before = snapshot(win.state.path)
    other = _locked(win.state.path)
    try:
        win.act_undo.trigger()
        assert "locked" in win.statusBar().currentMessage().lower()
        assert "Undone" not in win.statusBar().currentMessage()
        assert win.state.undo_stack.canUndo() and win.act_undo.isEnabled()
        key(qtbot, win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        assert "locked" in win.statusBar().currentMessage().lower()
        key(qtbot, win, Qt.Key.Key_2)  # relabel the selected span
        assert "locked" in win.statusBar().currentMessage().lower()
        assert win.sb_saved.text() == "Not changed"
    finally:
        other.execute("ROLLBACK")
        other.close()
    # (an exception escaping to the "Unexpected error" hook would fail this test: pytest-qt
    # reports exceptions raised inside Qt's event handling)
    assert snapshot(win.state.path) == before
    win.act_undo.trigger()  # the step was kept: now it undoes
    assert my_spans(win) == [] and "Undone" in win.statusBar().currentMessage()
