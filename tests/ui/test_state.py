"""AppState: what an edit announces, and which edits put a document "in progress"."""

from __future__ import annotations

import pytest

from annotator.edits import AddSpan, Batch, DeleteSpan, Relabel, SetStatus
from corpus.model import DocumentStatus, LabelKind, Span
from corpus.store import Store
from ui.labels_dialog import RenameLabel
from ui.state import AppState, edit_topics

PERSON = "tester"


@pytest.fixture
def state(qapp, project):
    st = AppState(Store(str(project)), PERSON)
    st.open_document(st.store.document_ids()[0])
    yield st
    st.close()


def _topics(st: AppState) -> list[str]:
    seen: list[str] = []
    st.changed.connect(seen.append)
    return seen


def test_an_edit_that_names_its_topics_is_taken_at_its_word():
    rename = RenameLabel(LabelKind.ENTITY, "PERSON", "PER")
    assert edit_topics(rename) == ["labels", "spans", "relations"]
    # also inside a batch, next to ordinary edits
    assert edit_topics(Batch((rename, SetStatus(1, PERSON, DocumentStatus.DONE)))) == [
        "labels", "spans", "relations", "status"]


def test_undo_and_redo_of_a_rename_announce_labels_and_refresh_the_label_cache(state):
    names = lambda: [lab.name for lab in state.labels(LabelKind.ENTITY)]  # noqa: E731
    assert "PERSON" in names()
    seen = _topics(state)
    assert state.apply(RenameLabel(LabelKind.ENTITY, "PERSON", "PER"))
    assert "labels" in seen and "PER" in names() and "PERSON" not in names()
    seen.clear()
    state.undo_stack.undo()
    assert "labels" in seen
    assert "PERSON" in names() and "PER" not in names()
    seen.clear()
    state.undo_stack.redo()
    assert "labels" in seen
    assert "PER" in names()


def test_a_label_rename_does_not_put_the_document_in_progress(state):
    d = state.current_doc_id
    assert state.store.status(d, PERSON) is DocumentStatus.TODO
    assert state.apply(RenameLabel(LabelKind.ENTITY, "PERSON", "PER"))
    assert state.store.status(d, PERSON) is DocumentStatus.TODO


def test_a_review_edit_on_gold_does_not_put_the_document_in_progress(state):
    d = state.current_doc_id
    assert state.apply(AddSpan(Span(doc_id=d, layer="gold", start=0, end=3, label="ORG")))
    assert state.store.status(d, PERSON) is DocumentStatus.TODO
    gold = state.store.spans(d, "gold")[0]
    # edits naming a span of another layer by id (looked up in the store) do not count either
    assert state.apply(Relabel(gold.id, "GPE"))
    assert state.apply(DeleteSpan(gold.id))
    assert state.store.status(d, PERSON) is DocumentStatus.TODO


def test_an_edit_of_the_persons_own_layer_puts_the_document_in_progress(state):
    d = state.current_doc_id
    assert state.apply(AddSpan(Span(doc_id=d, layer=PERSON, start=0, end=3, label="ORG")))
    assert state.store.status(d, PERSON) is DocumentStatus.IN_PROGRESS
    # one undo step takes back the span and the status together
    state.undo_stack.undo()
    assert state.store.status(d, PERSON) is DocumentStatus.TODO
    assert state.store.spans(d, PERSON) == []


def test_an_edit_that_sets_its_own_status_is_not_overridden(state):
    d = state.current_doc_id
    edit = Batch((AddSpan(Span(doc_id=d, layer=PERSON, start=0, end=3, label="ORG")),
                  SetStatus(d, PERSON, DocumentStatus.DONE)))
    assert state.apply(edit)
    assert state.store.status(d, PERSON) is DocumentStatus.DONE
