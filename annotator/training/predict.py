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

__all__ = ["LoadedModel", "load_trained_model", "PredictedEntity"]


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
        docs = self.nlp.pipe(doc_from_offsets(self.nlp.vocab, d) for d in documents)
        out = []
        for doc in docs:
            found: dict[tuple[int, int, str], float | None] = {
                (e.start_char, e.end_char, e.label_): None for e in doc.ents
            }
            group = doc.spans.get("sc") if "spancat" in self.nlp.pipe_names else None
            if group is not None:
                scores = group.attrs.get("scores")
                for k, sp in enumerate(group):
                    key = (sp.start_char, sp.end_char, sp.label_)
                    found[key] = float(scores[k]) if scores is not None else None
            out.append([PredictedEntity(s, e, lab, sc) for (s, e, lab), sc in sorted(found.items())])
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
    import spacy

    target, record = resolve_model_name(store, name)
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
