"""Most useful next: undone documents ordered by the model's uncertainty; the NER scores that
ordering and suggestions carry."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from annotator.tokenize import tokenize
from annotator.training import train
from annotator.training.predict import LoadedModel, PredictedEntity
from annotator.training.useful import most_useful_next, uncertainty_job, undone_documents
from annotator.progress import drain
from corpus.model import Document, DocumentStatus, Span
from corpus.store import Store


class _Known(LoadedModel):
    """A model whose uncertainty about a document is written in its text (for exact orders)."""

    def __init__(self) -> None:
        super().__init__(name="known", nlp=None, relations=None, record=None)

    def scored_entities(self, documents: Sequence[Document]) -> list[tuple[list[PredictedEntity], float]]:
        return [([], float(d.text.split()[-1])) for d in documents]


def _store(uncertainties: list[float]) -> tuple[Store, list[int]]:
    store = Store(":memory:")
    ids = [store.add_document(Document(text=f"document {k} {u}")) for k, u in enumerate(uncertainties)]
    store.add_annotator("alice")
    store.add_annotator("bob")
    return store, ids


def test_most_uncertain_undone_documents_come_first() -> None:
    store, ids = _store([0.1, 0.9, 0.5, 0.9, 0.7, 0.3])
    store.set_status(ids[4], "alice", DocumentStatus.DONE)
    store.set_status(ids[5], "alice", DocumentStatus.SKIPPED)
    store.set_status(ids[2], "alice", DocumentStatus.IN_PROGRESS)
    store.set_status(ids[0], "bob", DocumentStatus.DONE)  # bob's work does not hide it from alice
    order = most_useful_next(store, "alice", _Known())
    assert order == [ids[1], ids[3], ids[2], ids[0]]  # ties in id order; done and skipped left out
    assert undone_documents(store, "bob") == [i for i in ids if i != ids[0]]
    scored = drain(uncertainty_job(store, "alice", _Known()))
    assert [u for _, u in scored] == [0.9, 0.9, 0.5, 0.1]


def _sentence(store: Store, text: str, brand: str | None, done: bool) -> int:
    toks, sents = tokenize(text)
    d = store.add_document(Document(text=text, tokens=toks, sents=sents))
    if done:
        if brand:
            s = text.index(brand)
            store.add_span(Span(d, "alice", s, s + len(brand), "BRAND"))
        store.set_status(d, "alice", DocumentStatus.DONE)
    return d


@pytest.mark.slow
def test_a_trained_model_scores_its_entities_and_orders_the_rest(tmp_path: Path) -> None:
    rng = random.Random(0)
    brands = ["Nike", "Gucci", "Prada", "Adidas", "Zara", "Uniqlo"]
    with Store(tmp_path / "p.db") as store:
        store.add_annotator("alice")
        for k in range(40):
            b = rng.choice(brands)
            _sentence(store, f"I bought new shoes from {b} yesterday.", b, done=True)
        todo = [_sentence(store, t, None, done=False) for t in (
            "Yesterday I bought new shoes from Gucci.", "Quantum chromodynamics rarely sells socks.",
            "She wore Prada and Zara to the Uniqlo party.")]
        report = train(store, max_steps=60, eval_frequency=30)
        order = most_useful_next(store, "alice")
        assert sorted(order) == todo
        scored = drain(uncertainty_job(store, "alice"))
        assert [u for _, u in scored] == sorted((u for _, u in scored), reverse=True)
        assert all(0.0 <= u <= 1.0 for _, u in scored)
        from annotator.training.predict import load_trained_model

        model = load_trained_model(store, report.record.path)
        (ents,) = model.entities([store.get_document(todo[0])])
        text = store.get_document(todo[0]).text
        gucci = [e for e in ents if (text[e.start:e.end], e.label) == ("Gucci", "BRAND")]
        assert gucci and gucci[0].score is not None and 0.5 < gucci[0].score <= 1.0
        assert all(e.score is not None and 0.0 < e.score <= 1.0 for e in ents)


@pytest.mark.slow
def test_retraining_is_due_after_k_new_done_documents_and_a_new_model_only_suggests_on_untouched(tmp_path: Path) -> None:
    from annotator.training.loop import retrain_due, suggest_untouched_job, untouched_documents

    rng = random.Random(1)
    brands = ["Nike", "Gucci", "Prada", "Zara"]
    with Store(tmp_path / "p.db") as store:
        store.add_annotator("alice")
        first = [_sentence(store, f"I got a {c} coat from {b}.", b, done=True)
                 for c, b in zip(["red", "blue", "green", "black", "white", "grey", "pink", "tan"],
                                 [rng.choice(brands) for _ in range(8)])]
        later = [_sentence(store, f"My {c} scarf is from Nike.", "Nike", done=False) for c in ("new", "old", "long")]
        store.set_setting("retrain_every", 2)
        assert retrain_due(store)  # no model yet and 8 done
        train(store, max_steps=20, eval_frequency=10)
        assert not retrain_due(store)
        assert untouched_documents(store) == later
        drain(suggest_untouched_job(store))
        assert store.suggested_documents("model:project@1") == set(later)
        assert not store.spans(first[0], "model:project@1")  # done documents get no new suggestions
        # alice works on one document and finishes two more: a retrain is due.
        store.set_status(later[0], "alice", DocumentStatus.IN_PROGRESS)
        for d in later[1:]:
            s = store.get_document(d).text.index("Nike")
            store.add_span(Span(d, "alice", s, s + 4, "BRAND"))
            store.set_status(d, "alice", DocumentStatus.DONE)
        assert retrain_due(store)
        extra = _sentence(store, "A Prada bag for my sister.", None, done=False)
        kept = store.spans(later[0], "model:project@1")
        train(store, max_steps=20, eval_frequency=10)
        assert drain(suggest_untouched_job(store)) == [extra]
        assert store.suggested_documents("model:project@2") == {extra}
        assert store.spans(later[0], "model:project@1") == kept  # a touched document keeps its suggestions
        store.set_setting("retrain_every", "often")
        with pytest.raises(Exception, match="retrain_every"):
            retrain_due(store)
