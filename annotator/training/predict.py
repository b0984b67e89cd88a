"""A trained model at work: entities (and relations) predicted for stored documents.

:class:`LoadedModel` wraps a spaCy pipeline (a project model ``project@N``, a pipeline folder or
an installed package) and its relation model when it has one. Predictions are made on the
stored tokens, so offsets line up with the project's spans. Entities come from ``doc.ents``
(score ``None``: the greedy NER gives none) and from the span categorizer's ``doc.spans["sc"]``
(with its score) when the pipeline has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.model import Document, Span
from corpus.store import Store

from annotator.tokenize import doc_from_offsets
from annotator.training.data import TrainingError
from annotator.training.models import ModelRecord, resolve_model_name
from annotator.training.relations import RelationModel, ScoredRelation

__all__ = ["LoadedModel", "load_trained_model", "load_pipeline", "PredictedEntity"]


@dataclass(frozen=True)
class PredictedEntity:
    """An entity a model predicts: character offsets (end exclusive), label, score."""

    start: int
    end: int
    label: str
    score: float | None = None


@dataclass
class LoadedModel:
    """A loaded pipeline, its relation model (or ``None``) and its project record (or ``None``)."""

    name: str
    nlp: Any
    relations: RelationModel | None
    record: ModelRecord | None

    @property
    def layer(self) -> str:
        """The suggestion layer of this model (``model:project@N`` or ``model:<name>``)."""
        if self.record is not None:
            return self.record.suggestion_layer
        meta = self.nlp.meta
        return f"model:{meta.get('lang', 'xx')}_{meta.get('name', self.name)}@{meta.get('version', '0')}"

    def entities(self, documents: Sequence[Document]) -> list[list[PredictedEntity]]:
        """Predicted entities of each document, by position, one per (start, end, label)."""
        return [ents for ents, _ in self.scored_entities(documents)]

    def scored_entities(self, documents: Sequence[Document]) -> list[tuple[list[PredictedEntity], float]]:
        """Per document: its entities with scores, and the model's uncertainty about it (the
        largest ``1 - p`` of any NER decision, p being the probability of the move taken)."""
        ner = next((n for n in self.nlp.pipe_names if self.nlp.get_pipe_meta(n).factory == "ner"), None)
        made = (doc_from_offsets(self.nlp.vocab, d) for d in documents)
        docs = list(self.nlp.pipe(made, disable=[ner] if ner else []))
        decided = _greedy_ner(self.nlp.get_pipe(ner), docs) if ner else [({}, 0.0) for _ in docs]
        out = []
        for doc, (ner_scores, uncertainty) in zip(docs, decided):
            found: dict[tuple[int, int, str], float | None] = {}
            for e in doc.ents:
                found[(e.start_char, e.end_char, e.label_)] = ner_scores.get((e.start, e.end, e.label_))
            group = doc.spans.get("sc") if "spancat" in self.nlp.pipe_names else None
            if group is not None:
                scores = group.attrs.get("scores")
                for k, sp in enumerate(group):
                    key = (sp.start_char, sp.end_char, sp.label_)
                    found[key] = float(scores[k]) if scores is not None else found.get(key)
            ents = [PredictedEntity(s, e, lab, sc) for (s, e, lab), sc in sorted(found.items())]
            out.append((ents, uncertainty))
        return out

    def relations_between(self, documents: Sequence[Document], spans: Sequence[Sequence[Span]],
                          threshold: float | None = None) -> list[list[ScoredRelation]]:
        """Relations the relation model proposes between the given spans of each document
        (indexes into each document's span list); empty lists without a relation model."""
        if self.relations is None:
            return [[] for _ in documents]
        return self.relations.predict(documents, spans, threshold)


def load_trained_model(store: Store, name: str) -> LoadedModel:
    """Load ``name`` (``project``, ``project@N``, a pipeline folder or a package).

    Raises :class:`TrainingError` (one line) when it cannot be loaded or has no entity recognizer.
    """
    target, record = resolve_model_name(store, name)
    return load_pipeline(target, name, record)


def load_pipeline(target: str, name: str, record: ModelRecord | None = None) -> LoadedModel:
    """Load the pipeline at ``target`` (what ``spacy.load`` takes: a folder or a package),
    ``name`` being what the user asked for (for messages). No project needed: a Dask worker
    loads a model this way, by the path the project resolved.

    Raises :class:`TrainingError` (one line) when it cannot be loaded or has no entity recognizer.
    """
    import spacy

    try:
        nlp = spacy.load(target)
    except Exception as exc:  # noqa: BLE001 - spaCy raises many kinds; the user needs one line
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise TrainingError(f"--model {name!r}: cannot load the spaCy pipeline ({first})") from None
    if not any(nlp.get_pipe_meta(n).factory in ("ner", "beam_ner", "spancat", "entity_ruler") for n in nlp.pipe_names):
        raise TrainingError(f"--model {name!r}: the pipeline has no entity recognizer")
    keep = {"tok2vec", "ner", "beam_ner", "spancat", "entity_ruler", "transformer"}
    for n in nlp.pipe_names:
        if nlp.get_pipe_meta(n).factory not in keep:
            nlp.disable_pipe(n)
    folder = Path(target)
    relations = RelationModel.load(folder) if folder.is_dir() else None
    return LoadedModel(name=record.name if record else name, nlp=nlp, relations=relations, record=record)


def _greedy_ner(ner: Any, docs: list[Any]) -> list[tuple[dict[tuple[int, int, str], float], float]]:
    """Run ``ner`` greedily on ``docs`` (already through its tok2vec), as spaCy's own greedy
    parse does, keeping the probability of each move taken (softmax over the valid moves).

    Sets ``doc.ents`` and returns per document: ``{(start token, end token, label): the lowest
    probability of the moves that made the entity}`` and the largest ``1 - p`` of any move.
    Each NER move (B, I, L, U, O) consumes one token, so move k decides token k.
    """
    import numpy

    if not docs:
        return []
    moves = ner.moves
    names = [moves.get_class_name(i) for i in range(moves.n_moves)]
    states = moves.init_batch(docs)
    step_model = ner.model.predict(docs)
    probs: list[list[float]] = [[] for _ in docs]
    index = {id(s): k for k, s in enumerate(states)}
    todo = [s for s in states if not s.is_final()]
    while todo:
        scores = numpy.asarray(step_model.predict(todo))
        for state, row in zip(todo, scores):
            valid = [i for i, n in enumerate(names) if moves.is_valid(state, n)]
            v = row[valid]
            p = numpy.exp(v - v.max())
            p /= p.sum()
            best = int(numpy.argmax(v))
            probs[index[id(state)]].append(float(p[best]))
            moves.apply_transition(state, names[valid[best]])
        todo = [s for s in todo if not s.is_final()]
    ner.set_annotations(docs, states)
    out = []
    for doc, ps in zip(docs, probs):
        ent_scores = {(e.start, e.end, e.label_): min(ps[e.start:e.end], default=1.0) for e in doc.ents}
        out.append((ent_scores, max((1.0 - p for p in ps), default=0.0)))
    return out
