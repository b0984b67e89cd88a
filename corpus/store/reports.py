"""Reads behind the reports: agreement, export, stats, merge checks and whole-project dumps.

Lean, read-only functions over a Store. Agreement and export read millions of tokens and
hundreds of thousands of spans, so they get plain tuples straight from SQL, or stream documents
a batch at a time with their spans and relations of one layer (three queries per batch) so that
memory stays flat. Nothing here writes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from corpus.model import Document, Relation, Span, is_token_aligned
from corpus.store.base import StoreBase
from corpus.store.documents import DocumentMethods
from corpus.store.rows import (
    CHUNK,
    REL_COLS,
    SPAN_COLS,
    chunks,
    marks,
    offsets_from_json,
    relation_from_row,
    span_from_row,
)

__all__ = [
    # agreement
    "SpanRow",
    "RelationRow",
    "layer_span_rows",
    "layer_relation_rows",
    "layer_documents_done",
    "layer_span_documents",
    # export
    "AnnotatedDocument",
    "layer_document_ids",
    "unannotated_document_ids",
    "done_document_ids",
    "layer_entity_labels",
    "layer_relation_labels",
    "layer_relation_signatures",
    "iter_annotated",
    # stats and checks
    "layer_summary",
    "iter_span_offsets_with_tokens",
    "off_token_span_counts",
    "BadSpan",
    "out_of_range_spans",
    "dump_project",
]

#: (span_id, doc_id, layer, start, end, label)
SpanRow = tuple[int, int, str, int, int, str]
#: (doc_id, layer, head_span_id, child_span_id, label)
RelationRow = tuple[int, str, int, int, str]


# -- agreement -------------------------------------------------------------------------------
def layer_span_rows(store: StoreBase, layers: Sequence[str], labels: Sequence[str] | None = None) -> list[SpanRow]:
    """Every span of the given layers (optionally only some labels), in no particular order."""
    if not layers:
        return []
    sql = f'SELECT id, doc_id, layer, start, "end", label FROM spans WHERE layer IN ({marks(len(layers))})'
    params: list[object] = list(layers)
    if labels is not None:
        sql += f" AND label IN ({marks(len(labels))})"
        params.extend(labels)
    return [tuple(r) for r in store.db.execute(sql, params).fetchall()]  # type: ignore[misc]


def layer_relation_rows(store: StoreBase, layers: Sequence[str]) -> list[RelationRow]:
    """Every relation of the given layers, in no particular order."""
    if not layers:
        return []
    sql = f"SELECT doc_id, layer, head_id, child_id, label FROM relations WHERE layer IN ({marks(len(layers))})"
    return [tuple(r) for r in store.db.execute(sql, list(layers)).fetchall()]  # type: ignore[misc]


def _documents_by_layer(store: StoreBase, sql: str, layers: Sequence[str]) -> dict[str, set[int]]:
    """Run ``sql`` (rows ``(layer, doc_id)``; ``{marks}`` stands for the layers' placeholders)
    and group the documents by layer; every given layer gets a set, maybe empty."""
    out: dict[str, set[int]] = {layer: set() for layer in layers}
    if not layers:
        return out
    for layer, doc_id in store.db.execute(sql.format(marks=marks(len(layers))), list(layers)):
        out[layer].add(doc_id)
    return out


def layer_documents_done(store: StoreBase, layers: Sequence[str]) -> dict[str, set[int]]:
    """For each layer (annotator), the documents it marked ``done``."""
    return _documents_by_layer(
        store, "SELECT annotator, doc_id FROM statuses WHERE status = 'done' AND annotator IN ({marks})", layers
    )


def layer_span_documents(store: StoreBase, layers: Sequence[str]) -> dict[str, set[int]]:
    """For each layer, the documents where it has at least one span."""
    return _documents_by_layer(store, "SELECT DISTINCT layer, doc_id FROM spans WHERE layer IN ({marks})", layers)


# -- export ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnotatedDocument:
    """One document with the spans (by position) and relations (by id) of one layer."""

    document: Document
    layer: str
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]


def layer_document_ids(store: StoreBase, layer: str) -> list[int]:
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


def unannotated_document_ids(store: StoreBase) -> list[int]:
    """Ids of the documents no layer touched (no span, no relation, no status), in id order."""
    rows = store.db.execute(
        "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM spans)"
        " AND id NOT IN (SELECT doc_id FROM relations)"
        " AND id NOT IN (SELECT doc_id FROM statuses WHERE status != 'todo') ORDER BY id"
    )
    return [int(r[0]) for r in rows]


def done_document_ids(store: StoreBase, layer: str) -> list[int]:
    """Ids of the documents the owner of ``layer`` marked done, in id order."""
    return [
        int(r[0])
        for r in store.db.execute(
            "SELECT doc_id FROM statuses WHERE annotator = ? AND status = 'done' ORDER BY doc_id", [layer]
        )
    ]


def layer_entity_labels(store: StoreBase, layer: str, doc_ids: Sequence[int] | None = None) -> list[str]:
    """Distinct span labels used in ``layer`` (optionally on some documents), sorted."""
    return _distinct_labels(store, "spans", layer, doc_ids)


def layer_relation_labels(store: StoreBase, layer: str, doc_ids: Sequence[int] | None = None) -> list[str]:
    """Distinct relation labels used in ``layer`` (optionally on some documents), sorted."""
    return _distinct_labels(store, "relations", layer, doc_ids)


def _distinct_labels(store: StoreBase, table: str, layer: str, doc_ids: Sequence[int] | None) -> list[str]:
    assert table in ("spans", "relations")
    if doc_ids is None:
        rows = store.db.execute(f"SELECT DISTINCT label FROM {table} WHERE layer = ?", [layer])
        return sorted(r[0] for r in rows)
    out: set[str] = set()
    for chunk in chunks(list(doc_ids)):
        rows = store.db.execute(
            f"SELECT DISTINCT label FROM {table} WHERE layer = ? AND doc_id IN ({marks(len(chunk))})",
            [layer, *chunk],
        )
        out.update(r[0] for r in rows)
    return sorted(out)


def layer_relation_signatures(store: StoreBase, layer: str) -> list[tuple[str, str, str]]:
    """Distinct (relation label, head span label, child span label) in ``layer``, sorted."""
    rows = store.db.execute(
        "SELECT DISTINCT r.label, h.label, c.label FROM relations r"
        " JOIN spans h ON h.id = r.head_id JOIN spans c ON c.id = r.child_id"
        " WHERE r.layer = ? ORDER BY 1, 2, 3",
        [layer],
    )
    return [(r[0], r[1], r[2]) for r in rows]


def iter_annotated(
    store: DocumentMethods, layer: str, doc_ids: Sequence[int], batch_size: int = 500
) -> Iterator[AnnotatedDocument]:
    """Stream ``doc_ids`` (in the given order) with their spans and relations in ``layer``.

    Three queries per batch of ``batch_size`` documents; only one batch is held in memory.
    Spans are ordered by (start, end, label), relations by id. Ids that no longer exist are
    skipped.
    """
    for chunk in chunks(list(doc_ids), max(1, min(batch_size, CHUNK))):
        qmarks = marks(len(chunk))
        spans: dict[int, list[Span]] = {}
        for row in store.db.execute(
            f"SELECT {SPAN_COLS} FROM spans WHERE layer = ? AND doc_id IN ({qmarks})"
            ' ORDER BY doc_id, start, "end", label, id',
            [layer, *chunk],
        ):
            sp = span_from_row(row)
            spans.setdefault(sp.doc_id, []).append(sp)
        rels: dict[int, list[Relation]] = {}
        for row in store.db.execute(
            f"SELECT {REL_COLS} FROM relations WHERE layer = ? AND doc_id IN ({qmarks}) ORDER BY doc_id, id",
            [layer, *chunk],
        ):
            rel = relation_from_row(row)
            rels.setdefault(rel.doc_id, []).append(rel)
        for doc in store.iter_documents(ids=chunk, batch_size=len(chunk)):
            assert doc.id is not None
            yield AnnotatedDocument(
                document=doc, layer=layer, spans=tuple(spans.get(doc.id, ())), relations=tuple(rels.get(doc.id, ()))
            )


# -- stats and checks ------------------------------------------------------------------------
def layer_summary(store: StoreBase) -> dict[str, dict[str, Any]]:
    """Per layer: span and relation counts, spans per label, documents done (people)."""
    out: dict[str, dict[str, Any]] = {}

    def entry(name: str) -> dict[str, Any]:
        return out.setdefault(name, {"spans": 0, "relations": 0, "labels": {}, "done": 0})

    for (name,) in store.db.execute("SELECT name FROM layers ORDER BY name"):
        entry(name)
    for layer, label, n in store.db.execute(
        "SELECT layer, label, count(*) FROM spans GROUP BY layer, label ORDER BY layer, label"
    ):
        entry(layer)["labels"][label] = n
        entry(layer)["spans"] += n
    for layer, n in store.db.execute("SELECT layer, count(*) FROM relations GROUP BY layer"):
        entry(layer)["relations"] = n
    for annotator, n in store.db.execute(
        "SELECT annotator, count(*) FROM statuses WHERE status = 'done' GROUP BY annotator"
    ):
        entry(annotator)["done"] = n
    return out


def iter_span_offsets_with_tokens(
    store: StoreBase,
) -> Iterator[tuple[int, tuple[tuple[int, int], ...], list[tuple[str, int, int]]]]:
    """Stream ``(doc_id, tokens, [(layer, start, end), ...])`` for every document with spans.

    Two cursors walk in step, both ordered by document: the spans, and the tokens of the
    documents that have spans (two queries in all, however many documents); memory holds one
    document at a time.
    """
    spans = store.db.execute('SELECT doc_id, layer, start, "end" FROM spans ORDER BY doc_id')
    tokens = store.db.execute(
        "SELECT id, tokens FROM documents WHERE id IN (SELECT doc_id FROM spans) ORDER BY id"
    )
    for doc_id, rows in itertools.groupby(spans, key=lambda r: r[0]):
        for tid, tokens_json in tokens:  # the same order: the next row is this document's
            if tid == doc_id:
                break
        else:  # pragma: no cover - a span always has its document (foreign key)
            tokens_json = "[]"
        offsets = offsets_from_json(tokens_json, f"{store.path}: documents table, document {doc_id}, tokens")
        yield doc_id, offsets, [r[1:] for r in rows]  # type: ignore[misc]


def off_token_span_counts(store: StoreBase) -> dict[str, int]:
    """Per layer, how many spans do not start and end on the document's token boundaries."""
    out: dict[str, int] = {}
    for _doc_id, tokens, spans in iter_span_offsets_with_tokens(store):
        for layer, start, end in spans:
            if not is_token_aligned(tokens, start, end):
                out[layer] = out.get(layer, 0) + 1
    return out


@dataclass(frozen=True)
class BadSpan:
    """A stored span whose offsets do not fit its document's text."""

    doc_id: int
    document: str
    span_id: int
    layer: str
    start: int
    end: int
    text_length: int

    def message(self) -> str:
        """One line naming the document, the span and what is wrong."""
        return (
            f"document {self.document!r} (id {self.doc_id}): span {self.span_id} in layer {self.layer!r} "
            f"has offsets {self.start}..{self.end}, outside its text of {self.text_length} characters"
        )


def out_of_range_spans(store: StoreBase, limit: int = 10) -> list[BadSpan]:
    """Up to ``limit`` spans with ``start < 0``, ``end <= start`` or ``end`` past the text (one
    scan; SQLite's ``length`` counts characters as Python does)."""
    rows = store.db.execute(
        'SELECT s.doc_id, d.name, s.id, s.layer, s.start, s."end", length(d.text) FROM spans s'
        ' JOIN documents d ON d.id = s.doc_id WHERE s.start < 0 OR s."end" <= s.start'
        ' OR s."end" > length(d.text) ORDER BY s.doc_id, s.id LIMIT ?',
        [limit],
    ).fetchall()
    return [BadSpan(*r) for r in rows]


def dump_project(store: StoreBase) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (full-text index included) plus the schema version, sorted.

    For comparing two states of a project exactly (the merge's idempotence and all-or-nothing
    tests, diagnostics); timestamps are included, so even a rewritten ``updated_at`` shows.
    """
    out: dict[str, list[tuple[Any, ...]]] = {"PRAGMA user_version": [(store.schema_version,)]}
    names = [
        r[0]
        for r in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    ]
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        rows = [tuple(r) for r in store.db.execute(f"SELECT * FROM {quoted}").fetchall()]
        out[name] = sorted(rows, key=repr)
    return out
