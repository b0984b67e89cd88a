"""Prodigy-shaped JSONL: one JSON object per document and layer.

The shape (GUIDE section 6, Prodigy's ``ner.manual`` / ``rel.manual`` output)::

    {"text": ..., "name": ..., "meta": {...},
     "tokens": [{"text", "start", "end", "id", "ws"}, ...],
     "spans": [{"start", "end", "label", "token_start", "token_end"}, ...],
     "relations": [{"head", "child", "head_span", "child_span", "label"[, "score"]}, ...],
     "_annotator_id": LAYER, "answer": "accept" | "reject" | "ignore"}

* ``start``/``end`` are character offsets, end exclusive; ``token_start``/``token_end`` are token
  indexes, ``token_end`` INCLUSIVE. A span that does not sit on token boundaries keeps its exact
  character offsets; its token indexes are those of the tokens it touches.
* ``head``/``child`` of a relation are the ``token_end`` of ``head_span``/``child_span``; a
  relation a suggester scored (``annotator suggest --model project``) also carries its
  ``score`` (an extra key: Prodigy keeps keys it does not know).
* ``tokens`` are the document's stored tokens, whitespace tokens included, so token indexes are
  the project's; ``ws`` says a single space follows the token.
* ``answer`` is what the layer's owner answered (a declined example stays ``reject`` or
  ``ignore``, never an accept without spans); a partial (binary) accept also carries Prodigy's
  binary view id, ``"_view_id": "ner"``, which the Prodigy importer reads back as partial.
* A document no layer annotated is written without ``_annotator_id`` and without ``answer``.
* A span's knowledge-base id and attributes are its ``kb_id`` and ``attributes`` (an object),
  written only when it has them. A document with one span that has a kb id is also written in
  Prodigy's entity-linking shape (``nel.manual``): ``options`` holding that id and
  ``"accept": [id]``; the Prodigy importer reads either back.

Pure functions: no file or database access here (see :mod:`annotator.export`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from corpus.model import Document, Offsets, Relation, Span, token_index_at

__all__ = ["token_range", "prodigy_tokens", "prodigy_record", "dumps_record"]


def token_range(tokens: Sequence[Offsets], start: int, end: int) -> tuple[int, int]:
    """Indexes (first, last INCLUSIVE) of the tokens that ``start..end`` touches.

    With no tokens, or a stretch that touches none (only a gap), the nearest token is used.
    """
    if not tokens:
        return (0, 0)
    i = min(token_index_at(tokens, start), len(tokens) - 1)
    j = min(token_index_at(tokens, max(start, end - 1)), len(tokens) - 1)
    if j > i and tokens[j][0] >= end:
        j -= 1
    return (i, max(i, j))


def prodigy_tokens(doc: Document) -> list[dict[str, Any]]:
    """The document's stored tokens as Prodigy token objects."""
    text = doc.text
    toks = doc.tokens
    out: list[dict[str, Any]] = []
    n = len(toks)
    for k, (s, e) in enumerate(toks):
        nxt = toks[k + 1][0] if k + 1 < n else len(text)
        ws = e < len(text) and text[e] == " " and nxt > e
        out.append({"text": text[s:e], "start": s, "end": e, "id": k, "ws": ws})
    return out


def _span_obj(doc: Document, sp: Span) -> dict[str, Any]:
    ts, te = token_range(doc.tokens, sp.start, sp.end)
    obj: dict[str, Any] = {"start": sp.start, "end": sp.end, "label": sp.label, "token_start": ts, "token_end": te}
    if sp.kb_id:
        obj["kb_id"] = sp.kb_id
    if sp.attributes:
        obj["attributes"] = dict(sp.attributes)
    return obj


def prodigy_record(
    doc: Document,
    spans: Iterable[Span],
    relations: Iterable[Relation] = (),
    annotator_id: str | None = None,
    answer: str = "accept",
    partial: bool = False,
) -> dict[str, Any]:
    """The Prodigy task for ``doc`` with one layer's ``spans`` and ``relations``.

    ``annotator_id`` (the layer name) becomes ``_annotator_id`` with ``answer`` (``accept``,
    ``reject`` or ``ignore``: what the annotator answered); a ``partial`` accept (binary) is
    written with Prodigy's binary view id, ``"_view_id": "ner"``. With ``None`` the record
    carries the document only. A relation whose span is not among ``spans``
    is an error of the caller (:class:`KeyError`); the store guarantees it cannot happen.
    """
    span_list = list(spans)
    objs = [_span_obj(doc, sp) for sp in span_list]
    by_id = {sp.id: obj for sp, obj in zip(span_list, objs)}
    rels: list[dict[str, Any]] = []
    for rel in relations:
        head, child = by_id[rel.head], by_id[rel.child]
        obj = {
            "head": head["token_end"],
            "child": child["token_end"],
            "head_span": dict(head),
            "child_span": dict(child),
            "label": rel.label,
        }
        if rel.score is not None:
            obj["score"] = float(rel.score)
        rels.append(obj)
    record: dict[str, Any] = {
        "text": doc.text,
        "name": doc.name,
        "meta": dict(doc.meta),
        "tokens": prodigy_tokens(doc),
        "spans": objs,
        "relations": rels,
    }
    if annotator_id is not None:
        record["_annotator_id"] = annotator_id
        record["answer"] = answer
        if partial:
            record["_view_id"] = "ner"
    if len(span_list) == 1 and span_list[0].kb_id and not partial:
        # Prodigy's entity-linking shape: the chosen id among the options, in "accept"
        record["options"] = [{"id": span_list[0].kb_id, "text": span_list[0].kb_id}]
        record["accept"] = [span_list[0].kb_id]
    return record


def dumps_record(record: dict[str, Any]) -> str:
    """One JSONL line (UTF-8 characters kept, no newline inside, newline at the end)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
