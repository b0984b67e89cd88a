"""annotator evaluate: entity P/R/F (exact spans, per label), relations end to end and given
the layer's entities, on a layer's done documents; the JSON shape scripts rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.tokenize import tokenize
from annotator.training.evaluate import evaluate
from annotator.training.relations import RelationModel
from corpus.model import Document, DocumentStatus, Relation, Span
from corpus.store import Store


@pytest.fixture()
def ruler_model(tmp_path: Path) -> Path:
    """A pipeline that finds exactly "Nike" and "Gucci" (BRAND) and "Paris" (CITY), with a
    relation model proposing SOLD_IN from a BRAND to a CITY when "in" lies between them."""
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "BRAND", "pattern": "Nike"}, {"label": "BRAND", "pattern": "Gucci"},
                        {"label": "CITY", "pattern": "Paris"}])
    out = tmp_path / "ruler"
    nlp.to_disk(out)
    RelationModel(labels=["SOLD_IN"], weights={"SOLD_IN": {"pair=BRAND|CITY|hc": 5.0, "bw=in": 5.0}},
                  intercepts={"SOLD_IN": -7.5}, threshold=0.5, parser=None).save(out)
    return out


def _add(store: Store, text: str, spans: list[tuple[str, str]], rels: list[tuple[int, int, str]]) -> None:
    toks, sents = tokenize(text)
    d = store.add_document(Document(text=text, tokens=toks, sents=sents))
    made = store.add_spans([Span(d, "alice", text.index(w), text.index(w) + len(w), lab) for w, lab in spans])
    store.add_relations([Relation(d, "alice", made[h].id or 0, made[c].id or 0, lab) for h, c, lab in rels])
    store.set_status(d, "alice", DocumentStatus.DONE)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    db = tmp_path / "p.db"
    with Store(db) as store:
        store.add_annotator("alice")
        # Found: Nike, Paris and the relation.
        _add(store, "Nike sells shoes in Paris.", [("Nike", "BRAND"), ("Paris", "CITY")], [(0, 1, "SOLD_IN")])
        # Gucci is missed by the layer's relation (the model proposes it), Adidas missed by the model.
        _add(store, "Gucci opened in Paris with Adidas.", [("Gucci", "BRAND"), ("Paris", "CITY"), ("Adidas", "BRAND")], [])
        # The layer's span is longer than the model's: an entity error, and its relation is lost end to end.
        _add(store, "Nike Air arrived in Paris.", [("Nike Air", "BRAND"), ("Paris", "CITY")], [(0, 1, "SOLD_IN")])
        # Not done: not evaluated.
        toks, sents = tokenize("Gucci in Paris.")
        store.add_document(Document(text="Gucci in Paris.", tokens=toks, sents=sents))
    return db


def test_entities_and_relations_are_scored_exactly(project: Path, ruler_model: Path) -> None:
    with Store(project) as store:
        report = evaluate(store, str(ruler_model))
    assert report.documents == 3 and report.seen_documents == 0
    ents = report.entities
    # gold 7 spans; predicted Nike, Paris, Gucci, Paris, Nike, Paris = 6; correct 5 (not "Nike" for "Nike Air").
    assert (ents["gold"], ents["predicted"]) == (7, 6)
    assert ents["p"] == round(5 / 6, 4) and ents["r"] == round(5 / 7, 4)
    assert ents["per_label"]["CITY"] == {"p": 1.0, "r": 1.0, "f": 1.0}
    assert ents["per_label"]["BRAND"] == {"p": round(2 / 3, 4), "r": 0.5, "f": round(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), 4)}
    # End to end: proposed Nike->Paris (right), Gucci->Paris (wrong), Nike->Paris in doc 3 (wrong span).
    rel = report.relations
    assert (rel["gold"], rel["predicted"], rel["p"], rel["r"]) == (2, 3, round(1 / 3, 4), 0.5)
    assert set(rel["per_label"]) == {"SOLD_IN"}
    # Given the layer's spans: Nike->Paris, Gucci->Paris, "Nike Air"->Paris: 2 of 3 right, both found.
    given = report.relations_given_entities
    assert (given["gold"], given["predicted"], given["p"], given["r"]) == (2, 3, round(2 / 3, 4), 1.0)


def test_evaluate_command_prints_the_documented_json(project: Path, ruler_model: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(project), "--model", str(ruler_model), "--layer", "alice", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["documents"] == 3
    assert {"p", "r", "f", "per_label"} <= set(out["entities"])
    assert {"p", "r", "f", "per_label"} <= set(out["relations"])
    assert {"p", "r", "f"} <= set(out["relations_given_entities"])
    assert set(out["entities"]["per_label"]["BRAND"]) == {"p", "r", "f"}


def test_evaluate_without_a_trained_project_model_says_so(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(project), "--model", "project"]) == 2
    err = capsys.readouterr().err
    assert "no trained project model yet" in err and len(err.strip().splitlines()) == 1
