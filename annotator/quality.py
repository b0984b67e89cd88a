"""How good the suggestions are: each suggester layer scored against each person.

Because suggesters are layers, suggestion quality is the same computation as agreement between
two annotators (GUIDE section 3): span precision, recall and F1 of the suggester's layer
("predicted") against a person's layer ("reference"), on the documents that person marked done.
The ``annotator stats`` command shows it under ``"suggesters"``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from corpus.model import LayerKind, Span, is_person_layer, layer_kind
from corpus.store import Store

from annotator.agreement import span_f1

__all__ = ["suggester_quality"]


def _by_doc(spans: list[Span]) -> dict[int, list[Span]]:
    out: dict[int, list[Span]] = defaultdict(list)
    for sp in spans:
        out[sp.doc_id].append(sp)
    return out


def suggester_quality(store: Store) -> dict[str, dict[str, dict[str, Any]]]:
    """``{suggester layer: {person: scores}}`` for every suggester layer and person.

    Suggester layers are the model layers and ``patterns``, compared on the documents the
    person marked done *and* the suggester processed (a model that never ran on a document is
    not blamed for missing its entities). Propagation layers (``match:<person>``) are left out:
    they are derived from the person's own layer and by construction never repeat a span the
    person has, so scoring them against that layer means nothing. Scores::

        {"docs": n, "tp": .., "fp": .., "fn": .., "precision": .., "recall": .., "f1": ..,
         "overlap_f1": .., "per_label": {label: {"tp", "fp", "fn", "precision", "recall", "f1"}}}

    Exact matching (same start, end and label); ``overlap_f1`` counts spans of the same label
    that share a character. Undefined scores (nothing to compare) are ``None``. Pairs with no
    document in common are left out.
    """
    layers = store.layers()
    suggesters = [name for name in layers if layer_kind(name) in (LayerKind.MODEL, LayerKind.PATTERNS)]
    people = sorted(set(store.annotators()) | {name for name in layers if is_person_layer(name)})
    out: dict[str, dict[str, dict[str, Any]]] = {}
    done = {p: set(store.done_documents(p)) for p in people}
    person_spans = {p: _by_doc(store.spans(layers=p)) for p in people if done[p]}
    for layer in suggesters:
        processed = store.suggested_documents(layer)
        sugg = _by_doc(store.spans(layers=layer))
        for person in people:
            if not done[person]:
                continue
            docs = done[person] & processed
            if not docs:
                continue
            pred = [sp for d in docs for sp in sugg.get(d, ())]
            ref = [sp for d in docs for sp in person_spans[person].get(d, ())]
            exact = span_f1(pred, ref, mode="exact")
            overlap = span_f1(pred, ref, mode="overlap")
            entry: dict[str, Any] = {"docs": len(docs)}
            entry.update(exact.micro.as_dict())
            entry["overlap_f1"] = overlap.micro.as_dict()["f1"]
            entry["per_label"] = {label: prf.as_dict() for label, prf in sorted(exact.per_label.items())}
            out.setdefault(layer, {})[person] = entry
    return out
