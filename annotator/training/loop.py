"""The learning loop without the window: when to retrain, and a new model's suggestions.

The window (another layer) starts these as background jobs; nothing here needs Qt.

* :func:`retrain_due`: the project setting ``retrain_every`` (K, 0 or missing: never) says to
  retrain after every K newly done documents -- documents the training rule selects that the
  latest model neither trained nor was scored on.
* :func:`suggest_untouched_job`: once a new model is ready, the documents no person has touched
  (no status, no span or relation in a person's or the gold layer) get its suggestions, and the
  older project models' suggestions leave those documents. Documents someone has worked on keep
  everything as it is: decisions already made are never changed.
"""

from __future__ import annotations

from collections.abc import Generator

from corpus.model import GOLD, is_person_layer
from corpus.store import Store

from annotator.progress import Progress
from annotator.training.data import TrainingError, select_training
from annotator.training.models import latest_model, recorded_models

__all__ = ["RETRAIN_SETTING", "new_done_documents", "retrain_due", "untouched_documents", "suggest_untouched_job"]

#: Project setting: retrain after every K newly done documents (0 or missing: never).
RETRAIN_SETTING = "retrain_every"


def new_done_documents(store: Store) -> list[int]:
    """Done documents (by the training rule) the latest project model has not seen."""
    try:
        selected = select_training(store).doc_ids
    except TrainingError:
        return []
    model = latest_model(store)
    seen = set(model.documents) | set(model.dev_documents) if model else set()
    return [d for d in selected if d not in seen]


def retrain_due(store: Store) -> bool:
    """True when the setting ``retrain_every`` is K > 0 and K documents were done since the
    latest model (or, with no model yet, K documents are done)."""
    every = store.get_setting(RETRAIN_SETTING, 0) or 0
    if not isinstance(every, int) or isinstance(every, bool) or every < 0:
        raise TrainingError(f"project setting {RETRAIN_SETTING!r} must be a whole number of documents, not {every!r}")
    return every > 0 and len(new_done_documents(store)) >= every


def untouched_documents(store: Store) -> list[int]:
    """Documents no person (nor the reviewer) has touched: no status, no span, no relation."""
    layers = [name for name in store.layers() if name == GOLD or is_person_layer(name)]
    touched = {doc_id for (doc_id, _), status in store.statuses().items() if status.value != "todo"}
    for layer in layers:
        touched.update(doc_id for doc_id, _ in store.iter_layer_spans(layer))
        touched.update(rel.doc_id for rel in store.relations(layers=layer))
    return [d for d in store.document_ids() if d not in touched]


def suggest_untouched_job(store: Store, batch_size: int = 64) -> Generator[Progress, None, list[int]]:
    """The latest project model's suggestions on the untouched documents (see the module
    docstring); returns those documents' ids."""
    from annotator.suggest import suggest_job

    model = latest_model(store)
    if model is None:
        raise TrainingError(f"{store.path}: no trained project model yet; run `annotator train` first")
    ids = untouched_documents(store)
    older = [m.suggestion_layer for m in recorded_models(store) if m.version != model.version]
    with store.transaction():
        for layer in older:
            if layer in store.layers():
                store.delete_layer_annotations(layer, ids)
    if ids:
        yield from suggest_job(store, model=model.name, doc_ids=ids, batch_size=batch_size, use_model=True)
    return ids
