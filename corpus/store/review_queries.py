"""Read-only queries for review and adjudication (:mod:`annotator.review`).

The :class:`~corpus.store.core.Store` answers per-annotator questions; review needs per-document
ones (who worked on this document, which documents have which layers). These functions take a
``Store``, never write, and return plain Python values.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from corpus.model import DocumentStatus

if TYPE_CHECKING:  # pragma: no cover
    from corpus.store.core import Store

__all__ = ["document_statuses", "span_layers_by_document", "done_annotators_by_document"]


def document_statuses(store: Store, doc_id: int) -> dict[str, DocumentStatus]:
    """Every recorded status on one document, keyed by annotator (``todo`` rows are absent)."""
    return {
        r[0]: DocumentStatus(r[1])
        for r in store.db.execute(
            "SELECT annotator, status FROM statuses WHERE doc_id = ? ORDER BY annotator", [doc_id]
        ).fetchall()
    }


def span_layers_by_document(store: Store) -> dict[int, set[str]]:
    """For every document with spans: the layers those spans belong to."""
    out: dict[int, set[str]] = defaultdict(set)
    for doc_id, layer in store.db.execute("SELECT DISTINCT doc_id, layer FROM spans").fetchall():
        out[int(doc_id)].add(layer)
    return dict(out)


def done_annotators_by_document(store: Store) -> dict[int, set[str]]:
    """For every document someone marked done: who did (annotator names, ``gold`` included)."""
    out: dict[int, set[str]] = defaultdict(set)
    for doc_id, annotator in store.db.execute(
        "SELECT doc_id, annotator FROM statuses WHERE status = 'done'"
    ).fetchall():
        out[int(doc_id)].add(annotator)
    return dict(out)
