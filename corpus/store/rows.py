"""Rows to domain objects, and the small SQL helpers every store module shares.

Public within the store package (the concept modules import these, never each other's private
names). Nothing here runs SQL. Whatever a project file holds is checked as it is turned into
objects: a malformed JSON column or an impossible span is a one-line :class:`ProjectError`
naming the table and the document, never a traceback.
"""

from __future__ import annotations

import json
import re
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
    "StoredOffsets",
    "stored_offsets",
    "offsets_json",
]

#: Columns of a span row, in :func:`span_from_row`'s order.
SPAN_COLS = 'id, doc_id, layer, start, "end", label, source, score, kb_id, attributes'
#: Columns of a relation row, in :func:`relation_from_row`'s order.
REL_COLS = "id, doc_id, layer, head_id, child_id, label, source, score"
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


#: The form the store writes offsets in (``json.dumps(pairs, separators=(",", ":"))``): a
#: string of this form is valid JSON for a list of ``[start, end]`` pairs, and one list of pairs
#: has exactly one such string (no spaces, no leading zeros), so equal strings are equal pairs.
_CANONICAL_PAIRS = re.compile(r"\[(?:\[(?:0|[1-9][0-9]*),(?:0|[1-9][0-9]*)\]"
                              r"(?:,\[(?:0|[1-9][0-9]*),(?:0|[1-9][0-9]*)\])*)?\]")


class StoredOffsets(Sequence[tuple[int, int]]):
    """``(start, end)`` pairs as the project file holds them, decoded on first use.

    Behaves as the tuple of tuples it stands for (indexing, slicing, iteration, ``len``,
    equality with tuples and with another :class:`StoredOffsets`, hashing, ordering,
    pickling); opening a document therefore does not build its 20,000 token tuples until
    something asks for a token. Made only from text already checked to be in the store's
    canonical form (see :func:`stored_offsets`), so decoding cannot fail later.
    """

    __slots__ = ("_json", "_pairs")

    def __init__(self, canonical_json: str) -> None:
        self._json = canonical_json
        self._pairs: tuple[tuple[int, int], ...] | None = None

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """The pairs as a tuple of ``(start, end)`` tuples (decoded once)."""
        p = self._pairs
        if p is None:
            p = self._pairs = tuple(map(tuple, json.loads(self._json)))  # type: ignore[arg-type]
        return p

    @property
    def json(self) -> str:
        """The pairs as stored (JSON, canonical form)."""
        return self._json

    def __len__(self) -> int:
        if self._pairs is not None:
            return len(self._pairs)
        return self._json.count("[") - 1  # canonical form: one "[" per pair, one for the list

    def __getitem__(self, index):  # type: ignore[override]
        return self.pairs[index]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.pairs)

    def __contains__(self, value: object) -> bool:
        return value in self.pairs

    def __reversed__(self) -> Iterator[tuple[int, int]]:
        return reversed(self.pairs)

    def _other(self, other: object) -> tuple | None:
        if isinstance(other, StoredOffsets):
            return other.pairs
        return other if isinstance(other, tuple) else None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredOffsets) and (self._pairs is None or other._pairs is None):
            return self._json == other._json
        o = self._other(other)
        return NotImplemented if o is None else self.pairs == o

    def __lt__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.pairs < o

    def __le__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.pairs <= o

    def __gt__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.pairs > o

    def __ge__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.pairs >= o

    def __hash__(self) -> int:
        return hash(self.pairs)

    def __repr__(self) -> str:
        return repr(self.pairs)

    def __reduce__(self) -> tuple:
        return (StoredOffsets, (self._json,))


def stored_offsets(text: Any, where: str) -> Sequence[tuple[int, int]]:
    """A stored ``[[start, end], ...]`` column as a sequence of pairs, checked now.

    Text in the store's own form is checked with one pattern match and decoded only when a
    pair is first read (a :class:`StoredOffsets`); anything else is decoded at once by
    :func:`offsets_from_json` (a :class:`ProjectError` naming ``where`` when it is not a list
    of pairs).
    """
    if isinstance(text, str) and _CANONICAL_PAIRS.fullmatch(text):
        return StoredOffsets(text) if len(text) > 2 else ()
    return offsets_from_json(text, where)


def offsets_json(offsets: Sequence[tuple[int, int]]) -> str:
    """Offsets as the store writes them (canonical JSON; a :class:`StoredOffsets` as it is)."""
    if isinstance(offsets, StoredOffsets):
        return offsets.json
    return json.dumps(offsets, separators=(",", ":"))


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
        source=row[6] or "", score=row[7] if len(row) > 7 else None,
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
        tokens=stored_offsets(row[5], f"{where}, tokens"),
        sents=stored_offsets(row[6], f"{where}, sents"),
    )
