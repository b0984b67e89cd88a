"""Read-only queries behind ``annotator stats`` (the project overview).

Typed functions over a :class:`~corpus.store.core.Store`; the only SQL of the stats feature.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

from corpus.model import is_token_aligned
from corpus.store.core import Store

__all__ = ["iter_span_offsets_with_tokens", "off_token_span_counts", "status_counts"]


def iter_span_offsets_with_tokens(
    store: Store,
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
        yield doc_id, tuple(tuple(t) for t in json.loads(tokens_json)), [r[1:] for r in rows]  # type: ignore[misc]


def off_token_span_counts(store: Store) -> dict[str, int]:
    """Per layer, how many spans do not start and end on the document's token boundaries."""
    out: dict[str, int] = {}
    for _doc_id, tokens, spans in iter_span_offsets_with_tokens(store):
        for layer, start, end in spans:
            if not is_token_aligned(tokens, start, end):
                out[layer] = out.get(layer, 0) + 1
    return out


def status_counts(store: Store) -> dict[str, dict[str, int]]:
    """Per annotator, how many documents are in each status they recorded."""
    out: dict[str, dict[str, int]] = {}
    for annotator, status, n in store.db.execute(
        "SELECT annotator, status, count(*) FROM statuses GROUP BY annotator, status ORDER BY annotator, status"
    ):
        out.setdefault(annotator, {})[status] = int(n)
    return out
