"""Edits are data: applying the inverse restores the project exactly."""

from __future__ import annotations

import pytest

from annotator.edits import (
    AddRelation, AddSpan, Batch, DeleteSpan, Relabel, Reject, Resize, SetStatus,
)
from corpus.errors import AnnotationError
from corpus.model import Document, DocumentStatus, Relation, Span
from corpus.store import Store


@pytest.fixture()
def store() -> Store:
    s = Store(":memory:")
    yield s
    s.close()


def snapshot(store: Store, d: int) -> tuple:
    return (
        tuple(store.spans(d)),
        tuple(store.relations(d)),
        tuple(sorted(store.statuses().items())),
        tuple(sorted(store.rejections("alice"))),
    )


def test_every_edit_undoes_and_redoes_exactly(store: Store) -> None:
    d = store.add_document(Document(text="Alice met Bob in Paris."))
    a = store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    b = store.add_span(Span(d, "alice", 10, 13, "PERSON"))
    store.add_relation(Relation(d, "alice", a.id, b.id, "MET_WITH"))
    edits = [
        AddSpan(Span(d, "alice", 17, 22, "GPE")),
        DeleteSpan(a.id),
        Relabel(b.id, "ORG"),
        Resize(b.id, 10, 12),
        AddRelation(Relation(d, "alice", b.id, a.id, "LEADER_OF")),
        SetStatus(d, "alice", DocumentStatus.DONE),
        Reject(d, "alice", 17, 22, "LOC"),
        Batch((DeleteSpan(a.id), DeleteSpan(b.id))),
    ]
    for edit in edits:
        before = snapshot(store, d)
        undo = edit.apply(store)
        after = snapshot(store, d)
        assert after != before, edit
        redo = undo.apply(store)
        assert snapshot(store, d) == before, edit
        undo_again = redo.apply(store)
        assert snapshot(store, d) == after, edit
        undo_again.apply(store)  # back to the same project for the next edit
        assert snapshot(store, d) == before, edit


def test_deleting_a_span_and_undoing_restores_its_relations_with_ids(store: Store) -> None:
    d = store.add_document(Document(text="Alice met Bob in Paris."))
    a = store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    b = store.add_span(Span(d, "alice", 10, 13, "PERSON"))
    r = store.add_relation(Relation(d, "alice", a.id, b.id, "MET_WITH"))
    undo = DeleteSpan(a.id).apply(store)
    assert store.relations(d) == []
    undo.apply(store)
    assert store.relations(d) == [r]
    assert [s.id for s in store.spans(d)] == [a.id, b.id]


def test_overlapping_span_is_refused_unless_the_project_allows_it(store: Store) -> None:
    d = store.add_document(Document(text="New York City Council"))
    AddSpan(Span(d, "alice", 0, 13, "GPE")).apply(store)
    with pytest.raises(AnnotationError, match="overlaps"):
        AddSpan(Span(d, "alice", 9, 21, "ORG")).apply(store)
    store.set_setting("allow_overlap", True)
    AddSpan(Span(d, "alice", 9, 21, "ORG")).apply(store)
    assert len(store.spans(d, "alice")) == 2


def test_spans_in_other_layers_never_block_a_person(store: Store) -> None:
    d = store.add_document(Document(text="New York City Council"))
    store.add_span(Span(d, "model:x@1", 0, 21, "ORG"))
    AddSpan(Span(d, "alice", 0, 13, "GPE")).apply(store)
    assert [s.key for s in store.spans(d, "alice")] == [(0, 13, "GPE")]


def test_a_failed_batch_leaves_nothing_behind(store: Store) -> None:
    d = store.add_document(Document(text="Alice met Bob in Paris."))
    with pytest.raises(AnnotationError):
        Batch((AddSpan(Span(d, "alice", 0, 5, "PERSON")), AddSpan(Span(d, "alice", 2, 8, "ORG")))).apply(store)
    assert store.spans(d) == []


def test_adding_what_the_layer_already_holds_undoes_to_nothing(store: Store) -> None:
    """Undoing a duplicate add (overlap check off, as the window's label keys use it) must not
    delete the span, relation or rejection that was there before."""
    d = store.add_document(Document(text="Alice met Bob in Paris."))
    a = store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    b = store.add_span(Span(d, "alice", 10, 13, "PERSON"))
    store.add_relation(Relation(d, "alice", a.id, b.id, "MET_WITH"))
    store.add_rejection(d, "alice", 17, 22, "GPE")
    before = snapshot(store, d)
    for edit in (
        AddSpan(Span(d, "alice", 0, 5, "PERSON"), check=False),
        AddRelation(Relation(d, "alice", a.id, b.id, "MET_WITH")),
        Reject(d, "alice", 17, 22, "GPE"),
    ):
        inverse = edit.apply(store)
        assert snapshot(store, d) == before
        redo = inverse.apply(store)
        assert snapshot(store, d) == before, f"undoing a duplicate {type(edit).__name__} changed the project"
        redo.apply(store)
        assert snapshot(store, d) == before


@pytest.mark.parametrize("start,end", [(5, 3), (4, 4), (-1, 2)])
def test_resizing_to_offsets_out_of_order_is_refused_as_an_annotation_error(store: Store, start: int, end: int) -> None:
    d = store.add_document(Document(text="Alice met Bob in Paris."))
    a = store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    before = snapshot(store, d)
    with pytest.raises(AnnotationError, match=f"span {a.id}"):
        Resize(a.id, start, end).apply(store)
    with pytest.raises(AnnotationError, match=f"span {a.id}"):
        store.update_span(a.id, start=start, end=end)
    assert snapshot(store, d) == before


def test_each_edit_reports_what_it_changed(store: Store) -> None:
    from annotator.edits import DeleteRelation, RelabelRelation, apply_edit

    d = store.add_document(Document(text="Alice met Bob in Paris."))
    a = store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    b = store.add_span(Span(d, "alice", 10, 13, "PERSON"))
    rel = store.add_relation(Relation(d, "alice", a.id, b.id, "MET_WITH"))
    inverse, added = apply_edit(store, AddSpan(Span(d, "alice", 17, 22, "GPE")))
    new_id = store.spans(d, "alice", label="GPE")[0].id
    assert added.spans == {d} and added.span_ids == {new_id} and added.written == {(d, "alice")}
    assert not added.relations and not added.status and not added.labels
    # undoing reports the same span (the inverse knows its id)
    assert apply_edit(store, inverse)[1].span_ids == {new_id}
    _, relabelled = apply_edit(store, Relabel(b.id, "ORG"))
    assert relabelled.span_ids == {b.id} and relabelled.spans == {d}
    _, renamed = apply_edit(store, RelabelRelation(rel.id, "KNOWS"))
    assert renamed.relation_ids == {rel.id} and renamed.relations == {d} and not renamed.spans
    restore, deleted = apply_edit(store, DeleteSpan(a.id))  # takes the relation with it
    assert deleted.span_ids == {a.id} and deleted.relation_ids == {rel.id} and deleted.relations == {d}
    assert apply_edit(store, restore)[1].relation_ids == {rel.id}
    _, gone = apply_edit(store, DeleteRelation(rel.id))
    assert gone.relation_ids == {rel.id}
    _, status = apply_edit(store, SetStatus(d, "alice", DocumentStatus.DONE))
    assert status.status == {d} and not status.written  # a status is not a write to the layer
    _, rejected = apply_edit(store, Reject(d, "alice", 17, 22, "GPE"))
    assert rejected.rejections == {d} and rejected.written == {(d, "alice")}
    # a second identical rejection changes nothing, and says so
    assert not apply_edit(store, Reject(d, "alice", 17, 22, "GPE"))[1]


def test_a_batch_reports_the_union_of_its_parts(store: Store) -> None:
    from annotator.edits import apply_edit

    d1 = store.add_document(Document(text="Alice met Bob."))
    d2 = store.add_document(Document(text="Paris in spring."))
    batch = Batch((AddSpan(Span(d1, "alice", 0, 5, "PERSON")), AddSpan(Span(d2, "bob", 0, 5, "GPE")),
                   SetStatus(d2, "bob", DocumentStatus.DONE)))
    inverse, report = apply_edit(store, batch)
    assert report.spans == {d1, d2} and report.status == {d2} and report.written == {(d1, "alice"), (d2, "bob")}
    assert apply_edit(store, inverse)[1] == report  # undo touches exactly the same things


def test_changes_merge() -> None:
    from annotator.changes import NO_CHANGES, Changes

    a = Changes(spans=frozenset({1}), labels=True)
    b = Changes(spans=frozenset({2}), status=frozenset({2}), settings=frozenset({"guidelines"}))
    both = a | b
    assert both.spans == {1, 2} and both.labels and both.status == {2} and both.guidelines
    assert a | NO_CHANGES == a and not NO_CHANGES and Changes.union([a, b]) == both


def test_label_and_setting_edits_undo_exactly(store: Store) -> None:
    from annotator.label_edits import AddLabel, DeleteLabel, RenameLabel, ReorderLabels, SetSetting, UpdateLabel
    from corpus.model import Label, LabelKind

    store.set_labels([Label("PERSON", LabelKind.ENTITY, "#ff0000", "1"), Label("GPE", LabelKind.ENTITY, "#00ff00", "2")])
    d = store.add_document(Document(text="Alice met Bob."))
    store.add_span(Span(d, "alice", 0, 5, "PERSON"))
    before = (store.labels(), store.spans(d), store.get_setting("guidelines"))
    edits = [AddLabel(Label("ORG", LabelKind.ENTITY, "#0000ff", "3")), UpdateLabel(Label("GPE", LabelKind.ENTITY, "#abcdef", "4")),
             RenameLabel(LabelKind.ENTITY, "PERSON", "PER"), ReorderLabels(LabelKind.ENTITY, ("ORG", "GPE", "PER")),
             DeleteLabel(LabelKind.ENTITY, "ORG"), SetSetting("guidelines", "Names only.")]
    undo = []
    for e in edits:
        inverse = e.apply(store)
        assert e.changes(inverse).labels or e.changes(inverse).guidelines
        undo.append(inverse)
    assert store.label_names(LabelKind.ENTITY) == ["GPE", "PER"] and store.spans(d)[0].label == "PER"
    for inverse in reversed(undo):
        inverse.apply(store)
    assert (store.labels(), store.spans(d), store.get_setting("guidelines")) == before
    with pytest.raises(AnnotationError):
        DeleteLabel(LabelKind.ENTITY, "PERSON").apply(store)  # still used by a span
