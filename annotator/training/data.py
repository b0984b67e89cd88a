"""Which documents a project model learns from, and the spaCy docs built from them.

The rule (issue 9): the documents marked *done* in a layer. Without ``layer`` the reviewer's
``gold`` layer is used when it has any done document; otherwise every person's done documents,
each document counted once -- when several people marked one document done, the first of them in
name order supplies its annotations (so a document is never taught twice with two versions).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from corpus.errors import CorpusError
from corpus.model import GOLD, Document, Relation, Span, is_person_layer
from corpus.store import Store
from corpus.store import reports as q
from corpus.settings import project_lang

from annotator.tokenize import tokenize

__all__ = [
    "TrainingError",
    "Example",
    "TrainingSelection",
    "select_training",
    "iter_examples",
    "split_ids",
    "project_lang",
]


class TrainingError(CorpusError):
    """Training or evaluating a project model cannot go on (one line for the user)."""


@dataclass(frozen=True)
class Example:
    """One done document with the annotations of the layer that supplies it."""

    document: Document
    layer: str
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]


@dataclass(frozen=True)
class TrainingSelection:
    """Documents to learn from: ``sources`` maps each document id to the layer supplying it."""

    description: str
    sources: dict[int, str]

    @property
    def doc_ids(self) -> list[int]:
        """The documents, in id order."""
        return sorted(self.sources)



def select_training(store: Store, layer: str | None = None) -> TrainingSelection:
    """The done documents of ``layer`` (see the module docstring for ``None``).

    Raises :class:`TrainingError` naming the layer when it is unknown or has no done document.
    """
    if layer:
        if layer != GOLD and layer not in store.layers() and layer not in store.annotators():
            known = ", ".join(store.layers()) or "none yet"
            raise TrainingError(f"{store.path}: no layer {layer!r} in this project (layers: {known})")
        done = q.done_document_ids(store, layer)
        if not done:
            raise TrainingError(f"{store.path}: layer {layer!r} has no document marked done")
        return TrainingSelection(f"layer {layer}", {d: layer for d in done})
    gold = q.done_document_ids(store, GOLD)
    if gold:
        return TrainingSelection("layer gold", {d: GOLD for d in gold})
    sources: dict[int, str] = {}
    people = sorted(p for p in store.annotators() if is_person_layer(p))
    for person in people:
        for d in q.done_document_ids(store, person):
            sources.setdefault(d, person)
    if not sources:
        raise TrainingError(
            f"{store.path}: no document is marked done (in gold or by anyone); mark some done first"
        )
    who = sorted(set(sources.values()))
    return TrainingSelection("done documents of " + ", ".join(who), sources)


def iter_examples(store: Store, sources: dict[int, str], doc_ids: Sequence[int] | None = None,
                  batch_size: int = 200) -> Iterator[Example]:
    """Each selected document (``doc_ids``, default all, in id order) with its layer's spans and
    relations; a document stored without tokens is tokenised as an import would have."""
    ids = sorted(sources) if doc_ids is None else list(doc_ids)
    lang = project_lang(store)
    by_layer: dict[str, list[int]] = {}
    for d in ids:
        by_layer.setdefault(sources[d], []).append(d)
    found: dict[int, Example] = {}
    for layer, layer_ids in by_layer.items():
        for ad in q.iter_annotated(store, layer, layer_ids, batch_size):
            doc = ad.document
            if not doc.tokens and doc.text:
                tokens, sents = tokenize(doc.text, lang)
                doc = replace(doc, tokens=tokens, sents=sents)
            found[doc.id or 0] = Example(doc, layer, ad.spans, ad.relations)
    for d in ids:
        if d in found:
            yield found[d]


def split_ids(doc_ids: Sequence[int], dev_fraction: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """(train, dev): ``round(dev_fraction * n)`` documents for dev, at least one when the
    fraction is positive and there are two documents or more, chosen by ``seed``."""
    if not 0.0 <= dev_fraction < 1.0:
        raise TrainingError(f"--dev-fraction must be at least 0 and below 1, got {dev_fraction}")
    ids = sorted(doc_ids)
    if dev_fraction <= 0 or len(ids) < 2:
        return ids, []
    k = min(len(ids) - 1, max(1, round(dev_fraction * len(ids))))
    dev = set(random.Random(seed).sample(ids, k))
    return [d for d in ids if d not in dev], sorted(dev)
