"""Review and adjudication: votes, conflicts, edits into gold (each undoable exactly), progress."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.review import (
    SpanItem,
    accept_agreed_edit,
    conflict_groups,
    mark_reviewed_edit,
    pick_edit,
    review_document,
    review_progress,
)
from annotator.tokenize import tokenize
from corpus.errors import AnnotationError
from corpus.model import GOLD, Document, DocumentStatus, Relation, Span, is_person_layer
from corpus.store import Store

TEXT = "Alice Smith met Bob in Paris today."
ALICE_SMITH = (0, 11, "PERSON")
BOB = (16, 19, "PERSON")
PARIS_GPE = (23, 28, "GPE")
PARIS_LOC = (23, 28, "LOC")
TODAY = (29, 34, "DATE")


def make_doc(store: Store, text: str = TEXT, name: str = "a1") -> int:
    tokens, sents = tokenize(text)
    return store.add_document(Document(text=text, name=name, tokens=tokens, sents=sents))


def annotate(store: Store, d: int, layer: str, keys, relations=()) -> None:
    """Give ``layer`` these spans and relations ((head key, child key, label))."""
    if is_person_layer(layer):
        store.add_annotator(layer)
    spans = {k: store.add_span(Span(d, layer, *k)) for k in keys}
    for head, child, label in relations:
        store.add_relation(Relation(d, layer, spans[head].id, spans[child].id, label))


@pytest.fixture()
def store() -> Store:
    s = Store(":memory:")
    yield s
    s.close()


@pytest.fixture()
def doc(store: Store) -> int:
    """Three annotators: two people and Bob agreed by all, Paris GPE 2/3 vs LOC 1/3, a date 1/3."""
    d = make_doc(store)
    met = (ALICE_SMITH, BOB, "MET")
    located = (BOB, PARIS_GPE, "LOCATED_IN")
    annotate(store, d, "alice", [ALICE_SMITH, BOB, PARIS_GPE, TODAY], [met, located])
    annotate(store, d, "bob", [ALICE_SMITH, BOB, PARIS_GPE], [met, located])
    annotate(store, d, "carol", [ALICE_SMITH, BOB, PARIS_LOC], [met])
    return d


def gold_keys(store: Store, d: int) -> set[tuple[int, int, str]]:
    return {sp.key for sp in store.spans(d, GOLD)}


def gold_relation_keys(store: Store, d: int) -> set[tuple]:
    spans = {sp.id: sp for sp in store.spans(d, GOLD)}
    out = set()
    for r in store.relations(d, GOLD):
        assert r.head in spans and r.child in spans, "a gold relation must link gold spans"
        out.add((spans[r.head].key, spans[r.child].key, r.label))
    return out


def snapshot(store: Store) -> tuple:
    return (tuple(store.spans()), tuple(store.relations()), tuple(sorted(store.statuses().items())))


def check_undo_redo(store: Store, edit) -> None:
    """Apply ``edit``; its inverse restores the project exactly, and redo gives the same result."""
    before = snapshot(store)
    undo = edit.apply(store)
    after = snapshot(store)
    assert after != before, f"{edit.description} changed nothing"
    redo = undo.apply(store)
    assert snapshot(store) == before, f"undo of {edit.description}"
    redo.apply(store)
    assert snapshot(store) == after, f"redo of {edit.description}"


# -- review ----------------------------------------------------------------------------------
def test_items_carry_votes_per_annotator(store: Store, doc: int) -> None:
    review = review_document(store, doc)
    assert review.annotators == ("alice", "bob", "carol")
    gpe = review.span(PARIS_GPE)
    assert gpe is not None
    assert gpe.votes == {"alice": True, "bob": True, "carol": False}
    assert gpe.vote_text == "2/3" and not gpe.agreed
    assert gpe.text == "Paris"
    assert review.span(ALICE_SMITH).vote_text == "3/3" and review.span(ALICE_SMITH).agreed
    assert review.span(TODAY).vote_text == "1/3"
    met = review.relation((ALICE_SMITH, BOB, "MET"))
    assert met is not None and met.vote_text == "3/3"
    assert review.relation((BOB, PARIS_GPE, "LOCATED_IN")).vote_text == "2/3"
    assert not any(it.in_gold for it in review.items)


def test_conflicting_versions_form_one_group(store: Store, doc: int) -> None:
    review = review_document(store, doc)
    assert review.span(PARIS_GPE).conflicts_with == (PARIS_LOC,)
    assert review.span(PARIS_LOC).conflicts_with == (PARIS_GPE,)
    assert review.span(BOB).conflicts_with == ()
    groups = conflict_groups(review)
    assert [[it.key for it in g] for g in groups] == [[PARIS_GPE, PARIS_LOC]]


def test_boundary_conflicts_chain_into_one_group_in_reading_order(store: Store) -> None:
    d = make_doc(store)
    annotate(store, d, "alice", [(0, 11, "PERSON"), (23, 28, "GPE")])
    annotate(store, d, "bob", [(0, 5, "PERSON"), (6, 11, "PERSON"), (23, 34, "GPE")])
    groups = conflict_groups(review_document(store, d))
    assert [[it.key for it in g] for g in groups] == [
        [(0, 5, "PERSON"), (0, 11, "PERSON"), (6, 11, "PERSON")],
        [(23, 28, "GPE"), (23, 34, "GPE")],
    ]
    pick_edit(store, d, groups[0][1]).apply(store)
    unsettled = conflict_groups(review_document(store, d), unsettled_only=True)
    assert [[it.key for it in g] for g in unsettled] == [[(23, 28, "GPE"), (23, 34, "GPE")]]


def test_default_annotators_are_people_suggesters_only_on_request(store: Store) -> None:
    d = make_doc(store)
    annotate(store, d, "alice", [BOB])
    annotate(store, d, "model:en_core_web_sm@3.8.0", [BOB, PARIS_GPE])
    annotate(store, d, GOLD, [BOB])
    store.add_annotator("dave")
    store.set_status(d, "dave", DocumentStatus.DONE)  # done with no entities: a real "none" vote
    store.add_annotator("erin")
    store.set_status(d, "erin", DocumentStatus.IN_PROGRESS)  # not started: not compared
    review = review_document(store, d)
    assert review.annotators == ("alice", "dave")
    assert review.span(BOB).vote_text == "1/2" and review.span(BOB).in_gold
    explicit = review_document(store, d, ["alice", "model:en_core_web_sm@3.8.0"])
    assert explicit.span(PARIS_GPE).votes == {"alice": False, "model:en_core_web_sm@3.8.0": True}
    with pytest.raises(AnnotationError, match="gold"):
        review_document(store, d, ["alice", GOLD])


# -- accept what everyone agrees on ----------------------------------------------------------
def test_accept_agreed_copies_only_unanimous_spans_and_relations(store: Store, doc: int) -> None:
    accept_agreed_edit(store, doc).apply(store)
    assert gold_keys(store, doc) == {ALICE_SMITH, BOB}
    assert gold_relation_keys(store, doc) == {(ALICE_SMITH, BOB, "MET")}
    # the relation links gold's own spans, not an annotator's
    (rel,) = store.relations(doc, GOLD)
    gold_ids = {sp.id for sp in store.spans(doc, GOLD)}
    assert {rel.head, rel.child} <= gold_ids
    assert rel.layer == GOLD
    # annotators' layers are untouched
    assert {sp.key for sp in store.spans(doc, "carol")} == {ALICE_SMITH, BOB, PARIS_LOC}


def test_accept_agreed_with_min_votes_takes_the_majority(store: Store, doc: int) -> None:
    accept_agreed_edit(store, doc, min_votes=2).apply(store)
    assert gold_keys(store, doc) == {ALICE_SMITH, BOB, PARIS_GPE}
    assert gold_relation_keys(store, doc) == {(ALICE_SMITH, BOB, "MET"), (BOB, PARIS_GPE, "LOCATED_IN")}


def test_accept_agreed_skips_what_gold_holds_and_conflicts_with_gold(store: Store, doc: int) -> None:
    pick_edit(store, doc, review_document(store, doc).span(PARIS_LOC)).apply(store)
    accept_agreed_edit(store, doc, min_votes=2).apply(store)
    # GPE (2/3) conflicts with the reviewer's pick: it is left for the reviewer
    assert gold_keys(store, doc) == {ALICE_SMITH, BOB, PARIS_LOC}
    before = snapshot(store)
    again = accept_agreed_edit(store, doc, min_votes=2)
    assert again.edits == ()
    again.apply(store)
    assert snapshot(store) == before


def test_accept_agreed_undo_restores_exactly(store: Store, doc: int) -> None:
    check_undo_redo(store, accept_agreed_edit(store, doc, min_votes=2))
    assert gold_keys(store, doc) == {ALICE_SMITH, BOB, PARIS_GPE}


# -- picking versions ------------------------------------------------------------------------
def test_picking_a_conflicting_version_replaces_the_other_in_gold(store: Store, doc: int) -> None:
    accept_agreed_edit(store, doc, min_votes=2).apply(store)
    review = review_document(store, doc)
    assert review.span(PARIS_GPE).in_gold and not review.span(PARIS_LOC).in_gold
    pick_edit(store, doc, review.span(PARIS_LOC)).apply(store)
    review = review_document(store, doc)
    assert review.span(PARIS_LOC).in_gold and not review.span(PARIS_GPE).in_gold
    assert gold_keys(store, doc) == {ALICE_SMITH, BOB, PARIS_LOC}
    # the relation the reviewer had on Paris stays attached to the picked version
    assert gold_relation_keys(store, doc) == {(ALICE_SMITH, BOB, "MET"), (BOB, PARIS_LOC, "LOCATED_IN")}


def test_picking_one_span_over_two_replaces_both(store: Store) -> None:
    d = make_doc(store)
    annotate(store, d, "alice", [(0, 5, "PERSON"), (6, 11, "PERSON")])
    annotate(store, d, "bob", [(0, 11, "PERSON")])
    review = review_document(store, d)
    pick_edit(store, d, review.span((0, 5, "PERSON"))).apply(store)
    pick_edit(store, d, review.span((6, 11, "PERSON"))).apply(store)
    assert gold_keys(store, d) == {(0, 5, "PERSON"), (6, 11, "PERSON")}
    edit = pick_edit(store, d, review_document(store, d).span((0, 11, "PERSON")))
    check_undo_redo(store, edit)
    assert gold_keys(store, d) == {(0, 11, "PERSON")}


def test_every_pick_undoes_exactly(store: Store, doc: int) -> None:
    accept_agreed_edit(store, doc, min_votes=2).apply(store)
    review = review_document(store, doc)
    check_undo_redo(store, pick_edit(store, doc, review.span(PARIS_LOC)))  # relabel in place
    review = review_document(store, doc)
    check_undo_redo(store, pick_edit(store, doc, review.span(TODAY)))  # plain add
    review = review_document(store, doc)
    check_undo_redo(store, pick_edit(store, doc, review.relation((ALICE_SMITH, BOB, "MET")), accept=False))
    review = review_document(store, doc)
    assert review.relation((BOB, PARIS_LOC, "LOCATED_IN")).in_gold
    check_undo_redo(store, pick_edit(store, doc, review.span(BOB), accept=False))  # takes relations
    assert store.relations(doc, GOLD) == []
    check_undo_redo(store, mark_reviewed_edit(store, doc))


def test_removing_a_span_from_gold_takes_its_relations(store: Store, doc: int) -> None:
    accept_agreed_edit(store, doc).apply(store)
    pick_edit(store, doc, review_document(store, doc).span(BOB), accept=False).apply(store)
    assert gold_keys(store, doc) == {ALICE_SMITH}
    assert store.relations(doc, GOLD) == []
    nothing = pick_edit(store, doc, review_document(store, doc).span(PARIS_LOC), accept=False)
    assert nothing.edits == ()


def test_picking_a_relation_brings_its_spans_into_gold(store: Store, doc: int) -> None:
    item = review_document(store, doc).relation((BOB, PARIS_GPE, "LOCATED_IN"))
    edit = pick_edit(store, doc, item)
    check_undo_redo(store, edit)
    assert gold_keys(store, doc) == {BOB, PARIS_GPE}
    assert gold_relation_keys(store, doc) == {(BOB, PARIS_GPE, "LOCATED_IN")}
    assert review_document(store, doc).relation((BOB, PARIS_GPE, "LOCATED_IN")).in_gold


def test_picking_a_relation_replaces_a_conflicting_gold_relation(store: Store) -> None:
    d = make_doc(store)
    annotate(store, d, "alice", [ALICE_SMITH, BOB], [(ALICE_SMITH, BOB, "MET")])
    annotate(store, d, "bob", [ALICE_SMITH, BOB], [(BOB, ALICE_SMITH, "MET")])
    review = review_document(store, d)
    assert review.relation((ALICE_SMITH, BOB, "MET")).conflicts_with == ((BOB, ALICE_SMITH, "MET"),)
    pick_edit(store, d, review.relation((ALICE_SMITH, BOB, "MET"))).apply(store)
    edit = pick_edit(store, d, review.relation((BOB, ALICE_SMITH, "MET")))
    check_undo_redo(store, edit)
    assert gold_relation_keys(store, d) == {(BOB, ALICE_SMITH, "MET")}


def test_nested_spans_do_not_conflict_when_the_project_allows_overlap(store: Store) -> None:
    store.set_setting("allow_overlap", True)
    d = make_doc(store)
    annotate(store, d, "alice", [(0, 11, "PERSON"), (0, 5, "GIVEN_NAME")])
    annotate(store, d, "bob", [(0, 11, "PERSON"), (6, 11, "ORG")])
    review = review_document(store, d)
    assert conflict_groups(review) == []
    for it in review.spans:
        pick_edit(store, d, it).apply(store)
    assert gold_keys(store, d) == {(0, 11, "PERSON"), (0, 5, "GIVEN_NAME"), (6, 11, "ORG")}


def test_a_stale_item_is_settled_against_gold_as_it_is_now(store: Store, doc: int) -> None:
    review = review_document(store, doc)  # taken before anything is in gold
    pick_edit(store, doc, review.span(PARIS_GPE)).apply(store)
    pick_edit(store, doc, review.span(PARIS_LOC)).apply(store)
    assert gold_keys(store, doc) == {PARIS_LOC}
    assert isinstance(review.span(PARIS_LOC), SpanItem)


# -- reviewed status and progress ------------------------------------------------------------
def test_review_progress_counts_documents_two_people_finished(store: Store, doc: int) -> None:
    d2 = make_doc(store, "Bob went to Rome.", "a2")
    d3 = make_doc(store, "Nothing to see here.", "a3")
    annotate(store, d2, "alice", [(0, 3, "PERSON")])
    for a in ("alice", "bob"):
        store.set_status(doc, a, DocumentStatus.DONE)
    store.set_status(d2, "alice", DocumentStatus.DONE)  # only one person: not ready for review
    store.set_status(d3, "model:x", DocumentStatus.DONE)  # a suggester is not a person
    assert review_progress(store) == (0, 1)
    undo = mark_reviewed_edit(store, doc).apply(store)
    assert review_document(store, doc).reviewed
    assert review_progress(store) == (1, 1)
    undo.apply(store)
    assert review_progress(store) == (0, 1)
    assert store.statuses(GOLD) == {}
    store.set_status(d2, "bob", DocumentStatus.DONE)
    assert review_progress(store) == (0, 2)


def test_review_progress_without_done_statuses_counts_annotated_documents(store: Store, doc: int) -> None:
    d2 = make_doc(store, "Bob went to Rome.", "a2")
    annotate(store, d2, "model:x", [(0, 3, "PERSON")])  # suggestions only: nothing to review
    make_doc(store, "Nothing to see here.", "a3")
    assert review_progress(store) == (0, 1)
    mark_reviewed_edit(store, d2).apply(store)  # the reviewer looked at it anyway: it counts
    assert review_progress(store) == (1, 2)


# -- the result ------------------------------------------------------------------------------
def test_reviewed_gold_layer_exports(store: Store, doc: int, tmp_path: Path) -> None:
    from annotator.export import export

    accept_agreed_edit(store, doc).apply(store)
    review = review_document(store, doc)
    pick_edit(store, doc, review.span(PARIS_LOC)).apply(store)
    pick_edit(store, doc, review.relation((BOB, PARIS_GPE, "LOCATED_IN"))).apply(store)
    mark_reviewed_edit(store, doc).apply(store)
    # picking the relation over GPE brought GPE back in place of LOC: one version only
    assert gold_keys(store, doc) == {ALICE_SMITH, BOB, PARIS_GPE}

    export(store, tmp_path / "out", "jsonl", layer=GOLD)
    (path,) = (tmp_path / "out").glob("*.jsonl")
    (record,) = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert record["_annotator_id"] == GOLD
    assert {(s["start"], s["end"], s["label"]) for s in record["spans"]} == {ALICE_SMITH, BOB, PARIS_GPE}
    assert {
        ((r["head_span"]["start"], r["child_span"]["start"]), r["label"]) for r in record["relations"]
    } == {((0, 16), "MET"), ((16, 23), "LOCATED_IN")}


def test_gold_keeps_the_kb_id_and_attributes_the_annotators_agree_on(store: Store) -> None:
    """Accepting agreed spans and picking a version carry the kb id and attributes into gold
    when the people holding the span agree on them; when they differ, gold gets none (the
    reviewer decides) rather than one person's at random."""
    d = make_doc(store)
    for who in ("alice", "bob"):
        store.add_annotator(who)
    info = {"kb_id": "Q90", "attributes": {"capital": True}}
    store.add_spans([Span(d, "alice", *PARIS_GPE, **info), Span(d, "bob", *PARIS_GPE, **info),
                     Span(d, "alice", *BOB, kb_id="Q1"), Span(d, "bob", *BOB, kb_id="Q2"),
                     Span(d, "alice", *TODAY, kb_id="T1")])
    accept_agreed_edit(store, d, ["alice", "bob"]).apply(store)
    gold = {sp.key: sp for sp in store.spans(d, GOLD)}
    assert (gold[PARIS_GPE].kb_id, gold[PARIS_GPE].attrs) == ("Q90", {"capital": True})
    assert gold[BOB].kb_id == "" and gold[BOB].attributes == ()
    today = next(it for it in review_document(store, d, ["alice", "bob"]).spans if it.key == TODAY)
    pick_edit(store, d, today).apply(store)
    assert next(sp for sp in store.spans(d, GOLD) if sp.key == TODAY).kb_id == "T1"
