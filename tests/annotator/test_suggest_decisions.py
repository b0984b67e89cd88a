"""Decisions stay made (issue 10): a suggestion the person accepted and then corrected, deleted or
covered with their own span, or rejected, is never pending again and never bulk-accepted."""

from __future__ import annotations

import pytest

from annotator.edits import Relabel, Resize
from annotator.suggest import (
    PATTERNS_LAYER,
    accept_all_edit,
    accept_corrected_edit,
    accept_edit,
    delete_span_edit,
    pending_suggestions,
    suggestion_candidates,
    undecided,
)
from corpus.errors import AnnotationError
from corpus.model import Document, Label, Span
from corpus.store import Store
from annotator.tokenize import tokenize

TEXT = "Alice Smith joined Acme Corp in Paris. Later Alice Smith left Paris."
MODEL = "model:m@1"


def make_store() -> Store:
    store = Store(":memory:")
    store.set_labels([Label(n) for n in ("PERSON", "ORG", "GPE", "LOC")])
    toks, sents = tokenize(TEXT)
    store.add_document(Document(text=TEXT, name="doc1", tokens=toks, sents=sents))
    store.add_annotator("alice")
    store.add_spans([
        Span(doc_id=1, layer=MODEL, start=0, end=11, label="PERSON"),  # Alice Smith
        Span(doc_id=1, layer=MODEL, start=19, end=28, label="ORG"),  # Acme Corp
        Span(doc_id=1, layer=PATTERNS_LAYER, start=32, end=37, label="GPE"),  # Paris
        Span(doc_id=1, layer=MODEL, start=45, end=56, label="PERSON"),  # Alice Smith (2nd)
    ])
    return store


def keys(store: Store) -> set[tuple[int, int, str]]:
    return {s.key for s in pending_suggestions(store, 1, "alice")}


def suggestion(store: Store, start: int) -> Span:
    return next(s for s in pending_suggestions(store, 1, "alice") if s.start == start)


def test_relabelling_an_accepted_suggestion_does_not_bring_the_original_back() -> None:
    store = make_store()
    acme = suggestion(store, 19)
    accept_edit(store, acme, "alice").apply(store)
    [mine] = store.spans(1, "alice")
    Relabel(mine.id, "LOC").apply(store)
    assert acme.key not in keys(store)
    # Shift+A after the correction adds the others, never the original ORG again.
    accept_all_edit(store, 1, "alice").apply(store)
    got = sorted((s.start, s.end, s.label) for s in store.spans(1, "alice"))
    assert got == [(0, 11, "PERSON"), (19, 28, "LOC"), (32, 37, "GPE"), (45, 56, "PERSON")]


def test_resizing_an_accepted_suggestion_does_not_bring_the_original_back() -> None:
    store = make_store()
    alice = suggestion(store, 0)
    accept_edit(store, alice, "alice").apply(store)
    [mine] = store.spans(1, "alice")
    Resize(mine.id, 0, 5).apply(store)  # "Alice"
    assert alice.key not in keys(store)
    accept_all_edit(store, 1, "alice").apply(store)
    assert (0, 11, "PERSON") not in {s.key for s in store.spans(1, "alice")}


def test_deleting_an_accepted_suggestion_keeps_it_decided_and_undo_reopens_it() -> None:
    store = make_store()
    paris = suggestion(store, 32)
    accept_edit(store, paris, "alice").apply(store)
    [mine] = store.spans(1, "alice")
    undo = delete_span_edit(store, mine, "alice").apply(store)
    assert store.spans(1, "alice") == []
    assert paris.key not in keys(store)
    accept_all_edit(store, 1, "alice").apply(store)  # Shift+A does not re-add the deleted one
    assert paris.key not in {s.key for s in store.spans(1, "alice")}
    assert len(store.spans(1, "alice")) == 3
    # Undo of the accept-all, then of the delete: the span is back and nothing else changed.
    store.delete_layer_annotations("alice")
    undo.apply(store)
    assert [s.key for s in store.spans(1, "alice")] == [paris.key]
    assert store.rejections("alice", 1) == set()


def test_deleting_a_span_drawn_over_suggestions_rejects_what_it_overlapped_only() -> None:
    store = make_store()
    mine = store.add_span(Span(doc_id=1, layer="alice", start=19, end=23, label="ORG"))  # "Acme"
    assert (19, 28, "ORG") not in keys(store)  # covered by the person's own span
    edit = delete_span_edit(store, mine, "alice")
    edit.apply(store)
    assert store.rejections("alice", 1) == {(1, 19, 28, "ORG")}
    assert keys(store) == {(0, 11, "PERSON"), (32, 37, "GPE"), (45, 56, "PERSON")}


def test_delete_span_edit_refuses_another_layer_and_unsaved_spans() -> None:
    store = make_store()
    [model_span] = [s for s in store.spans(1, MODEL) if s.start == 0]
    with pytest.raises(AnnotationError, match="not in alice's"):
        delete_span_edit(store, model_span, "alice")
    with pytest.raises(AnnotationError, match="no id"):
        delete_span_edit(store, Span(doc_id=1, layer="alice", start=0, end=5, label="PERSON"), "alice")


def test_accept_corrected_relabels_or_resizes_a_suggestion_in_one_step() -> None:
    store = make_store()
    paris = suggestion(store, 32)
    accept_corrected_edit(store, paris, "alice", 32, 37, "LOC").apply(store)
    [mine] = store.spans(1, "alice")
    assert (mine.start, mine.end, mine.label, mine.source) == (32, 37, "LOC", "corrected:patterns")
    assert paris.key not in keys(store)
    delete_span_edit(store, mine, "alice").apply(store)
    assert paris.key not in keys(store)  # deleting the corrected span does not resurrect it
    store2 = make_store()
    alice = suggestion(store2, 0)
    accept_corrected_edit(store2, alice, "alice", 0, 5, "PERSON").apply(store2)
    assert [s.key for s in store2.spans(1, "alice")] == [(0, 5, "PERSON")]
    assert alice.key not in keys(store2)


def test_accept_corrected_undo_reopens_the_suggestion_and_checks_its_input() -> None:
    store = make_store()
    paris = suggestion(store, 32)
    undo = accept_corrected_edit(store, paris, "alice", 32, 37, "LOC").apply(store)
    undo.apply(store)
    assert store.spans(1, "alice") == [] and paris.key in keys(store)
    with pytest.raises(AnnotationError, match="not an entity label"):
        accept_corrected_edit(store, paris, "alice", 32, 37, "NOPE")
    with pytest.raises(AnnotationError, match="start < end"):
        accept_corrected_edit(store, paris, "alice", 37, 32, "GPE")
    store.add_span(Span(doc_id=1, layer="alice", start=38, end=44, label="ORG"))
    with pytest.raises(AnnotationError, match="overlaps"):
        accept_corrected_edit(store, paris, "alice", 32, 44, "GPE")


def test_with_overlaps_allowed_only_same_label_or_same_offsets_decide() -> None:
    store = make_store()
    store.set_setting("allow_overlap", True)
    store.add_spans([Span(doc_id=1, layer=MODEL, start=24, end=28, label="GPE")])  # "Corp", nested
    store.add_span(Span(doc_id=1, layer="alice", start=19, end=28, label="ORG"))
    pending = keys(store)
    assert (24, 28, "GPE") in pending  # a nested entity of another label stays open
    assert (19, 28, "ORG") not in pending


def test_undecided_is_the_rule_pending_suggestions_applies() -> None:
    store = make_store()
    store.add_span(Span(doc_id=1, layer="alice", start=0, end=5, label="GPE"))
    cands = suggestion_candidates(store, 1, "alice")
    assert len(cands) == 4
    mine = store.spans(1, "alice")
    assert undecided(cands, mine, set()) == pending_suggestions(store, 1, "alice")
    got = {s.key for s in undecided(cands, mine, {(32, 37, "GPE")})}
    assert got == {(19, 28, "ORG"), (45, 56, "PERSON")}
