"""The real default spaCy model on the seed article (one pipeline load, shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.progress import drain
from annotator.suggest import SuggestReport, pending_suggestions, resolve_model, suggest_job
from annotator.tokenize import tokenize
from corpus.model import Document
from corpus.resources import default_labels, seeds_dir
from corpus.store import Store

SEED = Path("/work/shared/seeds/000_ff306bfd47c852bb.txt")


@pytest.fixture(scope="module")
def suggested() -> tuple[Store, int, SuggestReport]:
    shipped = seeds_dir() / "blinken-visits-baghdad.txt"  # the seed article shipped with the program
    seed = shipped if shipped.exists() else SEED
    text = seed.read_text(encoding="utf-8")
    store = Store(":memory:")
    store.set_labels(default_labels())
    toks, sents = tokenize(text)
    doc_id = store.add_document(Document(text=text, name=seed.name, tokens=toks, sents=sents))
    store.add_annotator("alice")
    report = drain(suggest_job(store))
    return store, doc_id, report


def test_default_model_suggests_blinken_as_person(suggested: tuple[Store, int, SuggestReport]) -> None:
    store, doc_id, report = suggested
    choice = resolve_model(store)
    assert report.model == choice and choice is not None
    text = store.get_document(doc_id).text
    people = {text[s.start:s.end] for s in store.spans(doc_id, choice.layer) if s.label == "PERSON"}
    assert "Antony Blinken" in people or "Blinken" in people
    # Offsets line up with the stored tokens, and the person is shown the suggestion.
    tokens = store.get_document(doc_id).tokens
    starts, ends = {s for s, _ in tokens}, {e for _, e in tokens}
    assert all(s.start in starts and s.end in ends for s in store.spans(doc_id, choice.layer))
    shown = {(text[s.start:s.end], s.label) for s in pending_suggestions(store, doc_id, "alice")}
    assert ("Antony Blinken", "PERSON") in shown or ("Blinken", "PERSON") in shown
