"""The trained project model is a suggester: a registry entry owning model:project@N, run by
``annotator suggest --model project``, writing entities and relations into its layer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.progress import drain
from annotator.suggesters import registry
from annotator.suggest import suggest_job
from annotator.tokenize import tokenize
from annotator.training import train
from annotator.training.predict import load_trained_model
from corpus.model import Document, DocumentStatus, Label, LabelKind, Relation, Span
from corpus.store import Store

GENES = ["IL-2", "p53", "Smad3", "Stat1", "Jun", "CD28", "IRF4", "Bcl-2"]


def _sentence(store: Store, rng: random.Random, done: bool) -> int:
    a, b = rng.sample(GENES, 2)
    regulates = rng.random() < 0.6
    text = f"{a} strongly activates {b} in T cells." if regulates else f"{a} and {b} were measured."
    toks, sents = tokenize(text)
    d = store.add_document(Document(text=text, tokens=toks, sents=sents))
    if done:
        sa, sb = text.index(a), text.index(b)
        ha, hb = store.add_spans([Span(d, "alice", sa, sa + len(a), "GGP"), Span(d, "alice", sb, sb + len(b), "GGP")])
        if regulates:
            store.add_relation(Relation(d, "alice", ha.id or 0, hb.id or 0, "Regulates"))
        store.set_status(d, "alice", DocumentStatus.DONE)
    return d


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("rel") / "p.db"
    rng = random.Random(1)
    with Store(db) as store:
        store.set_labels([Label("GGP"), Label("Regulates", LabelKind.RELATION)])
        store.add_annotator("alice")
        for k in range(60):
            _sentence(store, rng, done=k < 50)
        train(store, max_steps=80, eval_frequency=40)
    return db


def test_the_project_entry_owns_the_project_model_layers() -> None:
    assert registry.entry_for_layer("model:project@3").name == "project"
    assert registry.entry_for_layer("model:en_core_web_sm@3.8.0").name == "model"
    assert registry.is_suggester_layer("model:project@1", "alice")
    # --model project / project@N / the model's folder are this entry's; the spaCy entry steps aside.
    for name in ("project", "project@2", "/data/news.db.models/project-3"):
        assert registry.model_claimed_by(name) == "project"
    for name in ("en_core_web_sm", "/data/models/project-x", "/data/project-3"):
        assert registry.model_claimed_by(name) is None


@pytest.mark.slow
def test_suggest_with_the_project_model_writes_entities_and_relations_into_its_layer(trained: Path) -> None:
    with Store(trained) as store:
        report = drain(suggest_job(store, model="project"))
        layer = "model:project@1"
        assert [lr.layer for lr in report.layers][0] == layer
        assert not any(lr.layer.startswith("model:") and lr.layer != layer for lr in report.layers)
        undone = [d for d in store.document_ids() if store.status(d, "alice") is not DocumentStatus.DONE]
        spans = [sp for d in undone for sp in store.spans(d, layer)]
        assert spans and all(sp.label == "GGP" for sp in spans)
        relations = store.relations(layers=layer)
        assert relations and {r.label for r in relations} == {"Regulates"}
        by_id = {sp.id: sp for sp in store.spans(layers=layer)}
        for r in relations:  # relations link spans of the same document in the same layer
            assert by_id[r.head].doc_id == by_id[r.child].doc_id == r.doc_id
        activating = [r for r in relations if "activates" in store.get_document(r.doc_id).text]
        assert activating
        # Running again resumes: nothing redone, nothing duplicated.
        n_spans, n_rels = store.count_spans(layer), store.count_relations(layer)
        drain(suggest_job(store, model="project"))
        assert (store.count_spans(layer), store.count_relations(layer)) == (n_spans, n_rels)


@pytest.mark.slow
def test_the_suggest_command_does_not_make_the_project_model_the_default_pipeline(trained: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(trained.read_bytes())
    with Store(db) as store:
        from annotator.training import recorded_models

        path = recorded_models(store)[0].path
    assert main(["suggest", str(db), "--model", path, "--no-model"]) == 0
    assert main(["suggest", str(db), "--model", "project@1"]) == 0
    with Store(db) as store:
        assert store.get_setting("model") is None  # the CoNLL POS column and plain `suggest` are unchanged
        assert store.count_spans("model:project@1") > 0


@pytest.mark.slow
def test_the_suggest_command_stores_the_relation_models_score_on_each_relation(trained: Path, tmp_path: Path) -> None:
    db = tmp_path / "scored.db"
    db.write_bytes(trained.read_bytes())
    assert main(["suggest", str(db), "--model", "project"]) == 0
    with Store(db) as store:
        layer = "model:project@1"
        relations = store.relations(layers=layer)
        assert relations and all(r.score is not None and 0.0 < r.score <= 1.0 for r in relations)
        # the very scores the relation model gives those spans
        loaded = load_trained_model(store, "project")
        assert loaded.relations is not None
        doc_ids = sorted({r.doc_id for r in relations})
        docs = list(store.iter_documents(doc_ids))
        spans = [store.spans(d.id, layer) for d in docs]
        expected = {(d.id, sp[r.head].id, sp[r.child].id, r.label): r.score
                    for d, sp, rs in zip(docs, spans, loaded.relations_between(docs, spans)) for r in rs}
        assert {(r.doc_id, r.head, r.child, r.label): r.score for r in relations} == pytest.approx(expected)
        assert all(r.score >= loaded.relations.threshold for r in relations)
