"""Rows to domain objects, and the small SQL helpers every store module shares.

Public within the store package (the concept modules import these, never each other's private
names). Nothing here runs SQL. Whatever a project file holds is checked as it is turned into
objects: a malformed JSON column or an impossible span is a one-line :class:`ProjectError`
naming the table and the document, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from corpus.errors import AnnotationError, ProjectError
from corpus.model import Document, Relation, Span

__all__ = [
    "SPAN_COLS",
    "REL_COLS",
    "DOC_COLS",
    "CHUNK",
    "now",
    "marks",
    "chunks",
    "where_clause",
    "decode_json",
    "encode_json",
    "span_from_row",
    "attributes_json",
    "relation_from_row",
    "document_from_row",
    "offsets_from_json",
]

#: Columns of a span row, in :func:`span_from_row`'s order.
SPAN_COLS = 'id, doc_id, layer, start, "end", label, source, score, kb_id, attributes'
#: Columns of a relation row, in :func:`relation_from_row`'s order.
REL_COLS = "id, doc_id, layer, head_id, child_id, label, source"
#: Columns of a document row, in :func:`document_from_row`'s order.
DOC_COLS = "id, name, text, meta, hash, tokens, sents"

#: Ids per ``IN (...)`` list: SQLite's default limit on host parameters is 999 on old builds.
CHUNK = 900


def now() -> str:
    """The current UTC time as stored in ``created_at``/``updated_at`` columns."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def marks(n: int) -> str:
    """``?,?,...`` with ``n`` placeholders."""
    return ",".join("?" * n)


def chunks(ids: Sequence[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """``ids`` cut into lists of at most ``size`` (for ``IN (...)`` queries)."""
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def where_clause(
    doc_id: int | None, layers: str | Sequence[str] | None, label: str | None = None
) -> tuple[str, list[Any]]:
    """`` WHERE ...`` (or ``""``) and its parameters for the span and relation listings."""
    where: list[str] = []
    params: list[Any] = []
    if doc_id is not None:
        where.append("doc_id = ?")
        params.append(doc_id)
    if layers is not None:
        layer_list = [layers] if isinstance(layers, str) else list(layers)
        where.append(f"layer IN ({marks(len(layer_list))})")
        params.extend(layer_list)
    if label is not None:
        where.append("label = ?")
        params.append(label)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def decode_json(text: Any, where: str) -> Any:
    """``text`` (a JSON column's value) decoded; a :class:`ProjectError` naming ``where`` (the
    table, column and document) when the project holds something that is not JSON."""
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ProjectError(f"{where}: malformed JSON in the project file ({reason})") from None


def encode_json(value: Any, where: str, **options: Any) -> str:
    """``value`` as strict JSON text for a column; NaN, infinities and other values JSON cannot
    hold are an :class:`AnnotationError` naming ``where`` (never stored as invalid JSON)."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, **options)
    except (TypeError, ValueError, RecursionError) as exc:
        raise AnnotationError(f"{where}: cannot be stored as JSON ({exc})") from None


def offsets_from_json(text: Any, where: str) -> tuple[tuple[int, int], ...]:
    """A stored ``[[start, end], ...]`` list (tokens, sentences) as tuples, checked."""
    value = decode_json(text, where)
    try:
        return tuple(map(tuple, value))  # type: ignore[arg-type]
    except TypeError:
        raise ProjectError(f"{where}: not a list of [start, end] offsets in the project file") from None


def attributes_json(span: Span) -> str:
    """A span's attributes as the JSON object stored in its ``attributes`` column."""
    if not span.attributes:
        return "{}"
    return encode_json(dict(span.attributes), f"document {span.doc_id}: span {span.start}-{span.end} attributes",
                       sort_keys=True)


def span_from_row(row: Sequence[Any]) -> Span:
    """A :class:`Span` from a :data:`SPAN_COLS` row; impossible offsets or attributes that are not
    a JSON object of texts and flags are a ProjectError."""
    attributes: Any = ()
    if len(row) > 9 and row[9] not in (None, "", "{}"):
        attributes = decode_json(row[9], f"spans table, document {row[1]}, span {row[0]}, attributes")
        if not isinstance(attributes, dict):
            raise ProjectError(f"spans table, document {row[1]}, span {row[0]}, attributes: not a JSON object")
    try:
        return Span(
            id=row[0], doc_id=row[1], layer=row[2], start=row[3], end=row[4], label=row[5],
            source=row[6] or "", score=row[7], kb_id=(row[8] or "") if len(row) > 8 else "",
            attributes=attributes,
        )
    except (TypeError, ValueError) as exc:
        raise ProjectError(f"document {row[1]}: span {row[0]} in layer {row[2]!r}: {exc}") from None


def relation_from_row(row: Sequence[Any]) -> Relation:
    """A :class:`Relation` from a :data:`REL_COLS` row."""
    return Relation(
        id=row[0], doc_id=row[1], layer=row[2], head=row[3], child=row[4], label=row[5],
        source=row[6] or "",
    )


def document_from_row(row: Sequence[Any], path: str = "") -> Document:
    """A :class:`Document` from a :data:`DOC_COLS` row of the project file ``path``, its JSON
    columns checked."""
    where = f"{path + ': ' if path else ''}documents table, document {row[0]} ({row[1]!r})"
    meta = decode_json(row[3], f"{where}, meta")
    if not isinstance(meta, dict):
        raise ProjectError(f"{where}, meta: not a JSON object in the project file")
    return Document(
        id=row[0], name=row[1], text=row[2], meta=meta, hash=row[4],
        tokens=offsets_from_json(row[5], f"{where}, tokens"),
        sents=offsets_from_json(row[6], f"{where}, sents"),
    )
