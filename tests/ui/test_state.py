"""AppState: what an edit announces (its own Changes), which edits put a document "in progress",
and undo that keeps its step when the project file is locked."""

from __future__ import annotations

import pytest

import sqlite3

from annotator.changes import Changes
from annotator.edits import AddSpan, Batch, DeleteSpan, Relabel, SetStatus
from annotator.label_edits import RenameLabel
from corpus.model import DocumentStatus, LabelKind, Span
from corpus.store import Store
from ui.state import AppState

PERSON = "tester"


@pytest.fixture
def state(qapp, project):
    st = AppState(Store(str(project), busy_timeout=0.2), PERSON)  # a lock is met quickly
    st.open_document(st.store.document_ids()[0])
    yield st
    st.close()


def _reports(st: AppState) -> list[Changes]:
    seen: list[Changes] = []
    st.changed.connect(seen.append)
    return seen


def test_one_edit_is_announced_once_with_what_it_changed(state):
    d = state.current_doc_id
    seen = _reports(state)
    assert state.apply(AddSpan(Span(doc_id=d, layer=PERSON, start=0, end=3, label="ORG")))
    [report] = seen
    [span] = state.store.spans(d, PERSON)
    assert report.span_ids == {span.id} and report.spans == {d}
    assert report.status == {d}  # the first edit put the document in progress
    assert not report.labels and not report.relations


def test_a_rename_inside_a_batch_reports_labels_and_status():
    rename = RenameLabel(LabelKind.ENTITY, "PERSON", "PER")
    batch = Batch((rename, SetStatus(1, PERSON, DocumentStatus.DONE)))
    report = batch.changes(Batch((SetStatus(1, PERSON, DocumentStatus.TODO), rename)))
    assert report.labels and report.status == {1}


def test_undo_and_redo_of_a_rename_announce_labels_and_refresh_the_label_cache(state):
    names = lambda: [lab.name for lab in state.labels(LabelKind.ENTITY)]  # noqa: E731
    assert "PERSON" in names()
    seen = _reports(state)
    assert state.apply(RenameLabel(LabelKind.ENTITY, "PERSON", "PER"))
    assert any(c.labels for c in seen) and "PER" in names() and "PERSON" not in names()
    seen.clear()
    state.undo_stack.undo()
    assert any(c.labels for c in seen)
    assert "PERSON" in names() and "PER" not in names()
    seen.clear()
    assert state.redo()
    assert any(c.labels for c in seen)
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


def _hold_write_lock(path: str) -> sqlite3.Connection:
    """A second program holding the project's write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_undo_under_a_write_lock_keeps_the_step_and_says_locked(state):
    d = state.current_doc_id
    assert state.apply(AddSpan(Span(doc_id=d, layer=PERSON, start=0, end=3, label="ORG")))
    errors: list[str] = []
    state.errorOccurred.connect(errors.append)
    other = _hold_write_lock(state.path)
    try:
        assert not state.undo()
        assert len(state.store.spans(d, PERSON)) == 1  # still stored...
        assert state.undo_stack.index() == 1 and state.undo_stack.canUndo()  # ...and still undoable
        assert errors and "locked" in errors[-1]
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert state.undo()  # once the other program is done, the same step undoes
    assert state.store.spans(d, PERSON) == [] and state.undo_stack.index() == 0
    assert state.redo() and len(state.store.spans(d, PERSON)) == 1


def test_a_stack_driven_directly_under_a_lock_is_put_back(state, qtbot):
    d = state.current_doc_id
    assert state.apply(AddSpan(Span(doc_id=d, layer=PERSON, start=0, end=3, label="ORG")))
    other = _hold_write_lock(state.path)
    try:
        state.undo_stack.undo()  # e.g. a QUndoView: the command itself meets the lock
        qtbot.waitUntil(lambda: state.undo_stack.index() == 1)
        assert len(state.store.spans(d, PERSON)) == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert state.undo() and state.store.spans(d, PERSON) == []


def test_a_status_and_a_relabel_under_a_lock_are_refused_with_the_locked_message(state):
    d = state.current_doc_id
    assert state.apply(AddSpan(Span(doc_id=d, layer=PERSON, start=0, end=3, label="ORG")))
    [span] = state.store.spans(d, PERSON)
    errors: list[str] = []
    state.errorOccurred.connect(errors.append)
    other = _hold_write_lock(state.path)
    try:
        assert not state.apply(SetStatus(d, PERSON, DocumentStatus.DONE))
        assert not state.apply(Relabel(span.id, "GPE"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert len(errors) == 2 and all("locked" in e for e in errors)
    assert state.undo_stack.count() == 1


def test_a_macro_of_edits_undoes_as_one_step_or_not_at_all(state):
    """The review window groups edits in a macro: undo takes all of them back, or (locked) none."""
    d = state.current_doc_id
    stack = state.undo_stack
    stack.beginMacro("Two spans")
    assert state.apply(AddSpan(Span(doc_id=d, layer="gold", start=0, end=3, label="ORG")))
    assert state.apply(AddSpan(Span(doc_id=d, layer="gold", start=4, end=8, label="ORG")))
    stack.endMacro()
    assert stack.count() == 1 and len(state.store.spans(d, "gold")) == 2
    other = _hold_write_lock(state.path)
    try:
        assert not state.undo()
        assert len(state.store.spans(d, "gold")) == 2 and stack.index() == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    seen = _reports(state)
    assert state.undo() and state.store.spans(d, "gold") == [] and stack.index() == 0
    assert len(seen) == 1 and len(seen[0].span_ids) == 2  # one announcement for the step
    assert state.redo() and len(state.store.spans(d, "gold")) == 2
