"""A suggester's relation scores in the exports: Prodigy JSONL and Label Studio predictions carry
them; spaCy's ``doc._.rel`` keeps 1.0 (the reference a relation model trains on) so every
relation still reads back as holding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin

from annotator.export import export
from annotator.importing import import_paths
from annotator.tokenize import tokenize
from corpus.model import Document, Relation, Span
from corpus.store import Store

LAYER = "model:project@2"
TEXT = "Angela Merkel works for Siemens in Berlin."


@pytest.fixture
def store() -> Store:
    st = Store(":memory:")
    tokens, sents = tokenize(TEXT)
    d = st.add_document(Document(text=TEXT, name="merkel", tokens=tokens, sents=sents))
    merkel, siemens, berlin = st.add_spans([
        Span(d, LAYER, 0, 13, "PERSON", source=LAYER, score=0.9),
        Span(d, LAYER, 24, 31, "ORG", source=LAYER, score=0.8),
        Span(d, LAYER, 35, 41, "GPE", source=LAYER, score=0.7),
    ])
    st.add_relations([Relation(d, LAYER, merkel.id, siemens.id, "works_for", source=LAYER, score=0.875),
                      Relation(d, LAYER, siemens.id, berlin.id, "located_in", source=LAYER, score=0.25)])
    m2, s2 = st.add_spans([Span(d, "alice", 0, 13, "PERSON"), Span(d, "alice", 24, 31, "ORG")])
    st.add_relation(Relation(d, "alice", m2.id, s2.id, "works_for"))
    return st


def test_prodigy_jsonl_relations_carry_a_suggesters_score(store: Store, tmp_path: Path) -> None:
    export(store, tmp_path / "model.jsonl", "jsonl", layer=LAYER)
    (rec,) = [json.loads(x) for x in (tmp_path / "model.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["label"], r["score"]) for r in rec["relations"]] == [("works_for", 0.875), ("located_in", 0.25)]
    export(store, tmp_path / "alice.jsonl", "jsonl", layer="alice")  # a person's relation: no score key
    (mine,) = [json.loads(x) for x in (tmp_path / "alice.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [sorted(r) for r in mine["relations"]] == [["child", "child_span", "head", "head_span", "label"]]
    target = Store(":memory:")  # Prodigy's reader (ours) still reads the file
    import_paths(target, [tmp_path / "model.jsonl"], fmt="prodigy")
    assert sorted(r.label for r in target.relations()) == ["located_in", "works_for"]


def test_label_studio_predictions_carry_relation_scores(store: Store, tmp_path: Path) -> None:
    export(store, tmp_path, "label-studio", layer=LAYER)
    (task,) = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    (pred,) = task["predictions"]
    rels = [(r["labels"], r["score"]) for r in pred["result"] if r["type"] == "relation"]
    assert rels == [(["works_for"], 0.875), (["located_in"], 0.25)]


def test_spacy_doc_rel_keeps_one_for_a_scored_relation(store: Store, tmp_path: Path) -> None:
    report = export(store, tmp_path, "spacy", layer=LAYER)
    assert report.relations == 2
    if not Doc.has_extension("rel"):
        Doc.set_extension("rel", default={})
    (doc,) = DocBin(store_user_data=True).from_disk(tmp_path / "train.spacy").get_docs(spacy.blank("en").vocab)
    assert sorted(v for scores in doc._.rel.values() for v in scores.values()) == [1.0, 1.0]
    target = Store(":memory:")  # the 0.25 relation still holds when read back
    import_paths(target, [tmp_path / "train.spacy"], fmt="spacy")
    assert sorted(r.label for r in target.relations()) == ["located_in", "works_for"]
