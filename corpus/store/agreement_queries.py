"""Lean read-only queries for the agreement report (annotator.agreement_report).

The report reads every compared document's tokens and every compared layer's spans and
relations; building :class:`corpus.model.Document` and :class:`corpus.model.Span` objects for
millions of tokens and hundreds of thousands of spans would dominate its run time, so these
functions return plain tuples and arrays straight from SQL. They take a :class:`Store` and
never write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from corpus.store.core import Store

__all__ = [
    "SpanRow",
    "RelationRow",
    "DocumentRow",
    "iter_document_rows",
    "layer_span_rows",
    "layer_relation_rows",
    "layer_documents_done",
    "layer_span_documents",
    "suggested_documents_by_layer",
]

#: (span_id, doc_id, layer, start, end, label)
SpanRow = tuple[int, int, str, int, int, str]
#: (doc_id, layer, head_span_id, child_span_id, label)
RelationRow = tuple[int, str, int, int, str]
#: (doc_id, name, text, tokens_json) -- tokens as stored: JSON ``[[start, end], ...]``
DocumentRow = tuple[int, str, str, str]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def iter_document_rows(store: Store, doc_ids: Sequence[int], batch_size: int = 500) -> Iterator[DocumentRow]:
    """Id, name, text and raw token JSON of the given documents, in the order given."""
    for i in range(0, len(doc_ids), batch_size):
        chunk = list(doc_ids[i : i + batch_size])
        rows = {
            r[0]: (r[0], r[1], r[2], r[3])
            for r in store.db.execute(
                f"SELECT id, name, text, tokens FROM documents WHERE id IN ({_marks(len(chunk))})", chunk
            ).fetchall()
        }
        for d in chunk:
            if d in rows:
                yield rows[d]


def layer_span_rows(store: Store, layers: Sequence[str], labels: Sequence[str] | None = None) -> list[SpanRow]:
    """Every span of the given layers (optionally only some labels), in no particular order."""
    if not layers:
        return []
    sql = f'SELECT id, doc_id, layer, start, "end", label FROM spans WHERE layer IN ({_marks(len(layers))})'
    params: list[object] = list(layers)
    if labels is not None:
        sql += f" AND label IN ({_marks(len(labels))})"
        params.extend(labels)
    return [tuple(r) for r in store.db.execute(sql, params).fetchall()]  # type: ignore[misc]


def layer_relation_rows(store: Store, layers: Sequence[str]) -> list[RelationRow]:
    """Every relation of the given layers, in no particular order."""
    if not layers:
        return []
    sql = (
        f"SELECT doc_id, layer, head_id, child_id, label FROM relations WHERE layer IN ({_marks(len(layers))})"
    )
    return [tuple(r) for r in store.db.execute(sql, list(layers)).fetchall()]  # type: ignore[misc]


def _documents_by_layer(store: Store, sql: str, layers: Sequence[str]) -> dict[str, set[int]]:
    """Run ``sql`` (rows ``(layer, doc_id)``; ``{marks}`` stands for the layers' placeholders)
    and group the documents by layer; every given layer gets a set, maybe empty."""
    out: dict[str, set[int]] = {layer: set() for layer in layers}
    if not layers:
        return out
    for layer, doc_id in store.db.execute(sql.format(marks=_marks(len(layers))), list(layers)):
        out[layer].add(doc_id)
    return out


def layer_documents_done(store: Store, layers: Sequence[str]) -> dict[str, set[int]]:
    """For each layer (annotator), the documents it marked ``done``."""
    return _documents_by_layer(
        store, "SELECT annotator, doc_id FROM statuses WHERE status = 'done' AND annotator IN ({marks})", layers
    )


def layer_span_documents(store: Store, layers: Sequence[str]) -> dict[str, set[int]]:
    """For each layer, the documents where it has at least one span."""
    return _documents_by_layer(store, "SELECT DISTINCT layer, doc_id FROM spans WHERE layer IN ({marks})", layers)


def suggested_documents_by_layer(store: Store, layers: Sequence[str]) -> dict[str, set[int]]:
    """For each layer, the documents its suggester has processed."""
    return _documents_by_layer(store, "SELECT layer, doc_id FROM suggested WHERE layer IN ({marks})", layers)
