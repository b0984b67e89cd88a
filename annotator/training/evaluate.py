"""How good a model is on a layer's done documents: entities, relations, relations given entities.

* **entities**: exact spans (start, end, label), micro P/R/F and per label;
* **relations** (end to end): the relation model run on the model's own entities; a relation
  counts when its head offsets, child offsets and label match a relation of the layer;
* **relations_given_entities**: the relation model run on the layer's own spans.

A model without a relation model predicts no relation (recall 0 where the layer has some).
The report says how many of the evaluated documents the model was trained on
(``seen_documents``): scores on them are not a measure of what it does on new text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

from corpus.model import Span
from corpus.store import Store

from annotator.progress import Progress, drain
from annotator.training.data import Example, iter_examples, select_training
from annotator.training.predict import LoadedModel, load_trained_model
from annotator.training.relations import relation_prf

__all__ = ["EvaluationReport", "PRFCounts", "evaluate_job", "evaluate", "score_examples"]

BATCH = 64


@dataclass(frozen=True)
class EvaluationReport:
    """Scores of one model on one set of done documents (``as_dict`` is the ``--json`` shape)."""

    model: str
    source: str
    documents: int
    seen_documents: int
    entities: dict[str, Any]
    relations: dict[str, Any]
    relations_given_entities: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """``{"documents", "entities": {p, r, f, per_label}, "relations": {...}, ...}``."""
        return {"model": self.model, "layer": self.source, "documents": self.documents,
                "seen_documents": self.seen_documents, "entities": self.entities,
                "relations": self.relations, "relations_given_entities": self.relations_given_entities}


class PRFCounts:
    """True positives, false positives and false negatives per label."""

    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()

    def add(self, gold: set[tuple[Any, ...]], pred: set[tuple[Any, ...]]) -> None:
        """Count one document: keys are tuples whose last item is the label."""
        for key in pred & gold:
            self.tp[key[-1]] += 1
        for key in pred - gold:
            self.fp[key[-1]] += 1
        for key in gold - pred:
            self.fn[key[-1]] += 1

    def result(self, per_label: bool = True) -> dict[str, Any]:
        """Micro P/R/F, the gold and predicted counts, and (``per_label``) P/R/F per label."""
        out: dict[str, Any] = relation_prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))
        out["gold"] = sum(self.tp.values()) + sum(self.fn.values())
        out["predicted"] = sum(self.tp.values()) + sum(self.fp.values())
        if per_label:
            labels = sorted(set(self.tp) | set(self.fp) | set(self.fn))
            out["per_label"] = {lab: relation_prf(self.tp[lab], self.fp[lab], self.fn[lab]) for lab in labels}
        return out


def _gold_relations(ex: Example) -> set[tuple[int, int, int, int, str]]:
    by_id = {sp.id: sp for sp in ex.spans}
    out = set()
    for rel in ex.relations:
        h, c = by_id.get(rel.head), by_id.get(rel.child)
        if h is not None and c is not None:
            out.add((h.start, h.end, c.start, c.end, rel.label))
    return out


def score_examples(model: LoadedModel, examples: Sequence[Example], counts: tuple[PRFCounts, PRFCounts, PRFCounts]
                   ) -> None:
    """Add one batch of examples to the (entities, relations, relations given entities) counts."""
    ents, rels, given = counts
    docs = [ex.document for ex in examples]
    predicted = model.entities(docs)
    pred_spans = [[Span(ex.document.id or 0, "pred", p.start, p.end, p.label) for p in pe]
                  for ex, pe in zip(examples, predicted)]
    end_to_end = model.relations_between(docs, pred_spans)
    on_gold = model.relations_between(docs, [list(ex.spans) for ex in examples])
    for ex, spans, e2e, og in zip(examples, pred_spans, end_to_end, on_gold):
        ents.add({sp.key for sp in ex.spans}, {sp.key for sp in spans})
        gold_rel = _gold_relations(ex)
        rels.add(gold_rel, {(spans[r.head].start, spans[r.head].end, spans[r.child].start, spans[r.child].end,
                             r.label) for r in e2e})
        g = list(ex.spans)
        given.add(gold_rel, {(g[r.head].start, g[r.head].end, g[r.child].start, g[r.child].end, r.label)
                             for r in og})


def evaluate_job(store: Store, model: str, layer: str | None = None
                 ) -> Generator[Progress, None, EvaluationReport]:
    """Score ``model`` (``project``, ``project@N``, a folder or a package) on the done documents
    of ``layer`` (default as for training: gold when it has any, else each person's)."""
    selection = select_training(store, layer)
    loaded = load_trained_model(store, model)
    ids = selection.doc_ids
    counts = (PRFCounts(), PRFCounts(), PRFCounts())
    batch: list[Example] = []
    done = 0
    yield Progress(0, len(ids), "evaluate")
    for ex in iter_examples(store, selection.sources):
        batch.append(ex)
        if len(batch) >= BATCH:
            score_examples(loaded, batch, counts)
            done += len(batch)
            batch = []
            yield Progress(done, len(ids), "evaluate")
    if batch:
        score_examples(loaded, batch, counts)
    seen = set(loaded.record.documents) if loaded.record else set()
    return EvaluationReport(
        model=loaded.name, source=selection.description, documents=len(ids),
        seen_documents=len(seen & set(ids)), entities=counts[0].result(), relations=counts[1].result(),
        relations_given_entities=counts[2].result(),
    )


def evaluate(store: Store, model: str, layer: str | None = None) -> EvaluationReport:
    """Run :func:`evaluate_job` to its end and return its report."""
    report = drain(evaluate_job(store, model, layer))
    assert isinstance(report, EvaluationReport)
    return report
