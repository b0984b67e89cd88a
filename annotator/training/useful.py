""""Most useful next": the documents a person has not finished, most uncertain first.

The model's uncertainty about a document is the largest ``1 - p`` over its NER decisions (p the
probability of the move the model took, :meth:`~annotator.training.predict.LoadedModel.
scored_entities`): one token the model nearly labelled otherwise is where a correction teaches
it most (uncertainty sampling, as Prodigy's ``ner.teach`` and INCEpTION's active learning do).
Qt-free: the window offers it as a document-list order and for Ctrl+D's "next".
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from corpus.model import DocumentStatus
from corpus.store import Store

from annotator.progress import Progress, drain
from annotator.training.models import PROJECT
from annotator.training.predict import LoadedModel, load_trained_model

__all__ = ["undone_documents", "uncertainty_job", "most_useful_next"]

BATCH = 64


def undone_documents(store: Store, annotator: str) -> list[int]:
    """Documents ``annotator`` has neither marked done nor skipped, in id order."""
    status = store.statuses(annotator)
    finished = {DocumentStatus.DONE, DocumentStatus.SKIPPED}
    return [d for d in store.document_ids() if status.get((d, annotator)) not in finished]


def uncertainty_job(store: Store, annotator: str, model: str | LoadedModel = PROJECT
                    ) -> Generator[Progress, None, list[tuple[int, float]]]:
    """(document id, uncertainty) for every undone document of ``annotator``, most uncertain
    first (ties in id order); yields progress per batch."""
    loaded = model if isinstance(model, LoadedModel) else load_trained_model(store, model)
    ids = undone_documents(store, annotator)
    scored: list[tuple[int, float]] = []
    yield Progress(0, len(ids), "uncertainty")
    for start in range(0, len(ids), BATCH):
        docs = list(store.iter_documents(ids[start:start + BATCH]))
        for doc, (_, uncertainty) in zip(docs, loaded.scored_entities(docs)):
            scored.append((int(doc.id or 0), float(uncertainty)))
        yield Progress(len(scored), len(ids), "uncertainty")
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


def most_useful_next(store: Store, annotator: str, model: str | LoadedModel = PROJECT) -> list[int]:
    """Undone documents of ``annotator`` ordered by the model's uncertainty, most uncertain
    first. ``model``: ``project`` (the latest trained model), ``project@N``, a pipeline folder,
    a package, or an already loaded model."""
    result: Any = drain(uncertainty_job(store, annotator, model))
    return [doc_id for doc_id, _ in result]
