"""The per-document session (no Qt): the first-edit status rule, and keeping one person's view of
a document current from each edit's own Changes, equal to reading it afresh."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from annotator.changes import Changes
from annotator.edits import AddRelation, AddSpan, Batch, DeleteRelation, DeleteSpan, Relabel, Resize, SetStatus
from annotator.session import DocumentSession, apply_as
from annotator.suggest import accept_corrected_edit, accept_edit, delete_span_edit, pending_suggestions, reject_edit
from corpus.model import Document, DocumentStatus, Relation, Span
from corpus.resources import default_labels
from corpus.store import Store

ME = "alice"
TEXT = "Barack Obama met Angela Merkel in Berlin on Monday with Paris officials."


@pytest.fixture
def store(tmp_path: Path):
    words = [(m, m + len(w)) for m, w in _words(TEXT)]
    with Store(tmp_path / "s.db") as st:
        st.set_labels(default_labels())
        d = st.add_document(Document(text=TEXT, name="a", tokens=tuple(words)))
        st.add_annotator(ME)
        st.add_spans([
            Span(doc_id=d, layer="model:x@1", start=0, end=12, label="PERSON"),
            Span(doc_id=d, layer="model:x@1", start=17, end=30, label="PERSON"),
            Span(doc_id=d, layer="model:x@1", start=34, end=40, label="GPE"),
            Span(doc_id=d, layer="patterns", start=34, end=40, label="GPE"),
            Span(doc_id=d, layer="model:x@1", start=56, end=61, label="GPE"),
        ])
        st.mark_suggested([d], "model:x@1")
        yield st


def _words(text: str):
    pos = 0
    for w in text.split(" "):
        yield pos, w
        pos += len(w) + 1


def _fresh(store: Store, doc_id: int) -> DocumentSession:
    return DocumentSession(store, doc_id, ME)


def _same(a: DocumentSession, b: DocumentSession) -> None:
    assert a.spans == b.spans
    assert a.relations == b.relations
    assert a.rejected == b.rejected
    assert a.pending == b.pending
    assert a.status == b.status


def test_first_edit_of_a_document_marks_it_in_progress_in_the_same_undo_step(store):
    d = store.document_ids()[0]
    forward, inverse, changes = apply_as(store, AddSpan(Span(doc_id=d, layer=ME, start=0, end=6, label="PERSON")), ME)
    assert store.status(d, ME) is DocumentStatus.IN_PROGRESS and changes.status == {d}
    assert isinstance(forward, Batch)
    inverse.apply(store)
    assert store.status(d, ME) is DocumentStatus.TODO and store.spans(d, ME) == []


def test_edits_of_other_layers_and_status_edits_leave_the_status_alone(store):
    d = store.document_ids()[0]
    apply_as(store, AddSpan(Span(doc_id=d, layer="gold", start=0, end=6, label="PERSON")), ME)
    assert store.status(d, ME) is DocumentStatus.TODO
    apply_as(store, SetStatus(d, ME, DocumentStatus.SKIPPED), ME)
    assert store.status(d, ME) is DocumentStatus.SKIPPED
    edit = Batch((AddSpan(Span(doc_id=d, layer=ME, start=0, end=6, label="PERSON")), SetStatus(d, ME, DocumentStatus.DONE)))
    apply_as(store, edit, ME)
    assert store.status(d, ME) is DocumentStatus.DONE


def test_pending_is_the_suggest_rule(store):
    d = store.document_ids()[0]
    s = _fresh(store, d)
    assert list(s.pending.values()) == pending_suggestions(store, d, ME)
    assert s.pending[(34, 40, "GPE")].layer == "patterns"  # patterns win over a model for the same span


def test_accept_reject_and_their_undo_keep_the_session_equal_to_a_fresh_read(store):
    d = store.document_ids()[0]
    s = _fresh(store, d)
    obama = s.pending[(0, 12, "PERSON")]
    _, undo_accept, changes = apply_as(store, accept_edit(store, obama, ME), ME)
    delta = s.update(changes)
    assert [sp.key for sp in delta.suggestions_removed] == [(0, 12, "PERSON")]
    assert [sp.key for sp in delta.spans_added] == [(0, 12, "PERSON")] and delta.status
    _same(s, _fresh(store, d))
    _, undo_reject, changes = apply_as(store, reject_edit(store, s.pending[(17, 30, "PERSON")], ME), ME)
    s.update(changes)
    _same(s, _fresh(store, d))
    for undo in (undo_reject, undo_accept):  # taking decisions back brings the suggestions back
        s.update(undo.changes(undo.apply(store)))
        _same(s, _fresh(store, d))
    assert (0, 12, "PERSON") in s.pending and (17, 30, "PERSON") in s.pending


@pytest.mark.parametrize("allow_overlap", [False, True])
def test_a_random_walk_of_edits_stays_equal_to_a_fresh_read(store, allow_overlap):
    d = store.document_ids()[0]
    store.set_setting("allow_overlap", allow_overlap)
    s = _fresh(store, d)
    rng = random.Random(3)
    words = list(_words(TEXT))
    undo: list = []
    for _ in range(80):
        what = rng.choice(["add", "add", "relabel", "resize", "delete", "relation", "unrelate", "undo", "accept"])
        mine = list(s.spans.values())
        edit = None
        if what == "add":
            i = rng.randrange(len(words) - 1)
            start, w = words[i]
            if allow_overlap or not any(sp.start < start + len(w) and start < sp.end for sp in mine):
                edit = AddSpan(Span(doc_id=d, layer=ME, start=start, end=start + len(w), label=rng.choice(["ORG", "GPE"])))
        elif what == "accept" and s.pending:
            sugg = rng.choice(list(s.pending.values()))
            if allow_overlap or not any(sp.overlaps(sugg) for sp in mine):
                edit = (accept_edit(store, sugg, ME) if rng.random() < 0.5 else
                        accept_corrected_edit(store, sugg, ME, sugg.start, sugg.end, "NORP"))
        elif what in ("relabel", "resize", "delete", "relation") and mine:
            sp = rng.choice(mine)
            other = rng.choice(mine)
            edit = {"relabel": lambda: Relabel(sp.id, "NORP"), "resize": lambda: Resize(sp.id, sp.start, sp.end - 1),
                    "delete": lambda: DeleteSpan(sp.id) if rng.random() < 0.5 else delete_span_edit(store, sp, ME),
                    "relation": lambda: AddRelation(Relation(doc_id=d, layer=ME, head=sp.id, child=other.id, label="MET"))
                    if other.id != sp.id else None}[what]()
        elif what == "unrelate" and s.relations:
            edit = DeleteRelation(rng.choice(list(s.relations)))
        elif what == "undo" and undo:
            inv = undo.pop()
            s.update(inv.changes(inv.apply(store)))
            _same(s, _fresh(store, d))
            continue
        if edit is None:
            continue
        _, inverse, changes = apply_as(store, edit, ME)
        undo.append(inverse)
        s.update(changes)
        _same(s, _fresh(store, d))


def test_a_suggestion_run_reloads_the_session(store):
    d = store.document_ids()[0]
    s = _fresh(store, d)
    store.add_spans([Span(doc_id=d, layer="model:x@1", start=44, end=50, label="DATE")])
    assert (44, 50, "DATE") not in s.pending
    delta = s.update(Changes(suggestions=frozenset({d})))
    assert delta.reload and (44, 50, "DATE") in s.pending
