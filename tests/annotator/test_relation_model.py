"""The relation model: learns labelled, directed relations between a document's spans from the
project's relations, proposes them with a score, survives a save and load, picks its threshold
on dev; and as a suggester it writes relations into model:project@N."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from annotator.tokenize import tokenize
from annotator.training.data import Example
from annotator.training.relations import RelationModel, best_threshold, train_relation_model
from corpus.model import Document, Relation, Span

GENES = ["IL-2", "p53", "NF-kB", "Smad3", "TGF-beta", "c-Fos", "Stat1", "Jun", "Bcl-2", "Id1", "CD28", "IRF4"]
TEMPLATES = [
    ("{a} strongly activates {b} in T cells.", [("Regulates", 0, 1)]),
    ("In these cells {a} was induced by {b}.", [("Regulates", 1, 0)]),
    ("{a} binds {b} directly.", [("Binds", 0, 1), ("Binds", 1, 0)]),
    ("{a} and {b} were both measured in the samples.", []),
    ("Levels of {a} did not change, unlike {b}.", []),
]


def _example(k: int, rng: random.Random, template: int | None = None) -> Example:
    text_t, rels = TEMPLATES[k % len(TEMPLATES) if template is None else template]
    a, b = rng.sample(GENES, 2)
    text = text_t.format(a=a, b=b)
    toks, sents = tokenize(text)
    doc = Document(text=text, tokens=toks, sents=sents, id=k + 1)
    sa, sb = text.index(a), text.index(b)
    spans = (Span(k + 1, "alice", sa, sa + len(a), "GGP", id=2 * k + 1),
             Span(k + 1, "alice", sb, sb + len(b), "GGP", id=2 * k + 2))
    relations = tuple(Relation(k + 1, "alice", spans[h].id or 0, spans[c].id or 0, lab) for lab, h, c in rels)
    return Example(doc, "alice", spans, relations)


@pytest.fixture(scope="module")
def trained() -> tuple[RelationModel, dict]:
    rng = random.Random(0)
    train = [_example(k, rng) for k in range(60)]
    dev = [_example(k, rng) for k in range(60, 80)]
    return train_relation_model(train, dev, "en")


def _found(model: RelationModel, ex: Example) -> set[tuple[str, str, str]]:
    text = ex.document.text
    (found,) = model.predict([ex.document], [list(ex.spans)])
    return {(r.label, ex.spans[r.head].text_in(text), ex.spans[r.child].text_in(text)) for r in found}


def test_the_relation_model_proposes_labelled_directed_relations_on_new_sentences(trained: tuple[RelationModel, dict]) -> None:
    model, scores = trained
    assert model.labels == ["Binds", "Regulates"]
    assert scores["dev_relations"] > 0 and scores["f"] > 0.9
    rng = random.Random(7)
    for template in range(len(TEMPLATES)):
        ex = _example(100 + template, rng, template)
        text = ex.document.text
        gold = {(r.label, next(s for s in ex.spans if s.id == r.head).text_in(text),
                 next(s for s in ex.spans if s.id == r.child).text_in(text)) for r in ex.relations}
        assert _found(model, ex) == gold, text


def test_scores_are_probabilities_and_survive_save_and_load(trained: tuple[RelationModel, dict], tmp_path: Path) -> None:
    model, _ = trained
    ex = _example(0, random.Random(3), 0)
    (before,) = model.predict([ex.document], [list(ex.spans)], threshold=0.0)
    assert all(0.0 <= r.score <= 1.0 for r in before)
    assert len(before) == 2 * len(model.labels)  # both directions of the one pair, every label
    model.save(tmp_path)
    loaded = RelationModel.load(tmp_path)
    assert loaded is not None and loaded.threshold == model.threshold
    (after,) = loaded.predict([ex.document], [list(ex.spans)], threshold=0.0)
    assert [(r.head, r.child, r.label, round(r.score, 9)) for r in after] == \
        [(r.head, r.child, r.label, round(r.score, 9)) for r in before]
    assert RelationModel.load(tmp_path / "missing") is None


def test_the_threshold_is_the_cut_with_the_best_f1() -> None:
    # Three gold relations; scores of the candidates (score, is gold).
    scored = [(0.9, True), (0.8, False), (0.7, True), (0.4, True), (0.3, False), (0.2, False)]
    t, prf = best_threshold(scored, n_gold=3)
    # Keeping down to 0.4: 3 found of 4 proposed -> P 0.75 R 1.0 F 0.857 (better than keeping
    # only 0.9: P 1 R 0.33 F 0.5); the cut lies midway to the next score, 0.3.
    assert t == pytest.approx(0.35) and prf == {"p": 0.75, "r": 1.0, "f": 0.8571}


def test_training_without_relations_is_a_clear_error() -> None:
    from annotator.training.data import TrainingError

    rng = random.Random(0)
    plain = [_example(k, rng, 3) for k in range(4)]
    with pytest.raises(TrainingError, match="no relation"):
        train_relation_model(plain, plain, "en")
