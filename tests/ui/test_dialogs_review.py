"""Agreement dashboard and review window, driven with the keyboard and the mouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from corpus.model import GOLD, DocumentStatus
from corpus.store import Store
from test_dialogs_project import make_multi_project
from ui.agreement_dashboard import AgreementDashboard
from ui.review_window import COL_GOLD, COL_ITEM, COL_VOTES, ReviewWindow
from ui.state import AppState


@pytest.fixture
def state(tmp_path: Path, qtbot):
    path = make_multi_project(tmp_path / "multi.db")
    st = AppState(Store(path), "lead")
    yield st
    st.close()


def gold(state) -> set[tuple[int, int, str]]:
    return {sp.key for sp in state.store.spans(1, GOLD)}


def open_review(state, qtbot, doc_id=1) -> ReviewWindow:
    w = ReviewWindow(state, None, doc_id=doc_id)
    qtbot.addWidget(w)
    w.show()
    return w


def rows(w: ReviewWindow) -> list[tuple[str, str, str]]:
    return [(n.text(COL_ITEM), n.text(COL_VOTES), n.text(COL_GOLD)) for n in w._nodes()]


# -- review -----------------------------------------------------------------------------------
def test_review_shows_votes_conflicts_and_plain_text(state, qtbot):
    w = open_review(state, qtbot)
    assert w.doc_label.text() == "summit.txt (1 of 3 to review)"
    shown = rows(w)
    assert any(t.startswith("⚠ Conflict 1 of 2") for t, _v, _g in shown)
    assert ("“Barack Obama”  0–12", "2/3 alice, bob", "") in shown
    assert ("“Angela Merkel”  17–30", "3/3 alice, bob, carol", "") in shown
    assert "1 alice   2 bob   3 carol" in w.keys_label.text()
    assert w.progress.text() == "Reviewed 0 of 3"
    # the first unsettled conflict is selected and highlighted in the text
    assert w.current_group_index() == 0
    assert w.view.selected_item() is not None
    # markup in an article is shown as characters
    w.load_document(2)
    assert "The <b>bold</b> claim" in w.view.text
    assert any("“<b>bold</b>”" in t for t, _v, _g in rows(w))


def test_review_text_shows_label_tags_votes_and_relation_arcs(state, qtbot):
    w = open_review(state, qtbot)
    view = w.view
    spans = {(s.start, s.end, s.label.split()[0]): s for s in view.items}
    obama = spans[(0, 12, "PERSON")]
    assert obama.label == "PERSON 2/3" and view.tag_rect(obama.key) is not None
    assert obama.suggestion  # not in gold yet: faded and dashed
    assert view.relations and all(view.relation_label_rects(r.id) for r in view.relations)
    assert {r.label for r in view.relations} >= {"MET_WITH"}
    qtbot.keyClick(w.tree, Qt.Key.Key_A)  # accept all agreed: gold's spans are drawn solid
    merkel = next(s for s in view.items if (s.start, s.end) == (17, 30))
    assert not merkel.suggestion and merkel.label == "PERSON 3/3 \u2713"
    # a click on a span's tag selects that version in the list
    monday = next(s for s in view.items if (s.start, s.end) == (44, 50))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.tag_rect(monday.key).center().toPoint())
    assert w.current_item() is not None and w.current_item().key == (44, 50, "DATE")
    # and the list's selection is shown in the text
    assert view.selected_item().key == monday.key
    # a click on a relation's label selects that relation in the list
    rel = view.relations[0]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.relation_label_rects(rel.id)[0].center().toPoint())
    node = w.current_node()
    assert node is not None and "→" in node.text(COL_ITEM) and node.text(1) == rel.label


def test_review_by_keyboard_accept_pick_reject_undo(state, qtbot):
    w = open_review(state, qtbot)
    tree = w.tree
    qtbot.keyClick(tree, Qt.Key.Key_A)  # accept all agreed (all three)
    assert gold(state) == {(17, 30, "PERSON")}
    assert "Accept agreed annotations (1 spans" in w.message.text()
    # first conflict: Barack Obama (alice, bob) vs Obama (carol); take bob's (2)
    qtbot.keyClick(tree, Qt.Key.Key_P)  # back to conflict 1 whatever was selected
    assert w.current_group_index() == 0
    qtbot.keyClick(tree, Qt.Key.Key_2)
    assert (0, 12, "PERSON") in gold(state)
    assert "Took bob's version: PERSON “Barack Obama”" in w.message.text()
    assert w.current_group_index() == 1  # moved on to the next unsettled conflict (Berlin)
    qtbot.keyClick(tree, Qt.Key.Key_2)  # bob says LOC
    assert (34, 40, "LOC") in gold(state)
    qtbot.keyClick(tree, Qt.Key.Key_P)
    qtbot.keyClick(tree, Qt.Key.Key_N)
    qtbot.keyClick(tree, Qt.Key.Key_3)  # carol says GPE: replaces LOC in place
    assert (34, 40, "GPE") in gold(state) and (34, 40, "LOC") not in gold(state)
    heads = [t for t, _v, g in rows(w) if "Conflict" in t]
    assert heads and all(t.startswith("✓") for t in heads)  # both conflicts settled
    # Return accepts the selected single item; Delete removes it again
    monday = next(n for n in w._nodes() if n.text(COL_ITEM).startswith("“Monday”"))
    tree.setCurrentItem(monday)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert (44, 50, "DATE") in gold(state)
    monday = next(n for n in w._nodes() if n.text(COL_ITEM).startswith("“Monday”"))
    assert monday.text(COL_GOLD) == "✓ gold"
    tree.setCurrentItem(monday)
    qtbot.keyClick(tree, Qt.Key.Key_Delete)
    assert (44, 50, "DATE") not in gold(state)
    # every action is one undo step
    state.undo_stack.undo()
    assert (44, 50, "DATE") in gold(state)
    state.undo_stack.undo()
    assert (44, 50, "DATE") not in gold(state)
    state.undo_stack.undo()
    assert (34, 40, "LOC") in gold(state)
    qtbot.waitUntil(lambda: any(t.endswith("34–40") and g == "✓ gold" for t, _v, g in rows(w)))


def test_relation_follows_its_spans_and_agreed_majority(state, qtbot):
    w = open_review(state, qtbot)
    w.min_votes_combo.setCurrentIndex(w.min_votes_combo.findData(2))  # majority
    qtbot.keyClick(w.tree, Qt.Key.Key_A)
    keys = gold(state)
    assert {(0, 12, "PERSON"), (17, 30, "PERSON"), (44, 50, "DATE"), (82, 89, "ORG"), (34, 40, "GPE")} <= keys
    rels = state.store.relations(1, GOLD)
    assert [r.label for r in rels] == ["MET_WITH"]
    assert any(v.startswith("2/3") and g == "✓ gold" for t, v, g in rows(w) if "→" in t)


def test_mark_reviewed_moves_on_and_counts(state, qtbot):
    w = open_review(state, qtbot)
    seen: list[int] = []
    state.documentSelected.connect(seen.append)
    qtbot.keyClick(w.tree, Qt.Key.Key_E)
    assert seen == [1]
    qtbot.keyClick(w.tree, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert state.store.status(1, GOLD) is DocumentStatus.DONE
    assert w.doc_id == 2 and w.doc_label.text().startswith("markup.txt")
    assert w.progress.text() == "Reviewed 1 of 3"
    assert "2 conflicts left unsettled" in w.message.text()
    qtbot.keyClick(w.tree, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert w.doc_id == 1 and w.gold_badge.text() == "✓ Reviewed"
    state.undo_stack.undo()
    assert state.store.status(1, GOLD) is DocumentStatus.TODO
    assert w.gold_badge.text() == "Not reviewed" and w.progress.text() == "Reviewed 0 of 3"


def test_export_gold_from_review(state, qtbot):
    w = open_review(state, qtbot)
    qtbot.keyClick(w.tree, Qt.Key.Key_A)
    qtbot.mouseClick(w.export_button, Qt.MouseButton.LeftButton)
    dlg = w.export_dialog
    qtbot.addWidget(dlg)
    assert dlg.current_layer() == GOLD
    assert dlg.layer_combo.currentText().startswith("gold (reviewed) — 1 span")


def test_nothing_to_review(tmp_path, qtbot):
    st = AppState(Store(tmp_path / "empty.db"), "x")
    w = ReviewWindow(st, None)
    qtbot.addWidget(w)
    assert w.doc_id is None and "Nothing to review" in w.doc_label.text()
    qtbot.keyClick(w.tree, Qt.Key.Key_A)
    qtbot.keyClick(w.tree, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    st.close()


# -- dashboard --------------------------------------------------------------------------------
def computed(qtbot, dash: AgreementDashboard) -> None:
    qtbot.waitUntil(lambda: dash.job is not None and not dash.job.is_running() and dash.recompute_button.isEnabled(),
                    timeout=60_000)


def test_dashboard_computes_in_background_and_shows_everything(state, qtbot):
    dash = AgreementDashboard(state, None)
    qtbot.addWidget(dash)
    dash.show()  # computing starts when first shown
    computed(qtbot, dash)
    assert dash.report is not None
    assert dash.overall_values["documents"].text() == "3"
    assert dash.overall_values["token_kappa_fleiss"].text() not in ("–", "")
    assert dash.heatmap.names == ["alice", "bob", "carol"]
    assert dash.heatmap.cell_text("alice", "alice") == "—"
    f1 = dash.heatmap.cell_text("alice", "bob")
    assert f1 == f"{next(p['span_f1'] for p in dash.report['pairs'] if {p['a'], p['b']} == {'alice', 'bob'}):.2f}"
    dash.measure_combo.setCurrentIndex(dash.measure_combo.findData("relation_f1"))
    assert "Relation F1" in dash.heatmap.measure
    labels = [dash.label_table.item(r, 0).text() for r in range(dash.label_table.rowCount())]
    assert "PERSON" in labels and "GPE" in labels
    assert dash.dis_title.text() == f"Disagreements ({len(dash.report['disagreements'])})"
    texts = [dash.dis_proxy.index(r, 1).data() for r in range(dash.dis_proxy.rowCount())]
    assert "<b>bold</b>" in texts  # plain text in the table too
    # a heatmap cell filters the list to that pair
    r = dash.heatmap.cell_rect(0, 1)
    qtbot.mouseClick(dash.heatmap, Qt.MouseButton.LeftButton, pos=r.center())
    assert dash.dis_title.text().startswith("Disagreements between alice and bob")
    assert dash.dis_proxy.rowCount() < dash.dis_model.rowCount()
    qtbot.mouseClick(dash.show_all_button, Qt.MouseButton.LeftButton)
    assert dash.dis_proxy.rowCount() == dash.dis_model.rowCount()


def test_dashboard_double_click_opens_review(state, qtbot):
    dash = AgreementDashboard(state, None)
    qtbot.addWidget(dash)
    dash.show()
    computed(qtbot, dash)
    row = next(r for r in range(dash.dis_proxy.rowCount()) if dash.dis_proxy.index(r, 1).data() == "Berlin")
    idx = dash.dis_proxy.index(row, 1)
    dash.dis_view.scrollTo(idx)
    rect = dash.dis_view.visualRect(idx)
    qtbot.mouseClick(dash.dis_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dash.dis_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    review = dash.review_window
    assert review is not None and review.isVisible()
    qtbot.addWidget(review)
    assert review.doc_id == 1
    group = review.groups[review.current_group_index()]
    assert {it.key for it in group} == {(34, 40, "GPE"), (34, 40, "LOC")}


def test_dashboard_notes_and_choices(state, qtbot):
    for rel in state.store.relations():
        state.store.delete_relation(rel.id)
    dash = AgreementDashboard(state, None)
    qtbot.addWidget(dash)
    dash.show()
    computed(qtbot, dash)
    assert dash.overall_values["relation_f1"].text() == "n/a"
    assert dash.notes.isVisible() and "relation" in dash.notes.text().lower()
    # fewer than two annotators: said so, nothing computed
    dash.set_annotators(["alice"])
    job = dash.job
    qtbot.mouseClick(dash.recompute_button, Qt.MouseButton.LeftButton)
    assert dash.job is job
    assert "at least two annotators" in dash.notes.text()
    # two annotators, all documents
    dash.set_annotators(["alice", "carol"])
    dash.docs_combo.setCurrentIndex(1)
    assert dash.status.text().startswith("Choices changed")
    qtbot.mouseClick(dash.recompute_button, Qt.MouseButton.LeftButton)
    computed(qtbot, dash)
    assert dash.report["annotators"] == ["alice", "carol"] and dash.report["all_docs"] is True
    assert dash.heatmap.names == ["alice", "carol"]
    assert "all documents" in dash.status.text()
