"""Relation suggestions (relations of a suggester layer): which are still to decide for a person,
accepting (ends first, one undo step) and rejecting (remembered across suggester runs). No Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.edits import Relabel, apply_edit
from annotator.session import DocumentSession, apply_as
from annotator.suggest import THRESHOLD_SETTING, accept_edit, reject_edit, strong_enough
from annotator.suggesters.relations import (
    accept_relation_edit,
    pending_relations,
    reject_relation_edit,
)
from corpus.model import Document, Relation, Span
from corpus.resources import default_labels
from corpus.store import Store

ME = "alice"
TEXT = "Angela Merkel works for Siemens in Berlin today."
LAYER = "model:project@1"


def _suggest(st: Store, d: int) -> tuple[Span, Span, Span]:
    """A suggester run: Merkel, Siemens, Berlin and Merkel -works_for-> Siemens (new ids each run)."""
    st.delete_layer_annotations(LAYER, [d])
    merkel, siemens, berlin = st.add_spans([
        Span(doc_id=d, layer=LAYER, start=0, end=13, label="PERSON", source=LAYER),
        Span(doc_id=d, layer=LAYER, start=24, end=31, label="ORG", source=LAYER),
        Span(doc_id=d, layer=LAYER, start=35, end=41, label="GPE", source=LAYER),
    ])
    st.add_relations([Relation(doc_id=d, layer=LAYER, head=merkel.id, child=siemens.id, label="works_for")])
    st.mark_suggested([d], LAYER)
    return merkel, siemens, berlin


@pytest.fixture
def project(tmp_path: Path):
    with Store(tmp_path / "p.db") as st:
        st.set_labels(default_labels())
        d = st.add_document(Document(text=TEXT, name="a", tokens=tuple(
            (i, i + len(w)) for i, w in _words(TEXT))))
        st.add_annotator(ME)
        _suggest(st, d)
        yield st, d


def _words(text: str):
    pos = 0
    for w in text.split(" "):
        yield pos, w
        pos += len(w) + 1


def _mine(st: Store, d: int) -> tuple[set, set]:
    spans = {sp.id: sp for sp in st.spans(d, ME)}
    rels = {(spans[r.head].key, spans[r.child].key, r.label) for r in st.relations(d, ME)}
    return {sp.key for sp in spans.values()}, rels


def test_relation_suggestion_is_pending_until_accepted_ends_first_in_one_undo_step(project):
    st, d = project
    (sugg,) = pending_relations(st, d, ME)
    assert (sugg.head.key, sugg.child.key, sugg.label) == ((0, 13, "PERSON"), (24, 31, "ORG"), "works_for")
    inverse, _ = apply_edit(st, accept_relation_edit(sugg, ME))
    spans, rels = _mine(st, d)
    assert spans == {(0, 13, "PERSON"), (24, 31, "ORG")}
    assert rels == {((0, 13, "PERSON"), (24, 31, "ORG"), "works_for")}
    assert pending_relations(st, d, ME) == []
    redo, _ = apply_edit(st, inverse)  # one undo step takes the relation and both ends back
    assert _mine(st, d) == (set(), set())
    assert [r.key for r in pending_relations(st, d, ME)] == [sugg.key]
    apply_edit(st, redo)
    assert _mine(st, d) == (spans, rels)


def test_accepting_reuses_the_persons_span_and_another_label_rejects_the_original(project):
    st, d = project
    (sugg,) = pending_relations(st, d, ME)
    apply_edit(st, accept_edit(st, sugg.head, ME))  # Merkel accepted already
    (sugg,) = pending_relations(st, d, ME)  # still pending: its head is the person's span now
    _, changes = apply_edit(st, accept_relation_edit(sugg, ME, label="located_in"))
    spans, rels = _mine(st, d)
    assert spans == {(0, 13, "PERSON"), (24, 31, "ORG")}  # one Merkel, not two
    assert rels == {((0, 13, "PERSON"), (24, 31, "ORG"), "located_in")}
    assert sugg.key in st.relation_rejections(ME, d) and d in changes.rejections
    assert pending_relations(st, d, ME) == []


def test_rejected_relation_never_comes_back_even_after_another_suggester_run(project):
    st, d = project
    (sugg,) = pending_relations(st, d, ME)
    inverse, changes = apply_edit(st, reject_relation_edit(sugg, ME))
    assert d in changes.rejections and (d, ME) in changes.written
    assert pending_relations(st, d, ME) == []
    _suggest(st, d)  # the suggester runs again: new span and relation ids, same offsets
    assert pending_relations(st, d, ME) == []
    assert pending_relations(st, d, "bob") != []  # decided for alice only
    apply_edit(st, inverse)  # undo forgets the rejection
    assert [r.key for r in pending_relations(st, d, ME)] == [sugg.key]


def test_relation_over_an_end_the_person_decided_against_is_not_shown(project):
    st, d = project
    (sugg,) = pending_relations(st, d, ME)
    inverse, _ = apply_edit(st, reject_edit(st, sugg.child, ME))  # Siemens is not an ORG for them
    assert pending_relations(st, d, ME) == []
    apply_edit(st, inverse)
    inv, _ = apply_edit(st, accept_edit(st, sugg.child, ME))
    (span,) = st.spans(d, ME)
    apply_edit(st, Relabel(span.id, "GPE"))  # corrected: the suggested end is no longer theirs
    assert pending_relations(st, d, ME) == []


def test_the_session_follows_relation_decisions_from_each_edits_changes(project):
    st, d = project
    s = DocumentSession(st, d, ME)
    (sugg,) = s.pending_relation_list()
    _, _, changes = apply_as(st, reject_relation_edit(sugg, ME), ME)
    delta = s.update(changes)
    assert delta.relation_suggestions and s.pending_relations == {}
    fresh = DocumentSession(st, d, ME)
    assert fresh.pending_relations == {} and fresh.relation_rejected == {sugg.key}


def _suggest_scored(st: Store, d: int, rel_score: float, end_score: float | None = None) -> None:
    """Another run of the suggester, scoring its relation (and Siemens, when ``end_score``)."""
    st.delete_layer_annotations(LAYER, [d])
    merkel, siemens = st.add_spans([
        Span(doc_id=d, layer=LAYER, start=0, end=13, label="PERSON", source=LAYER, score=0.9),
        Span(doc_id=d, layer=LAYER, start=24, end=31, label="ORG", source=LAYER, score=end_score),
    ])
    st.add_relations([Relation(d, LAYER, merkel.id, siemens.id, "works_for", source=LAYER, score=rel_score)])


def test_the_suggestion_threshold_hides_weak_relation_suggestions_everywhere(project):
    """One rule (``strong_enough``) for entity and relation suggestions: the store's answer,
    the window's session and the suggestion itself agree, and accepting keeps the score."""
    st, d = project
    _suggest_scored(st, d, rel_score=0.3)
    (sugg,) = pending_relations(st, d, ME)  # no threshold: shown, with its score
    assert sugg.score == 0.3 and strong_enough(sugg, None) and not strong_enough(sugg, 0.5)
    st.set_setting(THRESHOLD_SETTING, 0.5)
    assert pending_relations(st, d, ME) == [] and DocumentSession(st, d, ME).pending_relations == {}
    st.set_setting(THRESHOLD_SETTING, 0.25)
    assert [r.key for r in pending_relations(st, d, ME)] == [sugg.key]
    assert list(DocumentSession(st, d, ME).pending_relations) == [sugg.key]
    _suggest_scored(st, d, rel_score=0.8, end_score=0.1)  # a strong relation to a weak entity
    assert pending_relations(st, d, ME) == [] and DocumentSession(st, d, ME).pending_relations == {}
    _suggest_scored(st, d, rel_score=0.8, end_score=0.6)
    (strong,) = pending_relations(st, d, ME)
    apply_edit(st, accept_relation_edit(strong, ME))
    assert [r.score for r in st.relations(d, ME)] == [0.8]
