"""Read-only queries the exporters need that :class:`~corpus.store.core.Store` does not offer.

Everything here streams or aggregates in SQL so that exporting 100,000 documents keeps memory
flat: documents come a batch at a time together with their spans and relations of one layer
(three queries per batch instead of two per document).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from corpus.model import Document, Relation, Span
from corpus.store.core import _REL_COLS, _SPAN_COLS, Store, _relation_from_row, _span_from_row

__all__ = [
    "AnnotatedDocument",
    "layer_document_ids",
    "unannotated_document_ids",
    "done_document_ids",
    "layer_entity_labels",
    "layer_relation_labels",
    "layer_relation_signatures",
    "iter_annotated",
]

#: SQLite's default limit on host parameters is 999 on old builds; stay under it.
_CHUNK = 900


@dataclass(frozen=True)
class AnnotatedDocument:
    """One document with the spans (by position) and relations (by id) of one layer."""

    document: Document
    layer: str
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]


def layer_document_ids(store: Store, layer: str) -> list[int]:
    """Ids of the documents ``layer`` touched, in id order.

    A document is touched when the layer holds a span or a relation on it, or when the layer's
    owner recorded a status other than ``todo`` for it (a document marked done with no span is a
    real negative example).
    """
    rows = store.db.execute(
        "SELECT doc_id FROM spans WHERE layer = ?"
        " UNION SELECT doc_id FROM relations WHERE layer = ?"
        " UNION SELECT doc_id FROM statuses WHERE annotator = ? AND status != 'todo'"
        " ORDER BY 1",
        [layer, layer, layer],
    )
    return [int(r[0]) for r in rows]


def unannotated_document_ids(store: Store) -> list[int]:
    """Ids of the documents no layer touched (no span, no relation, no status), in id order."""
    rows = store.db.execute(
        "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM spans)"
        " AND id NOT IN (SELECT doc_id FROM relations)"
        " AND id NOT IN (SELECT doc_id FROM statuses WHERE status != 'todo') ORDER BY id"
    )
    return [int(r[0]) for r in rows]


def done_document_ids(store: Store, layer: str) -> list[int]:
    """Ids of the documents the owner of ``layer`` marked done, in id order."""
    return store.done_documents(layer)


def layer_entity_labels(store: Store, layer: str, doc_ids: Sequence[int] | None = None) -> list[str]:
    """Distinct span labels used in ``layer`` (optionally on some documents), sorted."""
    return _distinct_labels(store, "spans", layer, doc_ids)


def layer_relation_labels(store: Store, layer: str, doc_ids: Sequence[int] | None = None) -> list[str]:
    """Distinct relation labels used in ``layer`` (optionally on some documents), sorted."""
    return _distinct_labels(store, "relations", layer, doc_ids)


def _distinct_labels(store: Store, table: str, layer: str, doc_ids: Sequence[int] | None) -> list[str]:
    assert table in ("spans", "relations")
    if doc_ids is None:
        rows = store.db.execute(f"SELECT DISTINCT label FROM {table} WHERE layer = ?", [layer])
        return sorted(r[0] for r in rows)
    out: set[str] = set()
    ids = list(doc_ids)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = store.db.execute(
            f"SELECT DISTINCT label FROM {table} WHERE layer = ? AND doc_id IN ({marks})", [layer, *chunk]
        )
        out.update(r[0] for r in rows)
    return sorted(out)


def layer_relation_signatures(store: Store, layer: str) -> list[tuple[str, str, str]]:
    """Distinct (relation label, head span label, child span label) in ``layer``, sorted."""
    rows = store.db.execute(
        "SELECT DISTINCT r.label, h.label, c.label FROM relations r"
        " JOIN spans h ON h.id = r.head_id JOIN spans c ON c.id = r.child_id"
        " WHERE r.layer = ? ORDER BY 1, 2, 3",
        [layer],
    )
    return [(r[0], r[1], r[2]) for r in rows]


def iter_annotated(
    store: Store, layer: str, doc_ids: Sequence[int], batch_size: int = 500
) -> Iterator[AnnotatedDocument]:
    """Stream ``doc_ids`` (in the given order) with their spans and relations in ``layer``.

    Three queries per batch of ``batch_size`` documents; only one batch is held in memory.
    Spans are ordered by (start, end, label), relations by id. Ids that no longer exist are
    skipped.
    """
    batch_size = max(1, min(batch_size, _CHUNK))
    ids = list(doc_ids)
    for i in range(0, len(ids), batch_size):
        chunk = ids[i : i + batch_size]
        marks = ",".join("?" * len(chunk))
        spans: dict[int, list[Span]] = {}
        for row in store.db.execute(
            f"SELECT {_SPAN_COLS} FROM spans WHERE layer = ? AND doc_id IN ({marks})"
            ' ORDER BY doc_id, start, "end", label, id',
            [layer, *chunk],
        ):
            sp = _span_from_row(row)
            spans.setdefault(sp.doc_id, []).append(sp)
        rels: dict[int, list[Relation]] = {}
        for row in store.db.execute(
            f"SELECT {_REL_COLS} FROM relations WHERE layer = ? AND doc_id IN ({marks}) ORDER BY doc_id, id",
            [layer, *chunk],
        ):
            rel = _relation_from_row(row)
            rels.setdefault(rel.doc_id, []).append(rel)
        for doc in store.iter_documents(ids=chunk, batch_size=len(chunk)):
            assert doc.id is not None
            yield AnnotatedDocument(
                document=doc,
                layer=layer,
                spans=tuple(spans.get(doc.id, ())),
                relations=tuple(rels.get(doc.id, ())),
            )
