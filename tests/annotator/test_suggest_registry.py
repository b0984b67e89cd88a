"""The suggester registry: adding a suggester is one module plus its registration.

A toy suggester registered here (as a project model would be, in ``model:<name>@<version>``)
shows its spans through the batch job, resume, its fingerprint, worker processes, priority and
``pending_suggestions``; the built-in kinds are entries the job and the pending rule ask for."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from annotator.progress import drain
from annotator.suggest import (
    PATTERNS_LAYER,
    BuildContext,
    Suggester,
    accept_all_edit,
    is_suggester_layer,
    pending_suggestions,
    registry,
    suggest_job,
    suggestion_priority,
)
from corpus.errors import CorpusError
from corpus.model import Document, Label, Span
from corpus.store import Store
from annotator.tokenize import tokenize

TOY_LAYER = "model:toy@1"
TEXTS = ["Alice Smith met Bob in Paris.", "Paris and Rome.", "Nothing here."]


@dataclass(frozen=True)
class CapitalsSuggester:
    """Every capitalised token is a GPE (score 0.5); picklable, so it runs in worker processes."""

    word: str = ""
    layer: str = TOY_LAYER
    priority: int = 15
    parallel: bool = True

    def fingerprint(self) -> str:
        return f"capitals/{self.word}"

    def suggest(self, documents: Sequence[Document]) -> list[list[Any]]:
        out = []
        for doc in documents:
            out.append([
                (s, e, "GPE", 0.5) for s, e in doc.tokens
                if doc.text[s:e][:1].isupper() and (not self.word or doc.text[s:e] == self.word)
            ])
        return out


@pytest.fixture
def toy() -> Iterator[dict[str, Any]]:
    options: dict[str, Any] = {"word": ""}

    @registry.register("toy", priority=15, owns=lambda layer: layer.startswith("model:toy@"),
                       claims_model=lambda name: name == "toy")
    def build(ctx: BuildContext) -> list[Suggester]:
        options["seen"] = ctx.options
        return [CapitalsSuggester(options["word"])]

    yield options
    registry.unregister("toy")


def make_store() -> Store:
    store = Store(":memory:")
    store.set_labels([Label(n) for n in ("PERSON", "GPE")])
    for i, t in enumerate(TEXTS):
        toks, sents = tokenize(t)
        store.add_document(Document(text=t, name=f"d{i}", tokens=toks, sents=sents))
    store.add_annotator("alice")
    return store


def texts(store: Store, layer: str) -> list[tuple[int, str, str]]:
    return [(s.doc_id, store.get_document(s.doc_id).text[s.start:s.end], s.label) for s in store.spans(layers=layer)]


def test_builtin_kinds_are_registry_entries() -> None:
    assert [e.name for e in registry.all()][:3] == ["model", "patterns", "match"]
    assert registry.get("patterns").owns(PATTERNS_LAYER)
    assert is_suggester_layer("model:en_core_web_sm@3.8.0", "alice")
    assert is_suggester_layer("match:alice", "alice") and not is_suggester_layer("match:bob", "alice")
    assert not is_suggester_layer("alice", "alice") and not is_suggester_layer("gold", "alice")
    with pytest.raises(CorpusError, match="no suggester 'nope'"):
        registry.get("nope")


def test_a_registered_suggester_runs_in_the_job_and_its_spans_are_pending(toy: dict[str, Any]) -> None:
    store = make_store()
    report = drain(suggest_job(store, use_model=False, extra_option=7))
    assert toy["seen"] == {"extra_option": 7}
    assert texts(store, TOY_LAYER) == [(1, "Alice", "GPE"), (1, "Smith", "GPE"), (1, "Bob", "GPE"),
                                       (1, "Paris", "GPE"), (2, "Paris", "GPE"), (2, "Rome", "GPE"),
                                       (3, "Nothing", "GPE")]
    assert report.layer(TOY_LAYER).docs == 3 and report.layer(TOY_LAYER).spans == 7
    assert all(s.score == 0.5 for s in store.spans(layers=TOY_LAYER))
    pending = pending_suggestions(store, 2, "alice")
    assert [(s.start, s.end, s.layer) for s in pending] == [(0, 5, TOY_LAYER), (10, 14, TOY_LAYER)]
    # Resumed: nothing to redo. A changed fingerprint recomputes the layer.
    assert drain(suggest_job(store, use_model=False)).layer(TOY_LAYER).skipped == 3
    toy["word"] = "Paris"
    report = drain(suggest_job(store, use_model=False))
    assert report.layer(TOY_LAYER).docs == 3
    assert texts(store, TOY_LAYER) == [(1, "Paris", "GPE"), (2, "Paris", "GPE")]


def test_a_registered_suggester_runs_in_worker_processes(toy: dict[str, Any]) -> None:
    one, two = make_store(), make_store()
    drain(suggest_job(one, use_model=False, batch_size=1))
    drain(suggest_job(two, use_model=False, batch_size=1, n_process=2))
    assert texts(one, TOY_LAYER) == texts(two, TOY_LAYER) != []


def test_priority_of_a_registered_suggester_sits_between_the_builtins(toy: dict[str, Any]) -> None:
    store = make_store()
    drain(suggest_job(store, use_model=False))
    store.add_spans([
        Span(doc_id=2, layer=PATTERNS_LAYER, start=0, end=5, label="GPE"),  # same as the toy's Paris
        Span(doc_id=2, layer="model:other@1", start=10, end=14, label="GPE"),  # same as the toy's Rome
    ])
    layers = {s.start: s.layer for s in pending_suggestions(store, 2, "alice")}
    assert layers == {0: PATTERNS_LAYER, 10: TOY_LAYER}
    toy_span = Span(doc_id=2, layer=TOY_LAYER, start=0, end=5, label="GPE")
    model_span = Span(doc_id=2, layer="model:other@1", start=0, end=5, label="GPE")
    assert suggestion_priority(toy_span) < suggestion_priority(model_span)
    # Accept all takes them into the person's layer, naming their source.
    accept_all_edit(store, 2, "alice").apply(store)
    assert {s.source for s in store.spans(2, "alice")} == {"accepted:patterns", f"accepted:{TOY_LAYER}"}


def test_a_registered_suggester_can_claim_the_model_option(toy: dict[str, Any]) -> None:
    """``--model toy`` is the toy entry's: the spaCy entry steps aside instead of failing."""
    store = make_store()
    report = drain(suggest_job(store, model="toy"))
    assert report.model is None
    assert report.layer(TOY_LAYER).docs == 3
    assert not [layer for layer in store.layers() if layer.startswith("model:") and layer != TOY_LAYER]
