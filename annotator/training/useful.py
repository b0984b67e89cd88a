""""Most useful next": the documents a person has not finished, most uncertain first.

The model's uncertainty about a document is the largest ``1 - p`` over its NER decisions (p the
probability of the move the model took, :meth:`~annotator.training.predict.LoadedModel.
scored_entities`): one token the model nearly labelled otherwise is where a correction teaches
it most (uncertainty sampling, as Prodigy's ``ner.teach`` and INCEpTION's active learning do).
Qt-free: the window offers it as a document-list order and for Ctrl+D's "next";
``annotator next`` prints it.

The scoring can run on a Dask cluster (``scheduler``: an address or ``local:N``; without it, the
project setting ``scheduler``, as ``annotator suggest`` does): the documents go to the workers in
tasks through the suggest machinery (:func:`annotator.suggesters.cluster.cluster_found`); each
worker loads the model once, by the path the project resolved, and keeps it. The order is the
same as a local run's.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from corpus.model import DocumentStatus
from corpus.store import Store

from annotator.progress import Progress, drain
from annotator.suggesters.job import resolve_scheduler
from annotator.training.data import TrainingError
from annotator.training.models import PROJECT, resolve_model_name
from annotator.training.predict import LoadedModel, load_pipeline, load_trained_model

__all__ = ["undone_documents", "uncertainty_job", "most_useful_next", "UncertaintyTask"]

BATCH = 64


def undone_documents(store: Store, annotator: str) -> list[int]:
    """Documents ``annotator`` has neither marked done nor skipped, in id order."""
    status = store.statuses(annotator)
    finished = {DocumentStatus.DONE, DocumentStatus.SKIPPED}
    return [d for d in store.document_ids() if status.get((d, annotator)) not in finished]


@dataclass(frozen=True)
class UncertaintyTask:
    """The scoring sent to Dask workers: small and picklable (the model's path, not the model).
    A worker loads the model on its first task and keeps it (:data:`_WORKER_MODELS`)."""

    target: str
    name: str

    def results(self, documents: Sequence[Any]) -> list[float]:
        """The model's uncertainty about each document (runs on a worker)."""
        from annotator.suggesters.spacy_model import ModelError

        loaded = _WORKER_MODELS.get(self.target)
        if loaded is None:
            try:
                loaded = load_pipeline(self.target, self.name)
            except TrainingError as exc:  # one line naming the worker, no retry elsewhere
                raise ModelError(str(exc)) from None
            _WORKER_MODELS.clear()  # one model per worker process
            _WORKER_MODELS[self.target] = loaded
        return [float(uncertainty) for _, uncertainty in loaded.scored_entities(documents)]


#: The model a worker process loaded (by path), kept for its next tasks.
_WORKER_MODELS: dict[str, LoadedModel] = {}


def _local_scores(store: Store, loaded: LoadedModel, ids: list[int]) -> Iterator[tuple[int, float]]:
    for start in range(0, len(ids), BATCH):
        docs = list(store.iter_documents(ids[start:start + BATCH]))
        for doc, (_, uncertainty) in zip(docs, loaded.scored_entities(docs)):
            yield int(doc.id or 0), float(uncertainty)


def uncertainty_job(store: Store, annotator: str, model: str | LoadedModel = PROJECT,
                    scheduler: str | None = None) -> Generator[Progress, None, list[tuple[int, float]]]:
    """(document id, uncertainty) for every undone document of ``annotator``, most uncertain
    first (ties in id order); yields progress per batch.

    ``scheduler``: a Dask scheduler address or ``local:N`` scores on that cluster; ``None`` uses
    the project setting ``scheduler`` if set, ``"none"`` this machine. A cluster needs the model
    by name (a loaded model cannot be sent)."""
    if not (isinstance(model, LoadedModel) and scheduler is None):  # a loaded model stays here
        scheduler = resolve_scheduler(store, scheduler)
    ids = undone_documents(store, annotator)
    scored: list[tuple[int, float]] = []
    yield Progress(0, len(ids), "uncertainty")
    session = None
    if scheduler is not None and ids:
        if isinstance(model, LoadedModel):
            raise TrainingError("scoring on a cluster needs the model's name or path, not a loaded model")
        from annotator.suggesters.cluster import cluster_found, connect

        target, _record = resolve_model_name(store, model)
        session = connect(scheduler)
        results: Iterator[tuple[int, float]] = cluster_found(
            session.client, UncertaintyTask(target, model), store.iter_documents(ids, batch_size=BATCH), BATCH)
    else:
        loaded = model if isinstance(model, LoadedModel) else load_trained_model(store, model)
        results = _local_scores(store, loaded, ids)
    try:
        for doc_id, uncertainty in results:
            scored.append((int(doc_id), float(uncertainty)))
            if len(scored) % BATCH == 0:
                yield Progress(len(scored), len(ids), "uncertainty")
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # cancels the tasks still out on the cluster
        if session is not None:
            session.close()
    yield Progress(len(scored), len(ids), "uncertainty")
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


def most_useful_next(store: Store, annotator: str, model: str | LoadedModel = PROJECT,
                     scheduler: str | None = None) -> list[int]:
    """Undone documents of ``annotator`` ordered by the model's uncertainty, most uncertain
    first. ``model``: ``project`` (the latest trained model), ``project@N``, a pipeline folder,
    a package, or an already loaded model. ``scheduler``: as for :func:`uncertainty_job`."""
    result: Any = drain(uncertainty_job(store, annotator, model, scheduler))
    return [doc_id for doc_id, _ in result]
