"""Labels dialog and guidelines panel, driven as a person would."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from corpus.store import Store
from test_dialogs_project import make_multi_project
from ui import labels_dialog as ld
from ui.guidelines import GuidelinesPanel
from ui.labels_dialog import COL_DESC, COL_KEY, COL_NAME, COL_USED, LabelsDialog
from ui.state import AppState


@pytest.fixture
def state(tmp_path: Path, qtbot):
    path = make_multi_project(tmp_path / "multi.db")
    st = AppState(Store(path), "alice")
    yield st
    st.close()


@pytest.fixture
def dialog(state, qtbot):
    dlg = LabelsDialog(state, None)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def row_of(table, name: str) -> int:
    for r in range(table.rowCount()):
        if table.item(r, COL_NAME).text() == name:
            return r
    raise AssertionError(f"{name} not shown")


def test_shows_both_kinds_with_usage(dialog):
    ents = dialog.entities.table
    assert dialog.tabs.tabText(0).startswith("Entity labels (18)")
    assert dialog.tabs.tabText(1).startswith("Relation labels (5)")
    r = row_of(ents, "PERSON")
    assert ents.item(r, COL_KEY).text() == "1"
    assert ents.item(r, COL_USED).text() == "12 in 3 docs"
    assert ents.item(row_of(ents, "LAW"), COL_USED).text() == "unused"
    rels = dialog.relations.table
    assert rels.item(row_of(rels, "MET_WITH"), COL_USED).text() == "2 in 1 doc"


def test_rename_updates_annotations_after_confirming_count(dialog, state, monkeypatch, qtbot):
    asked: list[str] = []
    monkeypatch.setattr(ld, "confirm", lambda parent, title, text: asked.append(text) or True)
    seen: list[str] = []
    state.changed.connect(seen.append)
    table = dialog.entities.table
    r = row_of(table, "PERSON")
    table.setCurrentCell(r, COL_NAME)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = table.findChild(QLineEdit)
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, "PER")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event loop turn
    qtbot.waitUntil(lambda: bool(asked))
    assert "12 spans in 3 documents" in asked[0]
    assert "alice, bob, carol" in asked[0]
    assert table.item(r, COL_NAME).text() == "PER"
    assert any(c.labels for c in seen)
    assert {s.label for s in state.store.spans(layers="alice")} >= {"PER"}
    assert not state.store.spans(label="PERSON")
    assert "Renamed PERSON to PER" in dialog.banner.text()
    # undoable: one step back restores the annotations and the label
    state.undo_stack.undo()
    assert len(state.store.spans(label="PERSON")) == 12
    assert "PERSON" in state.store.label_names("entity")
    assert table.item(r, COL_NAME).text() == "PERSON"  # the open dialog follows the undo


def test_rename_refused_cancelled_and_duplicate(dialog, state, monkeypatch):
    monkeypatch.setattr(ld, "confirm", lambda *a: False)
    assert dialog.entities.rename_label(next(l for l in dialog.entities.labels() if l.name == "GPE"), "PLACE") is False
    assert "GPE" in state.store.label_names("entity")
    assert dialog.entities.rename_label(next(l for l in dialog.entities.labels() if l.name == "GPE"), "ORG") is False
    assert "already an entity label named “ORG”" in dialog.banner.text()
    assert dialog.banner.property("error") is True


def test_hotkey_clash_is_refused_and_named(dialog, state, qtbot):
    table = dialog.entities.table
    r = row_of(table, "CARDINAL")
    table.setCurrentCell(r, COL_KEY)
    table.editItem(table.item(r, COL_KEY))
    combo = table.findChild(QComboBox)
    assert combo is not None
    assert any("used by PERSON" in combo.itemText(i) for i in range(combo.count()))
    combo.setCurrentIndex(combo.findData("1"))
    table.commitData(combo)
    table.closeEditor(combo, ld.QStyledItemDelegate.EndEditHint.NoHint)
    assert "Key 1 is already used by PERSON" in dialog.banner.text()
    assert table.item(r, COL_KEY).text() == ""
    assert next(l for l in state.store.labels("entity") if l.name == "CARDINAL").hotkey == ""
    # freeing a key and taking it works
    dialog.entities.set_hotkey(next(l for l in dialog.entities.labels() if l.name == "TIME"), "")
    assert dialog.entities.set_hotkey(next(l for l in dialog.entities.labels() if l.name == "CARDINAL"), "0")
    assert next(l for l in state.store.labels("entity") if l.name == "CARDINAL").hotkey == "0"
    assert table.item(row_of(table, "CARDINAL"), COL_KEY).text() == "0"


def test_delete_refused_while_used_allowed_when_unused(dialog, state, monkeypatch, qtbot):
    monkeypatch.setattr(ld, "confirm", lambda *a: True)
    table = dialog.entities.table
    table.selectRow(row_of(table, "GPE"))
    qtbot.mouseClick(dialog.entities.delete_button, Qt.MouseButton.LeftButton)
    assert "GPE cannot be deleted: 7 spans in 3 documents use it" in dialog.banner.text()
    assert "GPE" in state.store.label_names("entity")
    table.selectRow(row_of(table, "LAW"))
    qtbot.mouseClick(dialog.entities.delete_button, Qt.MouseButton.LeftButton)
    assert "LAW" not in state.store.label_names("entity")
    assert dialog.tabs.tabText(0).startswith("Entity labels (17)")


def test_add_recolour_describe_reorder(dialog, state, monkeypatch, qtbot):
    monkeypatch.setattr(ld, "ask_text", lambda *a, **k: "VEHICLE")
    monkeypatch.setattr(ld, "choose_color", lambda *a: "#123456")
    dialog.tabs.setCurrentIndex(1)
    rels = dialog.relations
    qtbot.mouseClick(rels.add_button, Qt.MouseButton.LeftButton)
    lab = next(l for l in state.store.labels("relation") if l.name == "VEHICLE")
    assert lab.hotkey == "6"  # relations hold keys 1-5: the first free one is proposed
    assert rels.table.item(rels.current_row(), COL_NAME).text() == "VEHICLE"
    qtbot.mouseClick(rels.color_button, Qt.MouseButton.LeftButton)
    assert next(l for l in state.store.labels("relation") if l.name == "VEHICLE").color == "#123456"
    item = rels.table.item(rels.current_row(), COL_DESC)
    item.setText("Who drives what")
    assert next(l for l in state.store.labels("relation") if l.name == "VEHICLE").description == "Who drives what"
    before = state.store.label_names("relation")
    qtbot.keyClick(rels.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    after = state.store.label_names("relation")
    i = before.index("VEHICLE")
    assert after[i - 1] == "VEHICLE"
    assert rels.table.item(i - 1, COL_NAME).text() == "VEHICLE"


def test_guidelines_show_markdown_and_edit(state, qtbot):
    state.store.set_setting("guidelines", "# Rules\n\nTag **people** as PERSON. Keep <b> as text.")
    panel = GuidelinesPanel(state, None)
    qtbot.addWidget(panel)
    panel.show()
    shown = panel.browser.toPlainText()
    assert "Rules" in shown and "people" in shown and "**" not in shown
    assert "Keep <b> as text." in shown  # a tag in the guidelines is shown, never interpreted
    qtbot.mouseClick(panel.edit_button, Qt.MouseButton.LeftButton)
    assert panel.editing and panel.editor.toPlainText().startswith("# Rules")
    panel.editor.selectAll()
    qtbot.keyClicks(panel.editor, "Only *names*.")
    seen: list[str] = []
    state.changed.connect(seen.append)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert not panel.editing
    assert state.store.get_setting("guidelines") == "Only *names*."
    assert any(c.guidelines for c in seen)
    assert panel.browser.toPlainText().strip() == "Only names."


def test_guidelines_empty_invites_editing(tmp_path, qtbot):
    with Store(tmp_path / "e.db") as _:
        pass
    st = AppState(Store(tmp_path / "e.db"), "x")
    panel = GuidelinesPanel(st, None)
    qtbot.addWidget(panel)
    assert "No annotation guidelines yet" in panel.browser.toPlainText()
    panel.start_editing()
    qtbot.keyClick(panel.editor, Qt.Key.Key_Escape)
    assert not panel.editing
    # unsaved work is not thrown away without asking
    import ui.guidelines as g
    asked = []
    panel.start_editing()
    qtbot.keyClicks(panel.editor, "draft")
    g_confirm = g.confirm_discard
    g.confirm_discard = lambda parent: asked.append(1) or False
    try:
        qtbot.keyClick(panel.editor, Qt.Key.Key_Escape)
    finally:
        g.confirm_discard = g_confirm
    assert asked and panel.editing and panel.editor.toPlainText() == "draft"
    qtbot.keyClick(panel.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not panel.editing and st.store.get_setting("guidelines") == "draft"
    st.close()


def _labels(state, kind):
    return [(lab.name, lab.color, lab.hotkey, lab.description) for lab in state.store.labels(kind)]


def test_every_label_change_is_one_undo_step(dialog, state, monkeypatch, qtbot):
    """Add, recolour, describe, re-key, reorder and delete: each undone in turn (newest first)
    brings back the labels exactly as they were, and the dialog shows them."""
    monkeypatch.setattr(ld, "ask_text", lambda *a, **k: "VEHICLE")
    monkeypatch.setattr(ld, "choose_color", lambda *a: "#123456")
    monkeypatch.setattr(ld, "confirm", lambda *a: True)
    dialog.tabs.setCurrentIndex(1)
    rels = dialog.relations
    history = [_labels(state, "relation")]
    qtbot.mouseClick(rels.add_button, Qt.MouseButton.LeftButton)
    history.append(_labels(state, "relation"))
    qtbot.mouseClick(rels.color_button, Qt.MouseButton.LeftButton)
    history.append(_labels(state, "relation"))
    rels.table.item(rels.current_row(), COL_DESC).setText("Who drives what")
    history.append(_labels(state, "relation"))
    qtbot.keyClick(rels.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    history.append(_labels(state, "relation"))
    qtbot.mouseClick(rels.delete_button, Qt.MouseButton.LeftButton)
    assert "VEHICLE" not in state.store.label_names("relation")
    assert state.undo_stack.count() == 5 and len({tuple(h) for h in history}) == 5
    while history:
        expected = history.pop()
        assert state.undo()
        assert _labels(state, "relation") == expected
        names = [rels.table.item(r, COL_NAME).text() for r in range(rels.table.rowCount())]
        assert names == [n for n, *_ in expected]
    assert not state.undo_stack.canUndo()


def test_guidelines_edit_is_undoable(state, qtbot):
    state.store.set_setting("guidelines", "First.")
    panel = GuidelinesPanel(state, None)
    qtbot.addWidget(panel)
    panel.start_editing()
    panel.editor.setPlainText("Second.")
    assert panel.save()
    assert state.undo()
    assert state.store.get_setting("guidelines") == "First."
    assert panel.browser.toPlainText().strip() == "First."  # the panel follows the undo
    assert state.redo() and panel.browser.toPlainText().strip() == "Second."
