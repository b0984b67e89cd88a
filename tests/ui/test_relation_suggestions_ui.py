"""Relation suggestions in the window: drawn dashed, reached with Tab after their head, accepted
with A / Enter (ends first, one undo step) or rejected with X (never shown again)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from corpus.model import Relation
from corpus.store import Store
from conftest import add_suggestions, open_window

LAYER = "model:project@1"
SHORT = 3  # "Barack Obama met Angela Merkel in Berlin on Monday. ..."


def _suggest_relations(path) -> None:
    obama, merkel, berlin = add_suggestions(path, SHORT, [("Barack Obama", "PERSON"), ("Angela Merkel", "PERSON"),
                                                         ("Berlin", "GPE")], layer=LAYER)
    with Store(path) as st:
        st.add_relations([
            Relation(doc_id=SHORT, layer=LAYER, head=obama.id, child=merkel.id, label="MET_WITH"),
            Relation(doc_id=SHORT, layer=LAYER, head=merkel.id, child=berlin.id, label="LOCATED_IN"),
        ])


def _suggested(w) -> list:
    return [r for r in w.view.relations if r.suggestion]


def _mine(w) -> tuple[set, set]:
    st = w.state.store
    spans = {sp.id: sp for sp in st.spans(SHORT, "tester")}
    rels = {(w.view.text[spans[r.head].start:spans[r.head].end], w.view.text[spans[r.child].start:spans[r.child].end],
             r.label) for r in st.relations(SHORT, "tester")}
    return {w.view.text[sp.start:sp.end] for sp in spans.values()}, rels


def _tab_to_relation(qtbot, w, label: str) -> None:
    for _ in range(10):
        qtbot.keyClick(w.view, Qt.Key.Key_Tab)
        rel = w.view.selected_relation()
        if rel is not None and rel.label == label:
            assert rel.suggestion
            return
    raise AssertionError(f"Tab never reached the {label} suggestion")


def test_relation_suggestion_is_drawn_dashed_and_accepted_with_its_ends_in_one_undo_step(qtbot, project):
    _suggest_relations(project)
    w = open_window(qtbot, project)
    w.state.open_document(SHORT)
    assert sorted(r.label for r in _suggested(w)) == ["LOCATED_IN", "MET_WITH"]
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Tab)  # the first suggestion: Barack Obama
    assert w.view.selected_item().label == "PERSON" and w.view.selected_item().suggestion
    qtbot.keyClick(w.view, Qt.Key.Key_Tab)  # then the relation suggestion from it
    rel = w.view.selected_relation()
    assert rel is not None and rel.suggestion and rel.label == "MET_WITH"
    qtbot.keyClick(w.view, Qt.Key.Key_A)
    assert _mine(w) == ({"Barack Obama", "Angela Merkel"}, {("Barack Obama", "Angela Merkel", "MET_WITH")})
    # drawn as the person's relation now, and the other suggestion now starts from their span
    assert [r.label for r in w.view.relations if not r.suggestion] == ["MET_WITH"]
    (other,) = _suggested(w)
    assert other.label == "LOCATED_IN" and w.view.item(other.head_key).suggestion is False
    w.act_undo.trigger()  # one step takes the relation and both accepted ends back
    assert _mine(w) == (set(), set())
    assert sorted(r.label for r in _suggested(w)) == ["LOCATED_IN", "MET_WITH"]
    w.close()


def test_rejected_relation_suggestion_never_comes_back(qtbot, project):
    _suggest_relations(project)
    w = open_window(qtbot, project)
    w.state.open_document(SHORT)
    w.view.setFocus()
    _tab_to_relation(qtbot, w, "LOCATED_IN")
    qtbot.keyClick(w.view, Qt.Key.Key_X)
    assert [r.label for r in _suggested(w)] == ["MET_WITH"]
    assert _mine(w) == (set(), set())  # rejecting writes no span
    w.state.open_document(1)
    w.state.open_document(SHORT)  # read afresh from the project: still decided
    assert [r.label for r in _suggested(w)] == ["MET_WITH"]
    # a relation label key accepts it as that label
    _tab_to_relation(qtbot, w, "MET_WITH")
    key = next(k for k, name in w.palette_widget.keys.items() if name == "AFFILIATED_WITH")
    qtbot.keyClick(w.view, key)
    assert _mine(w)[1] == {("Barack Obama", "Angela Merkel", "AFFILIATED_WITH")}
    assert _suggested(w) == []
    w.close()


def test_enter_accepts_a_relation_suggestion_like_a(qtbot, project):
    _suggest_relations(project)
    w = open_window(qtbot, project)
    w.state.open_document(SHORT)
    w.view.setFocus()
    _tab_to_relation(qtbot, w, "LOCATED_IN")
    qtbot.keyClick(w.view, Qt.Key.Key_Return)
    assert _mine(w) == ({"Angela Merkel", "Berlin"}, {("Angela Merkel", "Berlin", "LOCATED_IN")})
    w.close()


def test_a_selected_relation_suggestion_shows_its_score_and_weak_ones_are_hidden(qtbot, project):
    obama, merkel, berlin = add_suggestions(project, SHORT, [("Barack Obama", "PERSON"), ("Angela Merkel", "PERSON"),
                                                            ("Berlin", "GPE")], layer=LAYER)
    with Store(project) as st:
        st.add_relations([
            Relation(doc_id=SHORT, layer=LAYER, head=obama.id, child=merkel.id, label="MET_WITH", score=0.83),
            Relation(doc_id=SHORT, layer=LAYER, head=merkel.id, child=berlin.id, label="LOCATED_IN", score=0.2),
        ])
        st.set_setting("suggestion_threshold", 0.5)
    w = open_window(qtbot, project)
    w.state.open_document(SHORT)
    assert [r.label for r in _suggested(w)] == ["MET_WITH"]  # LOCATED_IN scores under the threshold
    w.view.setFocus()
    _tab_to_relation(qtbot, w, "MET_WITH")
    message = w.statusBar().currentMessage()
    assert message.startswith("Suggested relation MET_WITH (score 0.83) from model:project@1: A/Enter accept")
    panel = w.panel("training")  # lowering the threshold shows it at once; raising hides both
    panel.threshold.setValue(0.1)
    assert sorted(r.label for r in _suggested(w)) == ["LOCATED_IN", "MET_WITH"]
    panel.threshold.setValue(0.9)
    assert _suggested(w) == []
    w.close()
