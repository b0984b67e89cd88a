"""The trained project model as a suggester (registry entry ``project``).

``annotator suggest PROJECT.db --model project`` (or ``project@N``, or the model's folder)
suggests the model's entities into ``model:project@N`` -- the spancat's score kept on each
span -- and, when the model has a relation model, relations between those suggested spans in
the same layer. Entities are written batch by batch by the suggest job like every suggester's;
relations are added at the end of the run (:class:`ProjectRelationSuggester`, a refreshing
suggester) on the documents this run suggested, once their spans have ids. Re-suggesting a
document replaces its spans, and so (by cascade) its relations. A run stopped before its end
(Ctrl-C) keeps the entities of its finished batches but adds no relations to them; ``--force``
redoes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.model import Document, Relation
from corpus.store import Store

from annotator.suggesters.base import BuildContext, Found, Suggester
from annotator.suggesters.registry import register
from annotator.suggesters.spacy_model import MODEL_PRIORITY
from annotator.training.models import ModelRecord, is_project_model, names_project_model, resolve_model_name
from annotator.training.predict import LoadedModel, load_trained_model

__all__ = ["ProjectModelSuggester", "ProjectRelationSuggester", "owns_layer", "build"]

_LOADED: dict[str, LoadedModel] = {}


def _model(store_path: str, name: str, record: ModelRecord, store: Store | None = None) -> LoadedModel:
    """The loaded model (one cached per process)."""
    if record.path not in _LOADED:
        from corpus.store import open_store

        if store is not None:
            loaded = load_trained_model(store, record.path)
        else:
            with open_store(store_path) as st:
                loaded = load_trained_model(st, record.path)
        _LOADED.clear()
        _LOADED[record.path] = loaded
    return _LOADED[record.path]


@dataclass(frozen=True)
class ProjectModelSuggester:
    """Suggests a project model's entities into ``model:project@N``; remembers which documents
    it processed in this run (``processed``) for the relation step."""

    store_path: str
    record: ModelRecord
    processed: list[int] = field(default_factory=list, compare=False)
    priority: int = MODEL_PRIORITY
    parallel: bool = False

    @property
    def layer(self) -> str:
        """``model:project@N``."""
        return self.record.suggestion_layer

    def fingerprint(self) -> str:
        """The model's version, folder and training time: another model, other suggestions."""
        return f"{self.layer} {self.record.path} {self.record.created}"

    def suggest(self, documents: Sequence[Document]) -> list[list[Any]]:
        """Entities of each document, with the span categorizer's score when there is one."""
        loaded = _model(self.store_path, self.record.name, self.record)
        self.processed.extend(int(d.id or 0) for d in documents)
        return [[Found(p.start, p.end, p.label, p.score) for p in found] for found in loaded.entities(documents)]


@dataclass(frozen=True)
class ProjectRelationSuggester:
    """Adds the relation model's relations between the spans of ``model:project@N`` on the
    documents the entity suggester processed in this run (see the module docstring), each with
    the model's score (:attr:`corpus.model.Relation.score`)."""

    store_path: str
    record: ModelRecord
    processed: list[int] = field(default_factory=list, compare=False)
    priority: int = MODEL_PRIORITY

    @property
    def layer(self) -> str:
        """``model:project@N`` (the layer of the spans it links)."""
        return self.record.suggestion_layer

    def fingerprint(self) -> str:
        """Same as the entity suggester's."""
        return f"{self.layer} {self.record.path} {self.record.created}"

    def suggest(self, documents: Sequence[Document]) -> list[list[Any]]:
        """No spans of its own."""
        return [[] for _ in documents]

    def refresh(self, store: Store, doc_ids: Sequence[int] | None) -> int:
        """Relations on the documents suggested in this run; returns how many were added."""
        loaded = _model(self.store_path, self.record.name, self.record, store)
        todo = sorted(set(self.processed) & set(doc_ids) if doc_ids is not None else set(self.processed))
        added = 0
        for start in range(0, len(todo), 64):
            chunk = todo[start:start + 64]
            docs = list(store.iter_documents(chunk))
            spans = [store.spans(d.id, self.layer) for d in docs]
            found = loaded.relations_between(docs, spans)
            rels = [Relation(d.id or 0, self.layer, sp[r.head].id or 0, sp[r.child].id or 0, r.label, source=self.layer,
                             score=r.score)
                    for d, sp, rs in zip(docs, spans, found) for r in rs]
            if rels:
                with store.transaction():
                    added += sum(1 for _, new in store.insert_relations(rels) if new)
        self.processed.clear()
        return added


def owns_layer(layer: str) -> bool:
    """``model:project@N`` layers are this entry's."""
    return layer.startswith("model:project@")


@register("project", priority=MODEL_PRIORITY, owns=owns_layer, claims_model=names_project_model)
def build(ctx: BuildContext) -> list[Suggester]:
    """The project model named by ``--model`` (``project``, ``project@N`` or its folder), loaded
    now so a missing model fails before any write; nothing for any other ``--model``."""
    if not ctx.use_model or not is_project_model(ctx.store, ctx.model):
        return []
    assert ctx.model is not None
    _, record = resolve_model_name(ctx.store, ctx.model)
    assert record is not None
    loaded = _model(str(ctx.store.path), record.name, record, ctx.store)
    processed: list[int] = []
    out: list[Suggester] = [ProjectModelSuggester(str(ctx.store.path), record, processed)]
    if loaded.relations is not None:
        out.append(ProjectRelationSuggester(str(ctx.store.path), record, processed))
    return out
