"""The suggestion threshold (issue 9): a project setting hides suggestions whose model score is
below it, in one place (the pending-suggestion rule) used by the window, review and the CLI."""

from __future__ import annotations

import pytest

from annotator.session import DocumentSession
from annotator.suggest import (
    PATTERNS_LAYER,
    THRESHOLD_SETTING,
    accept_all_edit,
    pending_suggestions,
    strong_enough,
    suggestion_threshold,
    undecided,
)
from annotator.tokenize import tokenize
from corpus.errors import AnnotationError
from corpus.model import Document, Label, Span
from corpus.store import Store

TEXT = "Alice Smith joined Acme Corp in Paris on Monday."
MODEL = "model:project@1"


def make_store() -> Store:
    store = Store(":memory:")
    store.set_labels([Label(n) for n in ("PERSON", "ORG", "GPE")])
    toks, sents = tokenize(TEXT)
    store.add_document(Document(text=TEXT, name="doc1", tokens=toks, sents=sents))
    store.add_annotator("alice")
    store.add_spans([
        Span(doc_id=1, layer=MODEL, start=0, end=11, label="PERSON", score=0.95),
        Span(doc_id=1, layer=MODEL, start=19, end=28, label="ORG", score=0.30),
        Span(doc_id=1, layer=PATTERNS_LAYER, start=32, end=37, label="GPE"),  # no score
    ])
    return store


def labels(spans) -> list[str]:
    return [s.label for s in spans]


def test_weak_suggestions_are_hidden_and_not_bulk_accepted() -> None:
    store = make_store()
    assert suggestion_threshold(store) is None
    assert labels(pending_suggestions(store, 1, "alice")) == ["PERSON", "ORG", "GPE"]
    store.set_setting(THRESHOLD_SETTING, 0.5)
    assert suggestion_threshold(store) == 0.5
    # the ORG at 0.30 is hidden; the pattern's GPE has no score and stays
    assert labels(pending_suggestions(store, 1, "alice")) == ["PERSON", "GPE"]
    accept_all_edit(store, 1, "alice").apply(store)
    assert sorted(labels(store.spans(1, "alice"))) == ["GPE", "PERSON"]
    store.set_setting(THRESHOLD_SETTING, 0)  # 0: nothing hidden
    assert labels(pending_suggestions(store, 1, "alice")) == ["ORG"]


def test_the_window_session_uses_the_same_rule() -> None:
    store = make_store()
    store.set_setting(THRESHOLD_SETTING, 0.9)
    session = DocumentSession(store, 1, "alice")
    assert labels(session.pending_spans()) == ["PERSON", "GPE"]
    assert len(session.candidates) == 3  # hidden, not gone: lowering the threshold shows it again
    store.set_setting(THRESHOLD_SETTING, 0.2)
    session.load()
    assert labels(session.pending_spans()) == ["PERSON", "ORG", "GPE"]


def test_the_rule_is_pure_and_a_score_at_the_threshold_is_kept() -> None:
    weak = Span(doc_id=1, layer=MODEL, start=0, end=5, label="PERSON", score=0.5)
    unscored = Span(doc_id=1, layer=PATTERNS_LAYER, start=6, end=11, label="PERSON")
    assert strong_enough(weak, 0.5) and not strong_enough(weak, 0.51)
    assert strong_enough(unscored, 0.99) and strong_enough(weak, None)
    assert undecided([weak, unscored], [], [], threshold=0.6) == [unscored]


@pytest.mark.parametrize("bad", ["high", 1.5, -0.1, True, [0.5]])
def test_a_bad_threshold_setting_is_one_clear_error(bad) -> None:
    store = make_store()
    store.set_setting(THRESHOLD_SETTING, bad)
    with pytest.raises(AnnotationError, match="suggestion_threshold"):
        pending_suggestions(store, 1, "alice")
